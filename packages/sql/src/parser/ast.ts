import type { ColumnType } from '../types/column-type.js';
import type { SqlValue } from '../types/sql-value.js';

/**
 * Lockstep's own statement AST. The parser front end turns node-sql-parser's output (and
 * the recognizer's matches) into these types; nothing from node-sql-parser leaves the
 * parser module. Every node is plain data, safe to share between executions (statements
 * are cached): never mutate one.
 */

export interface TableName {
  /** undefined: the session's current database. */
  readonly database: string | undefined;
  readonly name: string;
}

export type BinaryOperator =
  | '+'
  | '-'
  | '*'
  | '/'
  | 'DIV'
  | '%'
  | '='
  | '<=>'
  | '<>'
  | '<'
  | '<='
  | '>'
  | '>='
  | 'AND'
  | 'OR'
  | 'XOR';

export type AggregateFunction = 'COUNT' | 'SUM' | 'MIN' | 'MAX' | 'AVG';

export type Expr =
  | { readonly kind: 'literal'; readonly value: SqlValue }
  /** A `?` placeholder; `index` counts placeholders from 0 in text order. */
  | { readonly kind: 'param'; readonly index: number }
  | { readonly kind: 'column'; readonly table: string | undefined; readonly name: string }
  | { readonly kind: 'sysvar'; readonly scope: 'global' | 'session' | undefined; readonly name: string }
  | { readonly kind: 'uservar'; readonly name: string }
  | { readonly kind: 'unary'; readonly op: '-' | 'NOT' | '~'; readonly operand: Expr }
  | { readonly kind: 'binary'; readonly op: BinaryOperator; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'in'; readonly operand: Expr; readonly list: readonly Expr[]; readonly negated: boolean }
  | { readonly kind: 'between'; readonly operand: Expr; readonly low: Expr; readonly high: Expr; readonly negated: boolean }
  | { readonly kind: 'isNull'; readonly operand: Expr; readonly negated: boolean }
  | { readonly kind: 'like'; readonly operand: Expr; readonly pattern: Expr; readonly escape: Expr | undefined; readonly negated: boolean }
  /** A scalar function, name upper-cased. */
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Expr[] }
  /** `arg` undefined means COUNT(*). */
  | { readonly kind: 'aggregate'; readonly fn: AggregateFunction; readonly arg: Expr | undefined; readonly distinct: boolean }
  /** VALUES(col) inside ON DUPLICATE KEY UPDATE. */
  | { readonly kind: 'insertedValue'; readonly column: string }
  /** DEFAULT in an INSERT value list or UPDATE SET. */
  | { readonly kind: 'default' };

export interface SelectItem {
  /** undefined with `star`: `*` or `t.*`. */
  readonly expr: Expr | undefined;
  readonly star: boolean;
  readonly alias: string | undefined;
  /** The text MySQL shows as the column name when there is no alias. */
  readonly label: string;
}

export interface OrderByItem {
  readonly expr: Expr;
  readonly descending: boolean;
}

export interface Limit {
  readonly count: Expr;
  readonly offset: Expr | undefined;
}

export interface Assignment {
  readonly column: string;
  readonly value: Expr;
}

export type ColumnDefault =
  | { readonly kind: 'none' }
  | { readonly kind: 'null' }
  | { readonly kind: 'value'; readonly value: SqlValue }
  | { readonly kind: 'currentTimestamp' };

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  /** undefined: not said (nullable unless part of the primary key). */
  readonly nullable: boolean | undefined;
  readonly default: ColumnDefault;
  readonly autoIncrement: boolean;
  readonly primaryKey: boolean;
  readonly unique: boolean;
  readonly comment: string | undefined;
}

export interface IndexSpec {
  /** undefined: named after its first column, as MySQL does. */
  readonly name: string | undefined;
  readonly columns: readonly string[];
  readonly unique: boolean;
}

export interface CreateTableStatement {
  readonly kind: 'createTable';
  readonly table: TableName;
  readonly ifNotExists: boolean;
  readonly columns: readonly ColumnSpec[];
  readonly primaryKey: readonly string[] | undefined;
  readonly indexes: readonly IndexSpec[];
  readonly engine: string | undefined;
  readonly comment: string | undefined;
}

