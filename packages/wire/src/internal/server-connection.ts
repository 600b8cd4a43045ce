import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { type Clock, LockstepError, type TimerHandle } from '@lockstep/base';
import { verifyNativePassword } from '../codec/auth.js';
import {
  type ParameterType,
  readBinlogDump,
  readBinlogDumpGtid,
  readRegisterSlave,
  readStmtExecuteHeader,
  readStmtExecuteParams,
} from '../codec/commands.js';
import { readHandshakeResponse, writeAuthSwitchRequest, writeHandshakeV10, type HandshakeResponse } from '../codec/handshake.js';
import {
  type ColumnDefinition,
  writeBinaryRow,
  writeColumnCount,
  writeColumnDefinition,
  writeEof,
  writeErr,
  writeOk,
  writePrepareOk,
  writeTextRow,
} from '../codec/messages.js';
import { PacketFramer } from '../codec/packet-framer.js';
import { PacketReader } from '../codec/packet-reader.js';
import { PacketWriter } from '../codec/packet-writer.js';
import type { WireValue } from '../codec/values.js';
import { Capability, Charset, ColumnType, Command, ErrorCode, NATIVE_PASSWORD_PLUGIN, ServerStatus } from '../constants.js';
import { AccessDeniedError } from '../errors/access-denied-error.js';
import { ConnectionClosedError } from '../errors/connection-closed-error.js';
import { HandshakeError } from '../errors/handshake-error.js';
import { MalformedPacketError } from '../errors/malformed-packet-error.js';
import { PacketTooLargeError } from '../errors/packet-too-large-error.js';
import { PacketsOutOfOrderError } from '../errors/packets-out-of-order-error.js';
import { NoSuchThreadError } from '../errors/no-such-thread-error.js';
import { TooManyStatementsError } from '../errors/too-many-statements-error.js';
import { UnknownCommandError } from '../errors/unknown-command-error.js';
import { UnknownStatementError } from '../errors/unknown-statement-error.js';
import { UnsupportedAuthPluginError } from '../errors/unsupported-auth-plugin-error.js';
import { WireTimeoutError } from '../errors/wire-timeout-error.js';
import type { BinlogEventSink, PreparedStatement, PrepareResult, QueryResult, WireHandler, WireSession } from '../handler.js';
import type { WireLimits } from '../limits.js';
import type { ResolvedUser } from '../users.js';

/** What a connection needs from its server. */
export interface ConnectionHost {
  readonly handler: WireHandler;
  readonly limits: WireLimits;
  readonly lookupUser: (name: string) => ResolvedUser | undefined;
  readonly serverVersion: string;
  readonly capabilities: number;
  readonly clock: Clock;
  statistics(): string;
  /** Closes connection `id`; false when there is none. */
  kill(id: number): boolean;
  countQuestion(): void;
  closed(connection: ServerConnection): void;
  aborted(connectionId: number, error: unknown): void;
}

type Phase = 'handshake' | 'auth-switch' | 'command' | 'closing' | 'closed';

/** A command packet and the sequence id its answer starts with (1, or more after a split packet). */
interface QueuedCommand {
  readonly payload: Buffer;
  readonly replySeq: number;
}

interface StatementState extends PreparedStatement {
  types: readonly ParameterType[] | undefined;
  longData: Map<number, Buffer> | undefined;
  longDataBytes: number;
}

const CLOSE_GRACE_MS = 2_000;
const UNKNOWN_USER_HASH = new Uint8Array(20).fill(0x5a);
/** Streamed rows leave in chunks of about this many bytes. */
const STREAM_FLUSH_BYTES = 64 * 1024;

/** A scramble of 20 bytes in 1..127 (no NUL, as MySQL's are), so it survives NUL-terminated framing. */
function makeScramble(): Buffer {
  const bytes = randomBytes(20);
  for (let i = 0; i < 20; i++) bytes[i] = (bytes[i]! % 127) + 1;
  return bytes;
}

