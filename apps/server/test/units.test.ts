import { SqlDateTime, type ResultSetColumn } from '@lockstep/sql';
import { Charset, ColumnFlag, ColumnType } from '@lockstep/wire';
import { describe, expect, it } from 'vitest';
import { parseArguments } from '../src/config/parse-config.js';
import { UsersFileError } from '../src/errors/users-file-error.js';
import { columnDefinition, columnDefinitions, sqlParameter } from '../src/internal/columns.js';
import { queryKind, renderMetrics } from '../src/internal/metrics.js';
import { resolveAccounts } from '../src/users.js';

describe('accounts', () => {
  it('takes NAME:PASSWORD, NAME with --password, and a users file; later definitions win', () => {
    const accounts = resolveAccounts(['root', 'app:s3:cret', 'bench'], 'pw', { name: 'users.txt', text: '# accounts\n\nops:ops-pw\nbench:other\n' });
    expect(accounts).toEqual([
      { user: 'root', password: 'pw' },
      { user: 'app', password: 's3:cret' },
      { user: 'bench', password: 'other' },
      { user: 'ops', password: 'ops-pw' },
    ]);
  });

  it('names the file and line of a malformed entry', () => {
    expect(() => resolveAccounts([], '', { name: 'users.txt', text: 'ok:1\nbroken\n' })).toThrow(UsersFileError);
    expect(() => resolveAccounts([], '', { name: 'users.txt', text: 'ok:1\nbroken\n' })).toThrow('users.txt:2');
    expect(() => resolveAccounts([':x'], '', undefined)).toThrow('empty user name');
  });

  it('--user repeats; flags replace the option file list', () => {
    const file = '[mysqld]\nuser = a:1\nuser = b:2\n';
    expect(parseArguments(['--defaults-file=f'], () => file).config.user).toEqual(['a:1', 'b:2']);
    expect(parseArguments(['--defaults-file=f', '--user=c', '--user', 'd:4'], () => file).config.user).toEqual(['c', 'd:4']);
    expect(parseArguments([], () => '').config.user).toEqual(['root']);
  });
});

describe('column mapping', () => {
  const col = (type: ResultSetColumn['type'], nullable = true): ResultSetColumn => ({ name: 'c', table: 't', orgName: 'c', database: 'd', type, nullable });

  it('maps every SQL type to a wire type, flags and collation', () => {
    expect(columnDefinition(col({ kind: 'int', bytes: 8, unsigned: true }, false))).toMatchObject({ type: ColumnType.LONGLONG, flags: ColumnFlag.NUM | ColumnFlag.UNSIGNED | ColumnFlag.NOT_NULL, characterSet: Charset.BINARY });
    expect(columnDefinition(col({ kind: 'int', bytes: 3, unsigned: false }))).toMatchObject({ type: ColumnType.INT24, flags: ColumnFlag.NUM });
    expect(columnDefinition(col({ kind: 'varchar', length: 10 }))).toMatchObject({ type: ColumnType.VAR_STRING, characterSet: Charset.UTF8MB4_GENERAL_CI, columnLength: 40 });
    expect(columnDefinition(col({ kind: 'char', length: 3 }))).toMatchObject({ type: ColumnType.STRING, characterSet: Charset.UTF8MB4_GENERAL_CI });
    expect(columnDefinition(col({ kind: 'text', size: 'medium' }))).toMatchObject({ type: ColumnType.MEDIUM_BLOB, flags: ColumnFlag.BLOB, characterSet: Charset.UTF8MB4_GENERAL_CI });
    expect(columnDefinition(col({ kind: 'blob', size: 'normal' }))).toMatchObject({ type: ColumnType.BLOB, flags: ColumnFlag.BLOB | ColumnFlag.BINARY, characterSet: Charset.BINARY });
    expect(columnDefinition(col({ kind: 'varbinary', length: 8 }))).toMatchObject({ type: ColumnType.VAR_STRING, flags: ColumnFlag.BINARY, characterSet: Charset.BINARY });
    expect(columnDefinition(col({ kind: 'double', declaredAs: 'DOUBLE' }))).toMatchObject({ type: ColumnType.DOUBLE, decimals: 31 });
    expect(columnDefinition(col({ kind: 'double', declaredAs: 'FLOAT' }))).toMatchObject({ type: ColumnType.FLOAT });
    expect(columnDefinition(col({ kind: 'datetime', fsp: 3 }))).toMatchObject({ type: ColumnType.DATETIME, decimals: 3, columnLength: 23 });
  });

  it('caches definitions per column object and per column list', () => {
    const c = col({ kind: 'int', bytes: 4, unsigned: false });
    const list = [c];
    expect(columnDefinition(c)).toBe(columnDefinition(c));
    expect(columnDefinitions(list)).toBe(columnDefinitions(list));
  });

  it('turns wire parameters into SQL values', () => {
    expect(sqlParameter(true)).toBe(1);
    expect(sqlParameter(5n)).toBe(5n);
    expect(sqlParameter(null)).toBeNull();
    const dt = sqlParameter({ year: 2024, month: 2, day: 29, hour: 1, minute: 2, second: 3, microsecond: 0 });
    expect(dt).toBeInstanceOf(SqlDateTime);
    expect(String(dt)).toBe('2024-02-29 01:02:03');
    expect(sqlParameter({ year: 2023, month: 2, day: 30, hour: 0, minute: 0, second: 0, microsecond: 0 })).toBe('2023-02-30 00:00:00');
    expect(sqlParameter({ negative: true, days: 1, hours: 2, minutes: 3, seconds: 4, microseconds: 0 })).toBe('-26:03:04');
  });
});

describe('metrics', () => {
  it('classifies statements by their first keyword', () => {
    expect(queryKind('  SELECT 1')).toBe('select');
    expect(queryKind('start transaction')).toBe('begin');
    expect(queryKind('insert into t values (1)')).toBe('insert');
    expect(queryKind('(select 1)')).toBe('other');
    expect(queryKind('')).toBe('other');
  });

  it('renders the Prometheus text format with escaped labels', () => {
    const text = renderMetrics([{ name: 'x_total', help: 'X.', type: 'counter', values: [{ labels: { kind: 'a"b' }, value: 3 }, { value: Number.NaN }] }]);
    expect(text).toBe('# HELP x_total X.\n# TYPE x_total counter\nx_total{kind="a\\"b"} 3\nx_total NaN\n');
  });
});
