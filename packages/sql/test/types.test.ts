import { describe, expect, it } from 'vitest';
import {
  ColumnNullError,
  DataTooLongError,
  DataTruncatedError,
  IncorrectDatetimeError,
  IncorrectValueError,
  OutOfRangeError,
  SqlDateTime,
  coerceToColumn,
  columnTypeSql,
  compareSqlValues,
  type ColumnType,
} from '../src/index.js';

const col = (type: ColumnType, nullable = true, name = 'c') => ({ name, type, nullable });
const int = (bytes: 1 | 2 | 3 | 4 | 8, unsigned = false): ColumnType => ({ kind: 'int', bytes, unsigned });

describe('integer coercion (strict mode)', () => {
  it('accepts the full range of each width and rejects one past it with 1264', () => {
    const cases: [1 | 2 | 3 | 4, boolean, number, number][] = [
      [1, false, -128, 127],
      [1, true, 0, 255],
      [2, false, -32768, 32767],
      [2, true, 0, 65535],
      [3, false, -8388608, 8388607],
      [3, true, 0, 16777215],
      [4, false, -2147483648, 2147483647],
      [4, true, 0, 4294967295],
    ];
    for (const [bytes, unsigned, min, max] of cases) {
      const c = col(int(bytes, unsigned));
      expect(coerceToColumn(min, c, 1)).toBe(min);
      expect(coerceToColumn(max, c, 1)).toBe(max);
      expect(() => coerceToColumn(min - 1, c, 3)).toThrow(OutOfRangeError);
      expect(() => coerceToColumn(max + 1, c, 3)).toThrow("Out of range value for column 'c' at row 3");
    }
  });

  it('BIGINT values are bigint, signed and unsigned limits exact', () => {
    expect(coerceToColumn(5, col(int(8)), 1)).toBe(5n);
    expect(coerceToColumn('9223372036854775807', col(int(8)), 1)).toBe(9223372036854775807n);
    expect(() => coerceToColumn('9223372036854775808', col(int(8)), 1)).toThrow(OutOfRangeError);
    expect(coerceToColumn('18446744073709551615', col(int(8, true)), 1)).toBe(18446744073709551615n);
    expect(() => coerceToColumn(18446744073709551616n, col(int(8, true)), 1)).toThrow(OutOfRangeError);
    expect(() => coerceToColumn(-1n, col(int(8, true)), 1)).toThrow(OutOfRangeError);
  });

  it('strings: sysbench DEFAULT "0", rounding half away from zero, garbage and empty', () => {
    expect(coerceToColumn('0', col(int(4)), 1)).toBe(0);
    expect(coerceToColumn(' 42 ', col(int(4)), 1)).toBe(42);
    expect(coerceToColumn('2.5', col(int(4)), 1)).toBe(3);
    expect(coerceToColumn(-2.5, col(int(4)), 1)).toBe(-3);
    expect(coerceToColumn('1e3', col(int(4)), 1)).toBe(1000);
    expect(() => coerceToColumn('abc', col(int(4)), 2)).toThrow(IncorrectValueError);
    expect(() => coerceToColumn('abc', col(int(4), true, 'k'), 2)).toThrow("Incorrect integer value: 'abc' for column 'k' at row 2");
    expect(() => coerceToColumn('', col(int(4)), 1)).toThrow(IncorrectValueError);
    expect(() => coerceToColumn('12abc', col(int(4)), 1)).toThrow(DataTruncatedError);
    expect(() => coerceToColumn(Number.POSITIVE_INFINITY, col(int(4)), 1)).toThrow(OutOfRangeError);
  });

  it('errors carry MySQL errno and SQLSTATE', () => {
    const e = (() => {
      try {
        coerceToColumn(300, col(int(1)), 1);
      } catch (error) {
        return error as OutOfRangeError;
      }
      throw new Error('no error');
    })();
    expect([e.errno, e.sqlState, e.code]).toEqual([1264, '22003', 'SQL_OUT_OF_RANGE']);
  });
});