function errorFields(error: unknown): { errno: number; sqlState: string; message: string } {
  if (error instanceof LockstepError && error.errno !== undefined) {
    return { errno: error.errno, sqlState: error.sqlState ?? 'HY000', message: error.message };
  }
  if (typeof error === 'object' && error !== null) {
    const e = error as { errno?: unknown; sqlState?: unknown; message?: unknown };
    const message = typeof e.message === 'string' ? e.message : Object.prototype.toString.call(error);
    if (typeof e.errno === 'number' && e.errno >= 1000 && e.errno < 65536) {
      return { errno: e.errno, sqlState: typeof e.sqlState === 'string' ? e.sqlState : 'HY000', message };
    }
    return { errno: ErrorCode.ER_UNKNOWN_ERROR, sqlState: 'HY000', message };
  }
  return { errno: ErrorCode.ER_UNKNOWN_ERROR, sqlState: 'HY000', message: String(error) };
}

/**
 * One client connection: the server side of the protocol's state machine.
 *
 *   handshake ──response──► (auth-switch ──switch response──►) command ──quit/error──► closing ──► closed
 *
 * Invariants:
 * - Commands run one at a time in arrival order (`#busy`); packets arriving meanwhile wait
 *   in `#queue`, at most `maxQueuedCommands` of them.
 * - In the command phase every client packet starts a command and must carry sequence id 0.
 * - A protocol violation (bad framing, bad sequence, malformed packet, oversized packet,
 *   bad handshake) sends one ERR where the protocol allows and closes this connection
 *   only; a handler error sends ERR and the connection goes on.
 */
export class ServerConnection {
  readonly id: number;
  readonly #socket: Socket;
  readonly #host: ConnectionHost;
  readonly #framer: PacketFramer;
  readonly #writer = new PacketWriter(4096);
  readonly #scramble = makeScramble();
  readonly #abort = new AbortController();
  readonly #startedMs: number;
  #phase: Phase = 'handshake';
  #expectSeq = 1;
  #busy = false;
  #queue: QueuedCommand[] = [];
  #lastActivityMs: number;
  #response: HandshakeResponse | undefined;
  #session: WireSession | undefined;
  #statements = new Map<number, StatementState>();
  #nextStatementId = 1;
  #closeTimer: TimerHandle | undefined;
  #drainWaiters: (() => void)[] = [];
  /** Sequence id after the last packet flushed during the current command (undefined: none flushed yet). */
  #seqAfterFlush: number | undefined;

