import type { ColumnType, ResultSetColumn, SqlValue, StatementResult } from '@lockstep/sql';

export const OK: StatementResult = { kind: 'ok', affectedRows: 0n, lastInsertId: 0n, warnings: 0 };

const TEXT: ColumnType = { kind: 'varchar', length: 512 };
const BIGINT_UNSIGNED: ColumnType = { kind: 'int', bytes: 8, unsigned: true };
const INT: ColumnType = { kind: 'int', bytes: 4, unsigned: false };

/** A result column of a server-made result set (no table behind it). */
export function column(name: string, type: 'text' | 'bigint' | 'int', nullable = true): ResultSetColumn {
  return { name, table: '', orgName: name, database: '', type: type === 'text' ? TEXT : type === 'bigint' ? BIGINT_UNSIGNED : INT, nullable };
}

export function rows(columns: readonly ResultSetColumn[], data: readonly (readonly SqlValue[])[]): StatementResult {
  return { kind: 'rows', columns, rows: data };
}