export type LockMode = 'none' | 'forUpdate' | 'shared';

export interface SelectStatement {
  readonly kind: 'select';
  readonly distinct: boolean;
  readonly items: readonly SelectItem[];
  readonly from: TableName | undefined;
  readonly tableAlias: string | undefined;
  readonly where: Expr | undefined;
  readonly groupBy: readonly Expr[];
  readonly having: Expr | undefined;
  readonly orderBy: readonly OrderByItem[];
  readonly limit: Limit | undefined;
  readonly lock: LockMode;
}

export type ShowKind =
  | 'databases'
  | 'tables'
  | 'variables'
  | 'status'
  | 'processlist'
  | 'masterStatus'
  | 'binaryLogs'
  | 'slaveStatus'
  | 'warnings'
  | 'errors'
  | 'engines'
  | 'collation'
  | 'characterSet'
  | 'columns'
  | 'indexes';

export type Statement =
  | { readonly kind: 'createDatabase'; readonly name: string; readonly ifNotExists: boolean }
  | { readonly kind: 'dropDatabase'; readonly name: string; readonly ifExists: boolean }
  | CreateTableStatement
  | { readonly kind: 'dropTable'; readonly tables: readonly TableName[]; readonly ifExists: boolean }
  | { readonly kind: 'createIndex'; readonly table: TableName; readonly index: IndexSpec }
  | {
      readonly kind: 'insert';
      readonly table: TableName;
      /** undefined: all columns in table order. */
      readonly columns: readonly string[] | undefined;
      readonly rows: readonly (readonly Expr[])[];
      /** REPLACE INTO: delete the conflicting rows first. */
      readonly replace: boolean;
      readonly ignore: boolean;
      readonly onDuplicateKeyUpdate: readonly Assignment[] | undefined;
    }
  | {
      readonly kind: 'update';
      readonly table: TableName;
      readonly assignments: readonly Assignment[];
      readonly where: Expr | undefined;
      readonly orderBy: readonly OrderByItem[];
      readonly limit: Limit | undefined;
    }
  | { readonly kind: 'delete'; readonly table: TableName; readonly where: Expr | undefined; readonly orderBy: readonly OrderByItem[]; readonly limit: Limit | undefined }
  | SelectStatement
  | { readonly kind: 'begin'; readonly readOnly: boolean; readonly consistentSnapshot: boolean }
  | { readonly kind: 'commit' }
  | { readonly kind: 'rollback' }
  | { readonly kind: 'set'; readonly assignments: readonly SetAssignment[] }
  | { readonly kind: 'setNames'; readonly charset: string; readonly collation: string | undefined }
  | { readonly kind: 'use'; readonly database: string }
  | { readonly kind: 'show'; readonly what: ShowKind; readonly like: string | undefined; readonly full: boolean; readonly scope: 'global' | 'session' | undefined; readonly from: string | undefined }
  | { readonly kind: 'showCreateTable'; readonly table: TableName }
  | { readonly kind: 'showCreateDatabase'; readonly name: string }
  | { readonly kind: 'purgeBinaryLogs'; readonly to: string | undefined; readonly before: string | undefined }
  | { readonly kind: 'changeMaster'; readonly options: ReadonlyMap<string, string | number> }
  | { readonly kind: 'startReplica'; readonly thread: 'io' | 'sql' | undefined }
  | { readonly kind: 'stopReplica'; readonly thread: 'io' | 'sql' | undefined }
  | { readonly kind: 'resetReplica'; readonly all: boolean }
  | { readonly kind: 'resetMaster' }
  | { readonly kind: 'kill'; readonly query: boolean; readonly connectionId: number }
  | { readonly kind: 'flush'; readonly what: string }
  | { readonly kind: 'doNothing'; readonly reason: string };

export type SetAssignment =
  | { readonly target: 'system'; readonly scope: 'global' | 'session'; readonly name: string; readonly value: Expr }
  | { readonly target: 'user'; readonly name: string; readonly value: Expr };

export type StatementKind = Statement['kind'];

/** A parsed statement with how many `?` placeholders it has (bind by index 0..n-1). */
export interface ParsedStatement {
  readonly statement: Statement;
  readonly paramCount: number;
}
