import fc from 'fast-check';
import { type ColumnType, integerRange, SqlDateTime, type SqlValue } from '../../src/index.js';

/** Every column type of the subset (bounded lengths so values stay small). */
export const columnTypeArb: fc.Arbitrary<ColumnType> = fc.oneof(
  fc.record({ kind: fc.constant('int' as const), bytes: fc.constantFrom(1 as const, 2 as const, 3 as const, 4 as const, 8 as const), unsigned: fc.boolean() }),
  fc.record({ kind: fc.constantFrom('char' as const, 'varchar' as const), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('text' as const), size: fc.constantFrom('tiny' as const, 'normal' as const) }),
  fc.record({ kind: fc.constantFrom('varbinary' as const), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('blob' as const), size: fc.constantFrom('tiny' as const, 'normal' as const) }),
  fc.record({ kind: fc.constant('double' as const), declaredAs: fc.constant('DOUBLE' as const) }),
  fc.record({ kind: fc.constant('datetime' as const), fsp: fc.integer({ min: 0, max: 6 }) }),
);

const charArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('a', 'b', 'A', ' ', '\u0000', 'z') },
  { weight: 1, arbitrary: fc.constantFrom('é', '日', '\uffff', '😀', '\u{10ffff}', '\u00ff') },
);

export function stringArb(maxChars: number): fc.Arbitrary<string> {
  return fc.array(charArb, { maxLength: maxChars }).map((cs) => cs.join(''));
}

export const dateTimeArb = (fsp: number): fc.Arbitrary<SqlDateTime> =>
  fc
    .record({
      year: fc.integer({ min: 0, max: 9999 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 28 }),
      hour: fc.integer({ min: 0, max: 23 }),
      minute: fc.integer({ min: 0, max: 59 }),
      second: fc.integer({ min: 0, max: 59 }),
      micro: fc.integer({ min: 0, max: 999_999 }),
    })
    .map((r) => SqlDateTime.of(r.year, r.month, r.day, r.hour, r.minute, r.second, r.micro, 6)!.withFsp(fsp));

/** A stored (already coerced) non-null value of the type. */
export function valueArb(type: ColumnType): fc.Arbitrary<SqlValue> {
  switch (type.kind) {
    case 'int': {
      const r = integerRange(type.bytes, type.unsigned);
      const big = fc.oneof(fc.bigInt({ min: r.min, max: r.max }), fc.constantFrom(r.min, r.max, 0n, r.min + 1n, r.max - 1n).filter((v) => v >= r.min && v <= r.max));
      return type.bytes === 8 ? big : big.map((v) => Number(v));
    }
    case 'char':
      return stringArb(type.length).map((s) => s.replace(/ +$/, ''));
    case 'varchar':
      return stringArb(type.length);
    case 'text':
      return stringArb(20);
    case 'binary':
    case 'varbinary':
      return fc.uint8Array({ maxLength: type.length });
    case 'blob':
      return fc.uint8Array({ maxLength: 20 });
    case 'double':
      return fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -1, 1, 0.5, -0.5, Number.MIN_VALUE, -Number.MAX_VALUE)).map((d) => (d === 0 ? 0 : d));
    case 'datetime':
      return dateTimeArb(type.fsp);
  }
}

export function nullableValueArb(type: ColumnType, nullable: boolean): fc.Arbitrary<SqlValue> {
  return nullable ? fc.option(valueArb(type), { nil: null, freq: 5 }) : valueArb(type);
}