describe('NULL, strings, bytes, doubles', () => {
  it('NULL into NOT NULL is 1048', () => {
    expect(coerceToColumn(null, col(int(4)), 1)).toBeNull();
    const err = (() => {
      try {
        coerceToColumn(null, col(int(4), false, 'id'), 1);
      } catch (error) {
        return error as ColumnNullError;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ColumnNullError);
    expect(err?.message).toBe("Column 'id' cannot be null");
    expect(err?.errno).toBe(1048);
  });

  it('CHAR/VARCHAR count characters, TEXT counts bytes, 1406 past the limit', () => {
    const c120: ColumnType = { kind: 'char', length: 3 };
    expect(coerceToColumn('abc', col(c120), 1)).toBe('abc');
    expect(coerceToColumn('a  ', col(c120), 1)).toBe('a'); // CHAR drops trailing spaces
    expect(coerceToColumn('日本語', col(c120), 1)).toBe('日本語');
    expect(coerceToColumn('😀😀😀', col(c120), 1)).toBe('😀😀😀');
    expect(() => coerceToColumn('abcd', col(c120), 1)).toThrow(DataTooLongError);
    expect(() => coerceToColumn('abcd', col({ kind: 'varchar', length: 3 }), 7)).toThrow("Data too long for column 'c' at row 7");
    expect(coerceToColumn('ab ', col({ kind: 'varchar', length: 3 }), 1)).toBe('ab ');
    const tiny: ColumnType = { kind: 'text', size: 'tiny' };
    expect(coerceToColumn('é'.repeat(127), col(tiny), 1)).toBe('é'.repeat(127));
    expect(() => coerceToColumn('é'.repeat(128), col(tiny), 1)).toThrow(DataTooLongError);
    expect(coerceToColumn(12, col({ kind: 'varchar', length: 5 }), 1)).toBe('12');
    expect(coerceToColumn(12n, col({ kind: 'varchar', length: 5 }), 1)).toBe('12');
    expect(() => coerceToColumn(new Uint8Array([0xff]), col({ kind: 'varchar', length: 5 }), 1)).toThrow(IncorrectValueError);
  });

  it('BINARY pads with zero bytes, BLOB keeps bytes, strings become UTF-8', () => {
    expect(coerceToColumn('ab', col({ kind: 'binary', length: 4 }), 1)).toEqual(new Uint8Array([0x61, 0x62, 0, 0]));
    expect(coerceToColumn(new Uint8Array([1, 2]), col({ kind: 'blob', size: 'normal' }), 1)).toEqual(new Uint8Array([1, 2]));
    expect(() => coerceToColumn(new Uint8Array(256), col({ kind: 'blob', size: 'tiny' }), 1)).toThrow(DataTooLongError);
  });

  it('DOUBLE from numbers and strings; no negative zero; garbage rejected', () => {
    const d = col({ kind: 'double', declaredAs: 'DOUBLE' });
    expect(coerceToColumn('1.5e2', d, 1)).toBe(150);
    expect(coerceToColumn(3n, d, 1)).toBe(3);
    expect(Object.is(coerceToColumn(-0, d, 1), 0)).toBe(true);
    expect(() => coerceToColumn('x', d, 1)).toThrow(IncorrectValueError);
    expect(() => coerceToColumn(Number.NaN, d, 1)).toThrow(OutOfRangeError);
  });
});

describe('DATETIME', () => {
  it('parses the forms MySQL accepts and truncates to the column fsp', () => {
    const dt = (fsp: number) => col({ kind: 'datetime', fsp });
    expect(String(coerceToColumn('2024-02-29 23:59:59.987654', dt(3), 1))).toBe('2024-02-29 23:59:59.987');
    expect(String(coerceToColumn('2024-02-29 23:59:59.987654', dt(0), 1))).toBe('2024-02-29 23:59:59');
    expect(String(coerceToColumn('2024-1-2', dt(0), 1))).toBe('2024-01-02 00:00:00');
    expect(String(coerceToColumn('20240102030405', dt(0), 1))).toBe('2024-01-02 03:04:05');
    expect(String(coerceToColumn(20240102030405, dt(0), 1))).toBe('2024-01-02 03:04:05');
    expect(String(coerceToColumn('0000-00-00 00:00:00', dt(0), 1))).toBe('0000-00-00 00:00:00');
    expect(() => coerceToColumn('2023-02-29', dt(0), 1)).toThrow(IncorrectDatetimeError);
    expect(() => coerceToColumn('2023-13-01', dt(0), 1)).toThrow("Incorrect datetime value: '2023-13-01' for column 'c' at row 1");
    expect(() => coerceToColumn('2023-01-01 24:00:00', dt(0), 1)).toThrow(IncorrectDatetimeError);
  });

  it('packs in order and unpacks to the same value', () => {
    const a = SqlDateTime.parse('1999-12-31 23:59:59.999999')!;
    const b = SqlDateTime.parse('2000-01-01 00:00:00')!;
    expect(a.compare(b)).toBeLessThan(0);
    expect(a.packedDate()).toBeLessThan(b.packedDate());
    const back = SqlDateTime.fromPacked(a.packedDate(), a.packedTime(), a.microsecond, 6)!;
    expect(back.equals(a)).toBe(true);
    expect(back.toString()).toBe('1999-12-31 23:59:59.999999');
    expect(SqlDateTime.fromEpochMs(Date.UTC(2026, 10, 25, 9, 30, 0, 123), 3).toString()).toBe('2026-11-25 09:30:00.123');
  });
});

describe('SQL comparison with MySQL conversions', () => {
  it('NULL is unknown; numbers exact across number/bigint; strings vs numbers as doubles', () => {
    expect(compareSqlValues(null, 1)).toBeNull();
    expect(compareSqlValues(9007199254740993n, 9007199254740992)).toBe(1);
    expect(compareSqlValues(2n, 2.5)).toBe(-1);
    expect(compareSqlValues(3n, 2.5)).toBe(1);
    expect(compareSqlValues(2.5, 2n)).toBe(1);
    expect(compareSqlValues('10', 9)).toBe(1);
    expect(compareSqlValues('10', '9')).toBe(-1);
    expect(compareSqlValues('abc', 0)).toBe(0);
    expect(compareSqlValues('1abc', 1)).toBe(0);
    expect(compareSqlValues('a', 'A')).toBe(1); // binary collation: case matters
    expect(compareSqlValues('\u{10000}', '\uffff')).toBe(1); // code point order, not UTF-16
    expect(compareSqlValues(SqlDateTime.parse('2020-01-01')!, '2020-01-01 00:00:00')).toBe(0);
    expect(compareSqlValues(SqlDateTime.parse('2020-01-01')!, 20200101000001)).toBe(-1);
  });
});

describe('column type names for SHOW CREATE TABLE', () => {
  it('prints MariaDB display widths', () => {
    expect(columnTypeSql(int(4))).toBe('int(11)');
    expect(columnTypeSql(int(8, true))).toBe('bigint(20) unsigned');
    expect(columnTypeSql({ kind: 'char', length: 120 })).toBe('char(120)');
    expect(columnTypeSql({ kind: 'text', size: 'medium' })).toBe('mediumtext');
    expect(columnTypeSql({ kind: 'datetime', fsp: 6 })).toBe('datetime(6)');
  });
});
