// The wire protocol's handler: one SQL session per connection, statements mapped both ways.
import { isLockstepError } from '@lockstep/base';
import type { Committer, SqlEngineApi, SqlSession, StatementResult } from '@lockstep/sql';
import { ServerStatus, type PreparedStatement, type PrepareResult, type QueryResult, type WireHandler, type WireSession, type WireValue } from '@lockstep/wire';
import type { Logger } from 'pino';
import { ShutdownError } from '../errors/shutdown-error.js';
import type { BinlogDumpServer } from '../replication/dump-server.js';
import { BinlogStatementRunner, isBinlogStatement } from './binlog-statement.js';
import { columnDefinitions, sqlParameter } from './columns.js';
import type { ConnectionEntry, ConnectionTable } from './connection-table.js';
import { type ServerCounters, queryKind } from './metrics.js';

export interface HandlerContext {
  readonly engine: () => SqlEngineApi;
  /** For BINLOG statements, whose row events are committed as transactions of this server. */
  readonly committer: Committer;
  readonly connections: ConnectionTable;
  readonly counters: ServerCounters;
  readonly logger: Logger;
  /** True once the server stops: new statements get ERR 1053. */
  readonly stopping: () => boolean;
  /** Serves COM_REGISTER_SLAVE / COM_BINLOG_DUMP (and remembers the replica's SET @master_... variables). */
  readonly dumps?: BinlogDumpServer;
}

function statusFlags(session: SqlSession): number {
  return (session.inTransaction ? ServerStatus.IN_TRANS : 0) | (session.autocommit ? ServerStatus.AUTOCOMMIT : 0);
}

function toWire(result: StatementResult): QueryResult {
  if (result.kind === 'ok') {
    // The info text ('Records: 2  Duplicates: 0 ...') is left out: @lockstep/wire writes it as
    // a rest-of-packet string, while libmariadb (mariadb CLI, sysbench) reads a length-encoded
    // one as MariaDB's net_send_ok writes it, and fails with 2027 "malformed packet".
    return { kind: 'ok', affectedRows: result.affectedRows, lastInsertId: result.lastInsertId, warnings: result.warnings };
  }
  // SqlValue is structurally a WireValue (SqlDateTime carries WireDateTime's fields).
  return { kind: 'rows', columns: columnDefinitions(result.columns), rows: result.rows };
}

/** Backquotes a database name for `USE` (COM_INIT_DB). */
function quoteName(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

export function createHandler(context: HandlerContext): WireHandler {
  const { connections, counters, logger } = context;

  /** The connection's entry, made on first use: COM_INIT_DB for CONNECT_WITH_DB runs before `connect`. */
  const entryOf = (ws: WireSession): ConnectionEntry => {
    const existing = ws.state as ConnectionEntry | undefined;
    if (existing !== undefined) return existing;
    if (context.stopping()) throw new ShutdownError();
    const session = context.engine().session({ connectionId: ws.connectionId, user: ws.user, host: ws.remoteAddress, ...(ws.database === undefined ? {} : { database: ws.database }) });
    const entry: ConnectionEntry = { id: ws.connectionId, user: ws.user, host: `${ws.remoteAddress}:${String(ws.remotePort)}`, session, command: 'Sleep', state: '', info: undefined, sinceMs: Date.now(), binlog: undefined, closing: undefined };
    ws.state = entry;
    ws.statusFlags = statusFlags(session);
    connections.add(entry);
    counters.connectionsTotal += 1;
    logger.debug({ connectionId: ws.connectionId, user: ws.user, host: entry.host }, 'connected');
    return entry;
  };

  /** Runs one command of a connection: status flags and database follow the session, failures are counted and unexpected ones logged. */
  const run = async <T>(ws: WireSession, command: ConnectionEntry['command'], info: string, body: (session: SqlSession) => Promise<T> | T): Promise<T> => {
    if (context.stopping()) throw new ShutdownError();
    const entry = entryOf(ws);
    connections.begin(entry, command, info);
    try {
      return await body(entry.session);
    } catch (error) {
      counters.statementErrors += 1;
      if (!isLockstepError(error) || error.errno === undefined) logger.error({ err: error, connectionId: ws.connectionId, sql: info }, 'statement failed with an unexpected error');
      throw error;
    } finally {
      connections.end(entry);
      ws.statusFlags = statusFlags(entry.session);
      ws.database = entry.session.database;
    }
  };

  return {
    connect(ws) {
      if (context.stopping()) throw new ShutdownError();
      entryOf(ws);
    },

    query(ws, sql) {
      counters.countQuery('text', queryKind(sql));
      context.dumps?.capture(ws, sql);
      if (isBinlogStatement(sql)) {
        return run(ws, 'Query', 'BINLOG ...', async (): Promise<QueryResult> => {
          const entry = entryOf(ws);
          entry.binlog ??= new BinlogStatementRunner();
          await entry.binlog.run(sql, context.engine(), context.committer);
          return { kind: 'ok', affectedRows: 0 };
        });
      }
      return run(ws, 'Query', sql, async (session) => toWire(await session.execute(sql)));
    },

    prepare(ws, sql): Promise<PrepareResult> {
      counters.countQuery('prepared', 'other');
      return run(ws, 'Prepare', sql, (session) => {
        const prepared = session.prepare(sql);
        return { params: prepared.paramCount, columns: columnDefinitions(prepared.columns), state: prepared.statementId };
      });
    },

    execute(ws, statement: PreparedStatement, params: readonly WireValue[]) {
      counters.countQuery('prepared', queryKind(statement.sql));
      return run(ws, 'Execute', statement.sql, async (session) => toWire(await session.executePrepared(statement.state as number, params.map(sqlParameter))));
    },

    closeStatement(ws, statement) {
      const entry = ws.state as ConnectionEntry | undefined;
      entry?.session.closePrepared(statement.state as number);
    },

    initDb(ws, database) {
      return run(ws, 'Query', `USE ${quoteName(database)}`, async (session) => {
        await session.execute(`USE ${quoteName(database)}`);
      });
    },

    registerSlave(ws, request) {
      if (context.dumps === undefined) throw new ShutdownError();
      context.dumps.registerSlave(ws, request);
    },

    async binlogDump(ws, request, sink) {
      if (context.dumps === undefined || context.stopping()) throw new ShutdownError();
      const entry = entryOf(ws);
      entry.command = 'Binlog Dump';
      entry.state = 'Master has sent all binlog to slave; waiting for more updates';
      entry.sinceMs = Date.now();
      try {
        await context.dumps.dump(ws, request, sink);
      } finally {
        entry.command = 'Sleep';
        entry.state = '';
      }
    },

    disconnect(ws) {
      context.dumps?.disconnect(ws);
      const entry = ws.state as ConnectionEntry | undefined;
      if (entry === undefined) return;
      connections.remove(entry.id);
      if (entry.closing === undefined) {
        const closing = entry.session.close().catch((error: unknown) => {
          logger.warn({ err: error, connectionId: entry.id }, 'closing a session failed');
        });
        entry.closing = closing;
        connections.closing.add(closing);
        void closing.finally(() => connections.closing.delete(closing));
      }
      logger.debug({ connectionId: entry.id }, 'disconnected');
    },
  };
}
