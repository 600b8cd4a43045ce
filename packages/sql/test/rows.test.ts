import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type RowColumn, RowCodec, SqlDateTime, StoredBytesCorruptError } from '../src/index.js';
import { columnTypeArb, nullableValueArb } from './support/arbitraries.js';

const RUNS = Number(process.env.LOCKSTEP_PROPERTY_RUNS ?? 300);

const columnsArb: fc.Arbitrary<RowColumn[]> = fc.array(
  fc.record({ name: fc.constantFrom('a', 'b', 'c'), type: columnTypeArb, nullable: fc.boolean() }),
  { minLength: 1, maxLength: 12 },
);

describe('row encoding', () => {
  it('decode(encode(row)) == row for random tables and rows (property)', () => {
    fc.assert(
      fc.property(
        columnsArb.chain((cols) => fc.tuple(fc.constant(cols), fc.integer({ min: 0, max: 100_000 }), fc.array(fc.tuple(...cols.map((c) => nullableValueArb(c.type, c.nullable))), { maxLength: 5 }))),
        ([columns, version, rows]) => {
          const codec = new RowCodec(columns, version);
          for (const row of rows) expect(codec.decode(codec.encode(row))).toEqual(row);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('every truncation of a row and every single-byte corruption gives a typed error or a value, never anything else (property)', () => {
    fc.assert(
      fc.property(
        columnsArb.chain((cols) => fc.tuple(fc.constant(cols), fc.tuple(...cols.map((c) => nullableValueArb(c.type, c.nullable))), fc.nat(), fc.integer({ min: 0, max: 255 }))),
        ([columns, row, at, byte]) => {
          const codec = new RowCodec(columns, 3);
          const bytes = codec.encode(row);
          for (let cut = 0; cut < bytes.length; cut++) expect(() => codec.decode(bytes.subarray(0, cut))).toThrow(StoredBytesCorruptError);
          const corrupt = bytes.slice();
          corrupt[at % bytes.length] = byte;
          try {
            codec.decode(corrupt);
          } catch (error) {
            expect(error).toBeInstanceOf(StoredBytesCorruptError);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('golden bytes for the sysbench row (id, k, c, pad) and a nullable layout', () => {
    const sbtest: RowColumn[] = [
      { name: 'id', type: { kind: 'int', bytes: 4, unsigned: false }, nullable: false },
      { name: 'k', type: { kind: 'int', bytes: 4, unsigned: false }, nullable: false },
      { name: 'c', type: { kind: 'char', length: 120 }, nullable: false },
      { name: 'pad', type: { kind: 'char', length: 60 }, nullable: false },
    ];
    const codec = new RowCodec(sbtest, 1);
    expect(Buffer.from(codec.encode([1, -2, 'ab', ''])).toString('hex')).toBe('01' + '01000000' + 'feffffff' + '026162' + '00');
    const nullable: RowColumn[] = [
      { name: 'a', type: { kind: 'int', bytes: 8, unsigned: true }, nullable: true },
      { name: 'b', type: { kind: 'double', declaredAs: 'DOUBLE' }, nullable: false },
      { name: 'c', type: { kind: 'datetime', fsp: 0 }, nullable: true },
    ];
    const n = new RowCodec(nullable, 200);
    // version 200 = varint c8 01; bitmap: a (bit 0) NULL
    expect(Buffer.from(n.encode([null, 1.5, SqlDateTime.ZERO])).toString('hex')).toBe('c801' + '01' + '000000000000f83f' + '0000000000000000');
  });

  it('rejects a row written under another schema version', () => {
    const cols: RowColumn[] = [{ name: 'a', type: { kind: 'int', bytes: 1, unsigned: false }, nullable: false }];
    const bytes = new RowCodec(cols, 1).encode([5]);
    expect(() => new RowCodec(cols, 2).decode(bytes)).toThrow(/schema version 1, table has 2/);
  });
});
