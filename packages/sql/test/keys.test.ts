import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareBytes,
  compareSqlValues,
  IndexKeyCodec,
  keyHex,
  prefixSuccessor,
  SqlDateTime,
  StoredBytesCorruptError,
  type KeyPart,
  type SqlValue,
} from '../src/index.js';
import { columnTypeArb, nullableValueArb } from './support/arbitraries.js';

const RUNS = Number(process.env.LOCKSTEP_PROPERTY_RUNS ?? 300);

/** SQL order of key tuples: element by element, NULL first. */
function sqlCompareTuple(a: readonly SqlValue[], b: readonly SqlValue[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === null || y === null) {
      if (x === null && y === null) continue;
      return x === null ? -1 : 1;
    }
    const c = compareSqlValues(x, y)!;
    if (c !== 0) return c;
  }
  return 0;
}

const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);

const partsArb: fc.Arbitrary<KeyPart[]> = fc.array(fc.record({ type: columnTypeArb, nullable: fc.boolean() }), { minLength: 1, maxLength: 4 });
const tupleArb = (parts: readonly KeyPart[]) => fc.tuple(...parts.map((p) => nullableValueArb(p.type, p.nullable)));

describe('memcomparable keys', () => {
  it('byte order of encoded keys equals SQL order of the tuples, and decode inverts encode (property)', () => {
    fc.assert(
      fc.property(
        partsArb.chain((parts) => fc.tuple(fc.constant(parts), fc.array(tupleArb(parts), { minLength: 2, maxLength: 8 }))),
        ([parts, tuples]) => {
          const codec = new IndexKeyCodec(300, parts);
          const keys = tuples.map((t) => codec.encode(t));
          for (let i = 0; i < tuples.length; i++) {
            expect(codec.decode(keys[i]!)).toEqual(tuples[i]);
            for (let j = 0; j < tuples.length; j++) {
              expect(sign(compareBytes(keys[i]!, keys[j]!))).toBe(sign(sqlCompareTuple(tuples[i]!, tuples[j]!)));
            }
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('a prefix of column values encodes to a byte prefix, and its successor bounds every key with it (property)', () => {
    fc.assert(
      fc.property(
        partsArb.chain((parts) => fc.tuple(fc.constant(parts), tupleArb(parts), tupleArb(parts), fc.nat())),
        ([parts, a, b, cut]) => {
          const codec = new IndexKeyCodec(7, parts);
          const n = cut % (parts.length + 1);
          const prefix = codec.encode(a.slice(0, n));
          const full = codec.encode([...a.slice(0, n), ...b.slice(n)]);
          expect(full.subarray(0, prefix.length)).toEqual(prefix);
          const upper = prefixSuccessor(prefix)!;
          expect(compareBytes(full, upper)).toBeLessThan(0);
          // any key whose leading values differ is outside [prefix, successor)
          const other = codec.encode(b);
          const inside = compareBytes(other, prefix) >= 0 && compareBytes(other, upper) < 0;
          expect(inside).toBe(sqlCompareTuple(a.slice(0, n), b.slice(0, n)) === 0);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('golden bytes: index id, sign flip, string escape and terminator, NULL marker, datetime', () => {
    const codec = new IndexKeyCodec(0x01020304, [
      { type: { kind: 'int', bytes: 4, unsigned: false }, nullable: false },
      { type: { kind: 'varchar', length: 10 }, nullable: true },
      { type: { kind: 'int', bytes: 8, unsigned: false }, nullable: true },
    ]);
    expect(Buffer.from(codec.encode([-1, 'a\u0000b', null])).toString('hex')).toBe('01020304' + '7fffffff' + '01' + '6100ff62' + '0001' + '00');
    expect(Buffer.from(codec.encode([1, '', 5n])).toString('hex')).toBe('01020304' + '80000001' + '01' + '0001' + '01' + '8000000000000005');
    const dt = new IndexKeyCodec(1, [{ type: { kind: 'datetime', fsp: 6 }, nullable: false }]);
    const v = SqlDateTime.parse('2000-01-02 03:04:05.000006')!;
    const date = (2000 * 13 + 1) * 32 + 2;
    const time = (3 << 12) | (4 << 6) | 5;
    const high = (date * 2 ** 17 + time).toString(16).padStart(10, '0');
    expect(Buffer.from(dt.encode([v])).toString('hex')).toBe('00000001' + high + '000006');
  });

  it('doubles: negative < -0 == 0 < positive, and -0 decodes as 0', () => {
    const codec = new IndexKeyCodec(1, [{ type: { kind: 'double', declaredAs: 'DOUBLE' }, nullable: false }]);
    const values = [-Infinity, -1e300, -1, -Number.MIN_VALUE, 0, Number.MIN_VALUE, 1, 1e300, Infinity];
    const keys = values.map((v) => codec.encode([v]));
    for (let i = 1; i < keys.length; i++) expect(compareBytes(keys[i - 1]!, keys[i]!)).toBeLessThan(0);
    expect(codec.encode([-0])).toEqual(codec.encode([0]));
    expect(Object.is(codec.decode(codec.encode([-0]))[0], 0)).toBe(true);
  });

  it('corrupt and truncated keys give a typed error with the offset', () => {
    const codec = new IndexKeyCodec(9, [
      { type: { kind: 'int', bytes: 4, unsigned: true }, nullable: false },
      { type: { kind: 'varchar', length: 5 }, nullable: true },
    ]);
    const key = codec.encode([5, 'ab']);
    const errorOf = (bytes: Uint8Array) => {
      try {
        codec.decode(bytes);
      } catch (error) {
        return error as StoredBytesCorruptError;
      }
      throw new Error('decoded');
    };
    expect(errorOf(key.subarray(0, 6)).offset).toBe(4);
    expect(errorOf(key.subarray(0, key.length - 1)).message).toMatch(/truncated escape/);
    expect(errorOf(key.subarray(0, 2)).message).toMatch(/no index id/);
    const other = key.slice();
    other[3] = 10;
    expect(errorOf(other).message).toMatch(/index id 10, expected 9/);
    const badMarker = key.slice();
    badMarker[8] = 7;
    expect(errorOf(badMarker)).toMatchObject({ offset: 8, code: 'SQL_STORED_BYTES_CORRUPT' });
    const badEscape = codec.encode([5, 'a\u0000']);
    badEscape[11] = 0x33;
    expect(errorOf(badEscape).message).toMatch(/bad escape/);
    expect(errorOf(new Uint8Array([...key, 1])).message).toMatch(/trailing/);
    const badUtf8 = new Uint8Array([...codec.encode([5]), 1, 0xff, 0, 1]);
    expect(errorOf(badUtf8).message).toMatch(/UTF-8/);
  });

  it('keyHex names the table and the primary key bytes without the index id', () => {
    const codec = new IndexKeyCodec(300, [{ type: { kind: 'int', bytes: 4, unsigned: false }, nullable: false }]);
    const key = codec.encode([1]);
    expect(keyHex('sbtest', 'sbtest1', IndexKeyCodec.columnBytes(key))).toBe('sbtest.sbtest1:80000001');
    expect(keyHex('d', 't', new Uint8Array([0xab]), 'uk')).toBe('d.t.uk:ab');
    expect(prefixSuccessor(new Uint8Array([1, 0xff, 0xff]))).toEqual(new Uint8Array([2]));
    expect(prefixSuccessor(new Uint8Array([0xff]))).toBeUndefined();
  });
});
