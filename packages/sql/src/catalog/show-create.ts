import { columnTypeSql } from '../types/column-type.js';
import { formatNumber } from '../types/coerce.js';
import { SqlDateTime } from '../types/datetime.js';
import type { SqlValue } from '../types/sql-value.js';
import { utf8DecodeStrict } from '../types/sql-value.js';
import type { ColumnDef, IndexDef, TableSchema } from './table-schema.js';

/** `name` with backticks, a backtick inside doubled (MySQL's quoting). */
export function quoteIdentifier(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

/** A string literal as MySQL prints it: single quotes, ' doubled, backslash escaped. */
export function quoteString(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

/** A value as an SQL literal (for DEFAULT clauses). */
export function sqlLiteral(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return quoteString(value);
  if (value instanceof SqlDateTime) return quoteString(value.toString());
  const text = utf8DecodeStrict(value);
  if (text !== undefined && !text.includes('\u0000')) return quoteString(text);
  return `0x${Buffer.from(value).toString('hex')}`;
}

function columnSql(c: ColumnDef): string {
  let s = `  ${quoteIdentifier(c.name)} ${columnTypeSql(c.type)}`;
  if (!c.nullable) s += ' NOT NULL';
  if (c.autoIncrement) s += ' AUTO_INCREMENT';
  const d = c.default;
  if (d.kind === 'value') s += ` DEFAULT ${sqlLiteral(d.value)}`;
  else if (d.kind === 'currentTimestamp') s += ` DEFAULT current_timestamp(${c.type.kind === 'datetime' && c.type.fsp > 0 ? c.type.fsp : ''})`;
  else if (c.nullable && !c.autoIncrement) s += ' DEFAULT NULL';
  if (c.comment !== undefined) s += ` COMMENT ${quoteString(c.comment)}`;
  return s;
}

function keyColumnsSql(table: TableSchema, ix: IndexDef): string {
  return ix.columns.map((p) => quoteIdentifier(table.columns[p]!.name)).join(',');
}

/**
 * SHOW CREATE TABLE text, MariaDB style. The engine is shown as Lockstep and the collation
 * as utf8mb4_bin (what comparisons actually do). The hidden primary key is not shown.
 */
export function showCreateTable(table: TableSchema): string {
  const lines = table.columns.map(columnSql);
  if (!table.def.hiddenPrimaryKey) lines.push(`  PRIMARY KEY (${keyColumnsSql(table, table.def.primaryKey)})`);
  for (const ix of table.def.secondaryIndexes) lines.push(`  ${ix.unique ? 'UNIQUE KEY' : 'KEY'} ${quoteIdentifier(ix.name)} (${keyColumnsSql(table, ix)})`);
  let tail = ') ENGINE=Lockstep';
  if (table.autoIncrementColumn >= 0 && table.counters.autoIncrement > 1n) tail += ` AUTO_INCREMENT=${table.counters.autoIncrement}`;
  tail += ' DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin';
  if (table.def.comment !== undefined) tail += ` COMMENT=${quoteString(table.def.comment)}`;
  return `CREATE TABLE ${quoteIdentifier(table.name)} (\n${lines.join(',\n')}\n${tail}`;
}
