import type { TableSchema } from '../catalog/table-schema.js';
import type { ResultColumn } from '../exec/select-query.js';
import type { Expr, SelectStatement } from '../parser/ast.js';
import type { ColumnType } from '../types/column-type.js';
import type { SqlValue } from '../types/sql-value.js';
import type { ResultSetColumn } from './contract.js';

const BIGINT: ColumnType = { kind: 'int', bytes: 8, unsigned: false };
const DOUBLE: ColumnType = { kind: 'double', declaredAs: 'DOUBLE' };
const TEXT: ColumnType = { kind: 'varchar', length: 255 };
const LONG_TEXT: ColumnType = { kind: 'text', size: 'medium' };
const DATETIME: ColumnType = { kind: 'datetime', fsp: 0 };

const INTEGER_FUNCTIONS = new Set(['connection_id', 'last_insert_id', 'length', 'char_length', 'character_length', 'octet_length', 'abs']);
const INTEGER_VARIABLES = new Set([
  'autocommit', 'auto_increment_increment', 'auto_increment_offset', 'max_allowed_packet', 'wait_timeout', 'interactive_timeout', 'net_write_timeout', 'net_read_timeout',
  'lower_case_table_names', 'server_id', 'innodb_lock_wait_timeout', 'lock_wait_timeout', 'sql_auto_is_null', 'net_buffer_length', 'query_cache_size', 'performance_schema',
  'transaction_read_only', 'tx_read_only', 'read_only', 'log_bin', 'sql_log_bin', 'warning_count', 'error_count', 'foreign_key_checks', 'unique_checks', 'group_concat_max_len',
  'max_execution_time', 'gtid_strict_mode', 'gtid_domain_id', 'sql_select_limit', 'last_insert_id',
]);

/** The static type of an expression in a select list (what prepare reports; execute's values are normalized to it). */
export function expressionType(expr: Expr, table: TableSchema | undefined): { type: ColumnType; nullable: boolean } {
  switch (expr.kind) {
    case 'literal': {
      const v = expr.value;
      if (v === null) return { type: TEXT, nullable: true };
      if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) return { type: BIGINT, nullable: false };
      if (typeof v === 'number') return { type: DOUBLE, nullable: false };
      if (typeof v === 'string') return { type: TEXT, nullable: false };
      if (v instanceof Uint8Array) return { type: { kind: 'varbinary', length: 255 }, nullable: false };
      return { type: DATETIME, nullable: false };
    }
    case 'column': {
      const i = table?.findColumn(expr.name) ?? -1;
      const c = i < 0 ? undefined : table!.columns[i];
      return c === undefined ? { type: TEXT, nullable: true } : { type: c.type, nullable: c.nullable };
    }
    case 'aggregate': {
      if (expr.fn === 'COUNT') return { type: BIGINT, nullable: false };
      if (expr.fn === 'AVG') return { type: DOUBLE, nullable: true };
      const arg = expr.arg === undefined ? { type: BIGINT, nullable: true } : expressionType(expr.arg, table);
      if (expr.fn === 'SUM') return { type: arg.type.kind === 'int' ? BIGINT : DOUBLE, nullable: true };
      return { type: arg.type, nullable: true };
    }
    case 'sysvar':
      return { type: INTEGER_VARIABLES.has(expr.name.toLowerCase()) ? BIGINT : TEXT, nullable: true };
    case 'call': {
      const name = expr.name.toLowerCase();
      if (INTEGER_FUNCTIONS.has(name)) return { type: BIGINT, nullable: true };
      if (name === 'now' || name === 'current_timestamp' || name === 'sysdate') return { type: DATETIME, nullable: false };
      return { type: TEXT, nullable: true };
    }
    case 'binary': {
      if (['+', '-', '*', 'DIV', '%'].includes(expr.op)) {
        const l = expressionType(expr.left, table).type;
        const r = expressionType(expr.right, table).type;
        return { type: expr.op !== 'DIV' && (l.kind !== 'int' || r.kind !== 'int') ? DOUBLE : BIGINT, nullable: true };
      }
      if (expr.op === '/') return { type: DOUBLE, nullable: true };
      return { type: BIGINT, nullable: true };
    }
    case 'unary':
      return expr.op === '-' ? expressionType(expr.operand, table) : { type: BIGINT, nullable: true };
    case 'in':
    case 'between':
    case 'isNull':
    case 'like':
      return { type: BIGINT, nullable: true };
    default:
      return { type: LONG_TEXT, nullable: true };
  }
}

/** Result-set column metadata for a compiled SELECT. */
export function selectColumns(statement: SelectStatement, columns: readonly ResultColumn[], table: TableSchema | undefined): ResultSetColumn[] {
  const exprs: (Expr | undefined)[] = [];
  for (const item of statement.items) {
    if (item.star) for (const c of table?.columns ?? []) exprs.push({ kind: 'column', table: undefined, name: c.name });
    else exprs.push(item.expr);
  }
  return columns.map((c, i) => {
    if (c.column !== undefined && table !== undefined) {
      return { name: c.name, table: statement.tableAlias ?? table.name, orgName: c.column.name, database: table.database, type: c.column.type, nullable: c.column.nullable };
    }
    const e = exprs[i];
    const t = e === undefined ? { type: TEXT, nullable: true } : expressionType(e, table);
    return { name: c.name, table: '', orgName: '', database: '', type: t.type, nullable: t.nullable };
  });
}

/** Makes a value match its column's static type (integers as bigint for BIGINT columns, numbers for DOUBLE, text for strings). */
export function normalizeValue(v: SqlValue, type: ColumnType): SqlValue {
  if (v === null) return null;
  switch (type.kind) {
    case 'int':
      if (type.bytes === 8) {
        if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : BigInt(Math.round(v));
        if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
      }
      return v;
    case 'double':
      return typeof v === 'bigint' ? Number(v) : v;
    case 'varchar':
    case 'char':
    case 'text':
      if (typeof v === 'number' || typeof v === 'bigint') return String(v);
      return v;
    default:
      return v;
  }
}