  constructor(id: number, socket: Socket, host: ConnectionHost) {
    this.id = id;
    this.#socket = socket;
    this.#host = host;
    this.#startedMs = host.clock.now();
    this.#lastActivityMs = this.#startedMs;
    this.#framer = new PacketFramer(host.limits.maxPacketBytes, (payload, seq, lastSeq) => {
      this.#onPacket(payload, seq, lastSeq);
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#onData(chunk);
    });
    socket.on('drain', () => {
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const w of waiters) w();
    });
    socket.on('error', () => {
      // The peer reset or the write failed: 'close' follows and cleans up.
    });
    socket.on('close', () => {
      this.#onClose();
    });
  }

  get phase(): Phase {
    return this.#phase;
  }

  get session(): WireSession | undefined {
    return this.#session;
  }

  /** Refuses the connection at once (ERR as the first packet, sequence id 0). */
  refuse(error: LockstepError): void {
    this.#host.aborted(this.id, error);
    this.#writer.reset(0);
    const f = errorFields(error);
    writeErr(this.#writer, f.errno, f.sqlState, f.message);
    this.#closeAfterWrite();
  }

  /** Sends the initial handshake packet. */
  start(): void {
    this.#writer.reset(0);
    writeHandshakeV10(this.#writer, {
      serverVersion: this.#host.serverVersion,
      connectionId: this.id,
      authPluginData: this.#scramble,
      capabilities: this.#host.capabilities,
      characterSet: Charset.UTF8MB4_GENERAL_CI,
      statusFlags: ServerStatus.AUTOCOMMIT,
      authPluginName: NATIVE_PASSWORD_PLUGIN,
    });
    this.#flush();
  }

  /** Closes the connection if a handshake or idle deadline has passed. Called by the server's sweeper. */
  checkTimeouts(nowMs: number): void {
    const limits = this.#host.limits;
    if (this.#phase === 'handshake' || this.#phase === 'auth-switch') {
      if (nowMs - this.#startedMs >= limits.handshakeTimeoutMs) {
        this.#fatal(new WireTimeoutError('handshake', limits.handshakeTimeoutMs), this.#expectSeq);
      }
    } else if (this.#phase === 'command' && !this.#busy && this.#queue.length === 0) {
      if (nowMs - this.#lastActivityMs >= limits.idleTimeoutMs) {
        this.#fatal(new WireTimeoutError('wait_timeout (idle)', limits.idleTimeoutMs), 1);
      }
    }
  }

  /** Closes the connection now (KILL, server shutdown). */
  destroy(): void {
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    if (this.#phase === 'closing' || this.#phase === 'closed') return;
    this.#lastActivityMs = this.#host.clock.now();
    try {
      this.#framer.push(chunk);
    } catch (error) {
      const seq = this.#phase === 'command' ? 1 : this.#expectSeq;
      if (error instanceof PacketTooLargeError || error instanceof PacketsOutOfOrderError) this.#fatal(error, seq);
      else this.#fatal(new MalformedPacketError(error instanceof Error ? error.message : String(error)), seq);
    }
  }

  #onPacket(payload: Buffer, seq: number, lastSeq: number): void {
    switch (this.#phase) {
      case 'handshake':
      case 'auth-switch':
        if (seq !== this.#expectSeq) {
          this.#fatal(new PacketsOutOfOrderError(this.#expectSeq, seq), (seq + 1) & 0xff);
          return;
        }
        if (this.#busy) {
          this.#fatal(new HandshakeError('packet sent before the previous handshake step was answered'), (seq + 1) & 0xff);
          return;
        }
        this.#runHandshakeStep(payload, lastSeq);
        return;
      case 'command':
        if (seq !== 0) {
          this.#fatal(new PacketsOutOfOrderError(0, seq), (seq + 1) & 0xff);
          return;
        }
        if (this.#busy) {
          if (this.#queue.length >= this.#host.limits.maxQueuedCommands) {
            this.#fatal(new MalformedPacketError(`more than ${this.#host.limits.maxQueuedCommands} commands sent ahead of their answers`), 1);
            return;
          }
          this.#queue.push({ payload, replySeq: (lastSeq + 1) & 0xff });
          return;
        }
        this.#runCommands({ payload, replySeq: (lastSeq + 1) & 0xff });
        return;
      default:
        return;
    }
  }

  // ---- connection phase -------------------------------------------------------------

  #runHandshakeStep(payload: Buffer, seq: number): void {
    this.#busy = true;
    this.#handshakeStep(payload, seq)
      .catch((error: unknown) => {
        // Errors with an errno (ours, or a handler's: 1049 unknown database) go out as they are.
        const hasErrno = typeof (error as { errno?: unknown } | null)?.errno === 'number';
        this.#fatal(hasErrno ? error : new HandshakeError(error instanceof Error ? error.message : String(error), error), (seq + 1) & 0xff);
      })
      .finally(() => {
        this.#busy = false;
      });
  }

  async #handshakeStep(payload: Buffer, seq: number): Promise<void> {
    let token: Buffer;
    if (this.#phase === 'handshake') {
      let response: HandshakeResponse;
      try {
        response = readHandshakeResponse(payload, this.#host.capabilities);
      } catch (error) {
        if (error instanceof HandshakeError) throw error;
        throw new HandshakeError(error instanceof Error ? error.message : String(error), error);
      }
      this.#response = response;
      const clientPlugin = response.authPluginName ?? NATIVE_PASSWORD_PLUGIN;
      if (clientPlugin !== NATIVE_PASSWORD_PLUGIN) {
        if ((response.capabilities & Capability.PLUGIN_AUTH) === 0) {
          throw new UnsupportedAuthPluginError(clientPlugin, 'the client cannot switch to mysql_native_password');
        }
        // Ask the client to answer our scramble with mysql_native_password instead.
        this.#phase = 'auth-switch';
        this.#expectSeq = (seq + 2) & 0xff;
        this.#writer.reset((seq + 1) & 0xff);
        writeAuthSwitchRequest(this.#writer, NATIVE_PASSWORD_PLUGIN, this.#scramble);
        this.#flush();
        return;
      }
      token = Buffer.from(response.authResponse);
    } else {
      token = payload;
    }
    const response = this.#response!;
    const host = this.#socket.remoteAddress ?? 'unknown';
    const account = this.#host.lookupUser(response.user);
    if (account === undefined) {
      // Same work as for a known user, so timing does not tell which user names exist.
      verifyNativePassword(token, this.#scramble, UNKNOWN_USER_HASH);
      throw new AccessDeniedError(response.user, host, token.length > 0);
    }
    if (account.plugin !== NATIVE_PASSWORD_PLUGIN) {
      throw new UnsupportedAuthPluginError(account.plugin, `account '${response.user}' requires it`);
    }
    if (!verifyNativePassword(token, this.#scramble, account.hash)) throw new AccessDeniedError(response.user, host, token.length > 0);

    const session: WireSession = {
      connectionId: this.id,
      user: response.user,
      remoteAddress: host,
      remotePort: this.#socket.remotePort ?? 0,
      capabilities: response.capabilities,
      characterSet: response.characterSet,
      attributes: response.attributes,
      signal: this.#abort.signal,
      database: undefined,
      statusFlags: ServerStatus.AUTOCOMMIT,
      multiStatements: (response.capabilities & Capability.MULTI_STATEMENTS) !== 0,
      state: undefined,
    };
    const handler = this.#host.handler;
    if (response.database !== undefined && response.database !== '') {
      if (handler.initDb !== undefined) await handler.initDb(session, response.database);
      session.database = response.database;
    }
    if (handler.connect !== undefined) await handler.connect(session);
    if (this.#phase !== 'handshake' && this.#phase !== 'auth-switch') return; // closed meanwhile
    this.#session = session;
    this.#phase = 'command';
    this.#lastActivityMs = this.#host.clock.now();
    this.#writer.reset((seq + 1) & 0xff);
    writeOk(this.#writer, { statusFlags: session.statusFlags });
    this.#flush();
  }

  // ---- command phase ----------------------------------------------------------------

  /**
   * Runs commands until the queue is empty. Commands whose handler answers synchronously
   * are answered synchronously (no promise, no microtask: the hot path); a handler that
   * returns a promise suspends the loop until it settles.
   */
  #runCommands(first: QueuedCommand): void {
    this.#busy = true;
    let next: QueuedCommand | undefined = first;
    while (next !== undefined) {
      let pending: Promise<void> | undefined;
      try {
        pending = this.#command(next.payload, next.replySeq);
      } catch (error) {
        this.#protocolViolation(error);
        return;
      }
      if (pending !== undefined) {
        pending.then(
          () => {
            this.#afterCommand();
          },
          (error: unknown) => {
            this.#protocolViolation(error);
          },
        );
        return;
      }
      if (this.#phase !== 'command') break;
      this.#lastActivityMs = this.#host.clock.now();
      next = this.#queue.shift();
    }
    this.#busy = false;
  }

  #afterCommand(): void {
    this.#busy = false;
    if (this.#phase !== 'command') return;
    this.#lastActivityMs = this.#host.clock.now();
    const next = this.#queue.shift();
    if (next !== undefined) this.#runCommands(next);
  }

  /** Only protocol violations get here; handler errors were answered with ERR. */
  #protocolViolation(error: unknown): void {
    const fatal = error instanceof LockstepError ? error : new MalformedPacketError(String(error));
    this.#fatal(fatal, this.#writer.sequenceId);
  }

  /**
   * Runs one command: writes its answer (if any) and flushes. Returns a promise only when
   * the handler was asynchronous. Throws (or rejects with) protocol violations only.
   */
  #command(payload: Buffer, replySeq: number): Promise<void> | undefined {
    this.#writer.reset(replySeq);
    this.#seqAfterFlush = undefined;
    if (payload.length === 0) throw new MalformedPacketError('empty command packet');
    const command = payload[0]!;
    this.#host.countQuestion();
    let pending: Promise<void> | undefined;
    try {
      pending = this.#dispatch(command, payload);
    } catch (error) {
      this.#answerError(error, replySeq);
      this.#flush();
      return undefined;
    }
    if (pending === undefined) {
      this.#flush();
      return undefined;
    }
    return pending.then(
      () => {
        this.#flush();
      },
      (error: unknown) => {
        this.#answerError(error, replySeq);
        this.#flush();
      },
    );
  }

  /**
   * Replaces the unsent part of an answer with ERR; rethrows protocol violations. When part
   * of the answer already left (streamed rows, binlog events) the ERR continues its
   * sequence ids, which the protocol allows in place of the next row or event.
   */
  #answerError(error: unknown, replySeq: number): void {
    if (isProtocolViolation(error)) throw error;
    if (this.#phase !== 'command') return;
    const w = this.#writer;
    w.reset(this.#seqAfterFlush ?? replySeq);
    const f = errorFields(error);
    writeErr(w, f.errno, f.sqlState, f.message);
  }

  /** Decodes and runs one command, writing its answer into the writer. A promise means "not done yet". */
  #dispatch(command: number, payload: Buffer): Promise<void> | undefined {
    const session = this.#session!;
    const handler = this.#host.handler;
    const w = this.#writer;
    switch (command) {
      case Command.QUERY: {
        const sql = payload.toString('utf8', 1);
        const result = handler.query(session, sql);
        // Hot path: no closure unless the handler is asynchronous.
        if (result instanceof Promise) return result.then((settled) => this.#writeResults(settled, false));
        return this.#writeResults(result, false);
      }
      case Command.STMT_EXECUTE:
        return this.#execute(payload);
      case Command.PING:
        writeOk(w, { statusFlags: session.statusFlags });
        return undefined;
      case Command.QUIT:
        this.#phase = 'closing';
        this.#socket.end();
        return undefined;
      case Command.INIT_DB: {
        const database = payload.toString('utf8', 1);
        return whenDone(handler.initDb?.(session, database), () => {
          session.database = database;
          writeOk(w, { statusFlags: session.statusFlags });
        });
      }
      case Command.SET_OPTION: {
        const r = new PacketReader(payload, 1);
        const option = r.u16('option');
        if (option > 1) throw new MalformedPacketError(`COM_SET_OPTION option ${option} is neither 0 (on) nor 1 (off)`);
        session.multiStatements = option === 0;
        this.#writeEnd(session.statusFlags);
        return undefined;
      }
      case Command.STMT_PREPARE:
        return this.#prepare(payload.toString('utf8', 1));
      case Command.STMT_SEND_LONG_DATA:
        this.#sendLongData(payload);
        return undefined;
      case Command.STMT_CLOSE: {
        const r = new PacketReader(payload, 1);
        const id = r.u32('statement_id');
        const statement = this.#statements.get(id);
        if (statement !== undefined) {
          this.#statements.delete(id);
          handler.closeStatement?.(session, statement);
        }
        return undefined;
      }
      case Command.STMT_RESET: {
        const r = new PacketReader(payload, 1);
        const statement = this.#statement(r.u32('statement_id'), 'mysqld_stmt_reset');
        statement.longData = undefined;
        statement.longDataBytes = 0;
        writeOk(w, { statusFlags: session.statusFlags });
        return undefined;
      }
      case Command.RESET_CONNECTION:
        for (const statement of this.#statements.values()) handler.closeStatement?.(session, statement);
        this.#statements.clear();
        writeOk(w, { statusFlags: session.statusFlags });
        return undefined;
      case Command.FIELD_LIST:
        // Column lists for the interactive client's name completion: we answer "no columns".
        this.#writeEnd(session.statusFlags);
        return undefined;
      case Command.STATISTICS:
        w.begin().string(handler.statistics?.(session) ?? this.#host.statistics()).end();
        return undefined;
      case Command.PROCESS_KILL: {
        const r = new PacketReader(payload, 1);
        const target = r.u32('connection_id');
        if (target === this.id) {
          this.destroy();
          return undefined;
        }
        if (!this.#host.kill(target)) throw new NoSuchThreadError(target);
        writeOk(w, { statusFlags: session.statusFlags });
        return undefined;
      }
      case Command.REGISTER_SLAVE: {
        if (handler.registerSlave === undefined) throw new UnknownCommandError(command);
        const request = readRegisterSlave(new PacketReader(payload, 1));
        return whenDone(handler.registerSlave(session, request), () => {
          writeOk(w, { statusFlags: session.statusFlags });
        });
      }
      case Command.BINLOG_DUMP:
      case Command.BINLOG_DUMP_GTID:
        return this.#binlogDump(payload);
      default:
        throw new UnknownCommandError(command);
    }
  }

  #writeEnd(statusFlags: number): void {
    if ((this.#session!.capabilities & Capability.DEPRECATE_EOF) !== 0) writeOk(this.#writer, { statusFlags }, 0xfe);
    else writeEof(this.#writer, statusFlags);
  }

  #writeResults(result: QueryResult | readonly QueryResult[], binary: boolean): Promise<void> | undefined {
    if (!Array.isArray(result)) return this.#writeResult(result as QueryResult, binary, false);
    const list = result as readonly QueryResult[];
    if (list.length === 0) throw new TypeError('handler returned no result');
    const from = (start: number): Promise<void> | undefined => {
      for (let i = start; i < list.length; i++) {
        const pending = this.#writeResult(list[i]!, binary, i < list.length - 1);
        if (pending !== undefined) return pending.then(() => from(i + 1));
      }
      return undefined;
    };
    return from(0);
  }

  /** Writes one result. Returns a promise only when its rows are an async iterable (streamed). */
  #writeResult(result: QueryResult, binary: boolean, more: boolean): Promise<void> | undefined {
    const w = this.#writer;
    const session = this.#session!;
    const status = more ? session.statusFlags | ServerStatus.MORE_RESULTS_EXISTS : session.statusFlags;
    if (result.kind === 'ok') {
      writeOk(w, {
        affectedRows: result.affectedRows ?? 0,
        lastInsertId: result.lastInsertId ?? 0,
        statusFlags: status,
        warnings: result.warnings ?? 0,
        info: result.info ?? '',
      });
      return undefined;
    }
    const columns = result.columns;
    const deprecateEof = (session.capabilities & Capability.DEPRECATE_EOF) !== 0;
    writeColumnCount(w, columns.length);
    for (let i = 0; i < columns.length; i++) writeColumnDefinition(w, columns[i]!);
    if (!deprecateEof) writeEof(w, status);
    const rows = result.rows;
    const end = (): void => {
      if (deprecateEof) writeOk(w, { statusFlags: status, warnings: result.warnings ?? 0 }, 0xfe);
      else writeEof(w, status, result.warnings ?? 0);
    };
    if (Array.isArray(rows)) {
      const list = rows as readonly (readonly WireValue[])[];
      if (binary) for (let i = 0; i < list.length; i++) writeBinaryRow(w, columns, list[i]!);
      else for (let i = 0; i < list.length; i++) writeTextRow(w, columns, list[i]!);
      end();
      return undefined;
    }
    return this.#streamRows(rows as AsyncIterable<readonly WireValue[]>, columns, binary).then(end);
  }

  /**
   * Writes rows as they come, flushing every STREAM_FLUSH_BYTES and waiting for the socket
   * to drain when it is full, so a large result never sits whole in memory. An error from
   * the iterator becomes ERR in place of the next row.
   */
  async #streamRows(rows: AsyncIterable<readonly WireValue[]>, columns: readonly ColumnDefinition[], binary: boolean): Promise<void> {
    const w = this.#writer;
    for await (const row of rows) {
      if (this.#phase !== 'command') throw new ConnectionClosedError('the client went away while rows were streamed');
      if (binary) writeBinaryRow(w, columns, row);
      else writeTextRow(w, columns, row);
      if (w.length >= STREAM_FLUSH_BYTES && !this.#flush()) {
        await new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
      }
    }
  }

  #statement(id: number, where: string): StatementState {
    const statement = this.#statements.get(id);
    if (statement === undefined) throw new UnknownStatementError(id, where);
    return statement;
  }

  #prepare(sql: string): Promise<void> | undefined {
    const handler = this.#host.handler;
    const session = this.#session!;
    if (handler.prepare === undefined) throw new UnknownCommandError(Command.STMT_PREPARE);
    if (this.#statements.size >= this.#host.limits.maxPreparedStatements) throw new TooManyStatementsError(this.#host.limits.maxPreparedStatements);
    return whenDone(handler.prepare(session, sql), (prepared) => {
      this.#prepared(sql, prepared);
    });
  }

  #prepared(sql: string, prepared: PrepareResult): void {
    const session = this.#session!;
    const params: readonly ColumnDefinition[] =
      typeof prepared.params === 'number' ? Array.from({ length: prepared.params }, () => PLACEHOLDER_PARAM) : prepared.params;
    const id = this.#nextStatementId;
    this.#nextStatementId = (this.#nextStatementId % 0xfffffffe) + 1;
    const statement: StatementState = {
      id,
      sql,
      paramCount: params.length,
      columns: prepared.columns,
      state: prepared.state,
      types: undefined,
      longData: undefined,
      longDataBytes: 0,
    };
    this.#statements.set(id, statement);
    const w = this.#writer;
    const deprecateEof = (session.capabilities & Capability.DEPRECATE_EOF) !== 0;
    writePrepareOk(w, id, prepared.columns.length, params.length);
    if (params.length > 0) {
      for (const p of params) writeColumnDefinition(w, p);
      if (!deprecateEof) writeEof(w, session.statusFlags);
    }
    if (prepared.columns.length > 0) {
      for (const c of prepared.columns) writeColumnDefinition(w, c);
      if (!deprecateEof) writeEof(w, session.statusFlags);
    }
  }

  #execute(payload: Buffer): Promise<void> | undefined {
    const handler = this.#host.handler;
    if (handler.execute === undefined) throw new UnknownCommandError(Command.STMT_EXECUTE);
    const r = new PacketReader(payload, 1);
    const header = readStmtExecuteHeader(r);
    const statement = this.#statement(header.statementId, 'mysqld_stmt_execute');
    const longData = statement.longData;
    statement.longData = undefined;
    const bytes = statement.longDataBytes;
    statement.longDataBytes = 0;
    if (bytes > this.#host.limits.maxLongDataBytes) throw new PacketTooLargeError(bytes, this.#host.limits.maxLongDataBytes);
    const { params, types } = readStmtExecuteParams(r, statement.paramCount, statement.types, longData);
    statement.types = types;
    const result = handler.execute(this.#session!, statement, params);
    if (result instanceof Promise) return result.then((settled) => this.#writeResult(settled, true, false));
    return this.#writeResult(result, true, false);
  }

  #sendLongData(payload: Buffer): void {
    const r = new PacketReader(payload, 1);
    const id = r.u32('statement_id');
    const param = r.u16('param_id');
    const data = r.restBytes();
    const statement = this.#statements.get(id);
    if (statement === undefined || param >= statement.paramCount) return; // no answer is allowed; execute reports it
    statement.longDataBytes += data.length;
    if (statement.longDataBytes > this.#host.limits.maxLongDataBytes) return; // reported by the next execute
    statement.longData ??= new Map();
    const previous = statement.longData.get(param);
    statement.longData.set(param, previous === undefined ? Buffer.from(data) : Buffer.concat([previous, data]));
  }

  #binlogDump(payload: Buffer): Promise<void> {
    const handler = this.#host.handler;
    const command = payload[0]!;
    if (handler.binlogDump === undefined) throw new UnknownCommandError(command);
    const r = new PacketReader(payload, 1);
    const request = command === Command.BINLOG_DUMP ? readBinlogDump(r) : readBinlogDumpGtid(r);
    const w = this.#writer;
    const sink: BinlogEventSink = {
      signal: this.#abort.signal,
      send: async (event: Uint8Array): Promise<void> => {
        if (this.#phase !== 'command') throw new ConnectionClosedError('the replica disconnected during the binlog dump');
        w.begin().u8(0x00).bytes(event).end();
        if (this.#flush()) return;
        await new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
      },
    };
    return handler.binlogDump(this.#session!, request, sink).then(() => {
      if (this.#phase === 'command') writeEof(w, this.#session!.statusFlags);
    });
  }

  // ---- output and closing -----------------------------------------------------------

  /** Writes whatever the writer holds; returns false when the socket asks us to wait for 'drain'. */
  #flush(): boolean {
    if (this.#writer.length === 0) return true;
    this.#seqAfterFlush = this.#writer.sequenceId;
    const bytes = this.#writer.take();
    if (this.#socket.destroyed) return true;
    return this.#socket.write(bytes);
  }

  #fatal(error: unknown, seq: number): void {
    if (this.#phase === 'closing' || this.#phase === 'closed') return;
    this.#host.aborted(this.id, error);
    this.#writer.reset(seq);
    const f = errorFields(error);
    writeErr(this.#writer, f.errno, f.sqlState, f.message);
    this.#closeAfterWrite();
  }

  #closeAfterWrite(): void {
    this.#phase = 'closing';
    this.#flush();
    this.#socket.end();
    // A peer that never reads would keep the socket open: bound the wait.
    this.#closeTimer = this.#host.clock.setTimer(CLOSE_GRACE_MS, () => {
      this.#socket.destroy();
    });
  }

  #onClose(): void {
    if (this.#phase === 'closed') return;
    this.#phase = 'closed';
    this.#closeTimer?.cancel();
    this.#queue = [];
    this.#abort.abort(new ConnectionClosedError('connection closed'));
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const w of waiters) w();
    const session = this.#session;
    if (session !== undefined) {
      for (const statement of this.#statements.values()) this.#host.handler.closeStatement?.(session, statement);
      this.#statements.clear();
      try {
        this.#host.handler.disconnect?.(session);
      } catch {
        // A failing disconnect hook must not take the server down; the connection is gone anyway.
      }
    }
    this.#host.closed(this);
  }
}

const PLACEHOLDER_PARAM: ColumnDefinition = { name: '?', type: ColumnType.VAR_STRING };

/**
 * Runs `then` on a handler's answer: at once when it is a plain value, after it settles
 * when it is a promise (then the returned promise carries `then`'s outcome).
 */
function whenDone<T>(value: T | Promise<T>, then: (value: T) => unknown): Promise<void> | undefined {
  if (value instanceof Promise) {
    return value.then(async (settled) => {
      await then(settled);
    });
  }
  const next = then(value);
  return next instanceof Promise ? next.then(() => undefined) : undefined;
}

function isProtocolViolation(error: unknown): boolean {
  return error instanceof MalformedPacketError || error instanceof PacketsOutOfOrderError;
}
