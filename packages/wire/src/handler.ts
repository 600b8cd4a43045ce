import type { BinlogDumpRequest, RegisterSlaveRequest } from './codec/commands.js';
import type { ColumnDefinition } from './codec/messages.js';
import type { WireValue } from './codec/values.js';

/**
 * What the server knows about one client connection. The handler may change `database`,
 * `statusFlags` (e.g. set IN_TRANS while a transaction is open; the server sends them in
 * every OK/EOF) and `state` (its own per-connection data).
 */
export interface WireSession {
  readonly connectionId: number;
  readonly user: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Capabilities both sides agreed on (`Capability` bits). */
  readonly capabilities: number;
  readonly characterSet: number;
  readonly attributes: ReadonlyMap<string, string>;
  /** Aborted when the connection closes (for long-running handlers such as binlog dumps). */
  readonly signal: AbortSignal;
  database: string | undefined;
  statusFlags: number;
  /** Whether COM_SET_OPTION turned multi-statements on. */
  multiStatements: boolean;
  /** Free for the handler: the SQL layer's per-connection state. */
  state: unknown;
}

/** A statement that changed (or did not change) rows. */
export interface OkResult {
  readonly kind: 'ok';
  readonly affectedRows?: number | bigint;
  readonly lastInsertId?: number | bigint;
  readonly warnings?: number;
  readonly info?: string;
}

/**
 * A result set: the same shape for text (COM_QUERY) and binary (COM_STMT_EXECUTE)
 * results; the server picks the encoding. `rows` is an array (written at once) or an
 * async iterable (streamed: written in ~64 KiB chunks as the socket drains, so a large
 * result is never held whole; an error thrown by the iterator reaches the client as ERR
 * in place of the next row).
 */
export interface RowsResult {
  readonly kind: 'rows';
  readonly columns: readonly ColumnDefinition[];
  readonly rows: readonly (readonly WireValue[])[] | AsyncIterable<readonly WireValue[]>;
  readonly warnings?: number;
}

export type QueryResult = OkResult | RowsResult;

/** What `prepare` returns: parameter definitions (or just their count) and result columns. */
export interface PrepareResult {
  readonly params: readonly ColumnDefinition[] | number;
  readonly columns: readonly ColumnDefinition[];
  /** Anything the handler wants back at execute time (a parsed plan, say). */
  readonly state?: unknown;
}

/** A prepared statement as the server tracks it. */
export interface PreparedStatement {
  readonly id: number;
  readonly sql: string;
  readonly paramCount: number;
  readonly columns: readonly ColumnDefinition[];
  readonly state: unknown;
}

/**
 * The channel a binlog dump writes to. `send` frames one event (header included, no
 * leading OK byte: the server adds the 0x00) and resolves once the socket can take more,
 * so a fast primary cannot buffer without bound for a slow replica. It rejects with
 * ConnectionClosedError when the replica has gone.
 */
export interface BinlogEventSink {
  send(event: Uint8Array): Promise<void>;
  readonly signal: AbortSignal;
}

type MaybePromise<T> = T | Promise<T>;

/**
 * The server's upper half: one method per command, each returning a typed result or
 * throwing. A thrown error with a numeric `errno` (every LockstepError that has one) is
 * sent as ERR with that errno, `sqlState` and message; anything else as 1105 HY000.
 * Errors from a handler never close the connection. Commands on one connection are
 * handled one at a time, in order; different connections run concurrently.
 * Optional methods that are absent answer ER_UNKNOWN_COM_ERROR (1047), except where noted.
 */
export interface WireHandler {
  /** After successful authentication; throwing refuses the connection with that error. */
  connect?(session: WireSession): MaybePromise<void>;
  /** COM_QUERY. Several results (multi-statements) are sent with MORE_RESULTS_EXISTS. */
  query(session: WireSession, sql: string): MaybePromise<QueryResult | readonly QueryResult[]>;
  /**
   * COM_STMT_PREPARE. The columns given here must be the ones `execute` returns:
   * libmysqlclient / libmariadb (the mariadb CLI, sysbench) trust the prepare-time column
   * count, and a statement prepared with no columns that then returns rows leaves them
   * "out of sync" (error 2014). mysql2 is more forgiving.
   */
  prepare?(session: WireSession, sql: string): MaybePromise<PrepareResult>;
  /** COM_STMT_EXECUTE with decoded parameters (see WireValue). */
  execute?(session: WireSession, statement: PreparedStatement, params: readonly WireValue[]): MaybePromise<QueryResult>;
  /** COM_STMT_CLOSE (no answer is sent whatever happens). Default: nothing. */
  closeStatement?(session: WireSession, statement: PreparedStatement): void;
  /** COM_INIT_DB (and CONNECT_WITH_DB at login). Default: accept any name. */
  initDb?(session: WireSession, database: string): MaybePromise<void>;
  /** COM_REGISTER_SLAVE. */
  registerSlave?(session: WireSession, request: RegisterSlaveRequest): MaybePromise<void>;
  /**
   * COM_BINLOG_DUMP / COM_BINLOG_DUMP_GTID: stream events into `sink` until done (or
   * `sink.signal` aborts). When it resolves the server sends EOF (what a NON_BLOCK dump
   * ends with); when it throws, ERR (use errno 1236 for "cannot read the binlog").
   */
  binlogDump?(session: WireSession, request: BinlogDumpRequest, sink: BinlogEventSink): Promise<void>;
  /** COM_STATISTICS text. Default: uptime, threads, questions. */
  statistics?(session: WireSession): string;
  /** Called once when a connection that passed authentication closes. */
  disconnect?(session: WireSession): void;
}
