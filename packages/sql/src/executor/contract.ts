// The contract between the SQL executor and the server (apps/server): what a statement
// returns, how a transaction is made durable (the server's Committer over tc), and the
// statements and variables the server answers itself (ServerHooks).
import type { BinlogEvent, EventInput, Gtid } from '@lockstep/binlog';
import type { LockingMode, Transaction, TransactionDb } from '@lockstep/txn';
import type { ColumnType } from '../types/column-type.js';
import type { SqlValue } from '../types/sql-value.js';
import type { Statement } from '../parser/ast.js';

/** A column of a result set, with what the wire protocol needs for its column definition. */
export interface ResultSetColumn {
  /** Label as the client sees it (alias or expression text). */
  readonly name: string;
  /** '' for expressions. */
  readonly table: string;
  /** Underlying column name or ''. */
  readonly orgName: string;
  /** '' for expressions. */
  readonly database: string;
  /** The SQL layer's column type (the server maps it to a wire type + flags + charset). */
  readonly type: ColumnType;
  readonly nullable: boolean;
}

export type StatementResult =
  | { readonly kind: 'ok'; readonly affectedRows: bigint; readonly lastInsertId: bigint; readonly warnings: number; readonly info?: string }
  | { readonly kind: 'rows'; readonly columns: readonly ResultSetColumn[]; readonly rows: readonly (readonly SqlValue[])[] };

/** What the executor hands the server to make a transaction durable (implemented over @lockstep/tc's BinlogCoordinator). */
export interface CommitRequest {
  /** The txn transaction holding the writes (its branch() is the tc branch). */
  readonly transaction: Transaction;
  /** TABLE_MAP + WRITE/UPDATE/DELETE_ROWS (full images), or one QUERY event for DDL. */
  readonly events: readonly EventInput[];
  readonly ddl: boolean;
  /** The transaction waited for a row lock (GTID FL_WAITED). */
  readonly waited: boolean;
}

export interface Committer {
  /** Resolves once durable and visible; rejects with a typed error (the transaction is then rolled back by the caller). */
  commit(request: CommitRequest): Promise<{ readonly gtid: Gtid }>;
}

/** Statements the engine parses but the server answers (replication, binlog, processlist, KILL, FLUSH). */
export type AdminStatement =
  | Extract<Statement, { readonly kind: 'purgeBinaryLogs' | 'changeMaster' | 'startReplica' | 'stopReplica' | 'resetReplica' | 'resetMaster' | 'kill' | 'flush' }>
  | (Extract<Statement, { readonly kind: 'show' }> & { readonly what: 'processlist' | 'masterStatus' | 'binaryLogs' | 'slaveStatus' });

export interface SessionInfo {
  readonly connectionId: number;
  readonly user: string;
  readonly host: string;
  readonly database: string | undefined;
}

export interface ServerHooks {
  adminStatement(statement: AdminStatement, session: SessionInfo): Promise<StatementResult>;
  /** Global variables the server owns (server_id, log_bin, gtid_binlog_pos, read_only, ...): read and (when settable) written. */
  globalVariable(name: string): SqlValue | undefined;
  /** Throws the MySQL error for unknown / read-only variables. */
  setGlobalVariable(name: string, value: SqlValue): void;
}

export interface SqlEngineOptions {
  /** Over the kv engine. */
  readonly db: TransactionDb;
  readonly committer: Committer;
  readonly hooks: ServerHooks;
  /** 'range' default (MyRocks range locking), 'point' selectable. */
  readonly lockingMode?: LockingMode;
  readonly lockWaitTimeoutMs?: number;
  /** read_only: writes fail with 1290 (there is no SUPER here: every user is bound by it). */
  readonly readOnly?: () => boolean;
}

export interface SessionOpenInfo {
  readonly connectionId: number;
  readonly user: string;
  readonly host: string;
  readonly database?: string;
}

export interface PreparedStatementInfo {
  readonly statementId: number;
  readonly paramCount: number;
  /** The result columns (empty for statements without a result set). */
  readonly columns: readonly ResultSetColumn[];
}

/** Called by redo after applying: the caller commits the transaction (e.g. branch().commitOrdered(end); await branch.commit()). */
export type RedoCommit = (transaction: Transaction) => Promise<void> | void;

/** The shape of `SqlEngine` (class in ./engine.ts). */
export interface SqlEngineApi {
  session(info: SessionOpenInfo): SqlSession;
  /** Recovery redo for tc: applies one binlog transaction's events (row events or DDL) as a new transaction, with no binlog write; `commit` commits it. */
  redo(events: readonly BinlogEvent[], commit: RedoCommit): Promise<void>;
  close(): Promise<void>;
}

/** The shape of `Session` (class in ./session.ts). */
export interface SqlSession {
  readonly info: SessionInfo;
  /** Runs one statement (text protocol). Multi-statements are not supported (1235). */
  execute(sql: string): Promise<StatementResult>;
  prepare(sql: string): PreparedStatementInfo;
  executePrepared(statementId: number, params: readonly SqlValue[]): Promise<StatementResult>;
  closePrepared(statementId: number): void;
  /** Server status flags for OK packets. */
  readonly inTransaction: boolean;
  readonly autocommit: boolean;
  readonly database: string | undefined;
  /** KILL QUERY (true) / KILL CONNECTION (false): rejects a pending lock wait at once (1927). */
  kill(queryOnly: boolean): void;
  /** Rolls back an open transaction, releases everything (connection closed). */
  close(): Promise<void>;
}
