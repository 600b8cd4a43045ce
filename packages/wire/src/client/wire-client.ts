import { connect as netConnect } from 'node:net';
import { type Clock, systemClock } from '@lockstep/base';
import { scrambleNativePassword } from '../codec/auth.js';
import { writeBinlogDump, writeRegisterSlave, writeSimpleCommand, type RegisterSlaveRequest } from '../codec/commands.js';
import { readAuthSwitchRequest, readHandshakeV10, writeHandshakeResponse, type HandshakeV10 } from '../codec/handshake.js';
import { type ColumnDefinition, type OkPacket, isEofPacket, readColumnDefinition, readErr, readOk, readTextRow } from '../codec/messages.js';
import { PacketReader } from '../codec/packet-reader.js';
import { BinlogDumpFlag, Capability, Charset, Command, NATIVE_PASSWORD_PLUGIN, ServerStatus } from '../constants.js';
import { ConnectionClosedError } from '../errors/connection-closed-error.js';
import { HandshakeError } from '../errors/handshake-error.js';
import { MalformedPacketError } from '../errors/malformed-packet-error.js';
import { ServerError } from '../errors/server-error.js';
import { UnsupportedAuthPluginError } from '../errors/unsupported-auth-plugin-error.js';
import { WireTimeoutError } from '../errors/wire-timeout-error.js';
import { PacketChannel } from './packet-channel.js';

export interface WireClientOptions {
  readonly host?: string;
  readonly port: number;
  readonly user: string;
  readonly password?: string;
  readonly database?: string;
  /** From TCP connect to authenticated. Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** Bound on waiting for any one answer packet (not used while streaming a binlog). Default 60 s. */
  readonly readTimeoutMs?: number;
  /** Largest packet accepted from the server, checked before buffering. Default 1 GiB (a binlog event can be large). */
  readonly maxPacketBytes?: number;
  /** Packets / bytes read ahead of the consumer before the socket is paused. Defaults 1024 / 64 MiB. */
  readonly maxQueuedPackets?: number;
  readonly maxQueuedBytes?: number;
  readonly clock?: Clock;
  /** Ask for CLIENT_DEPRECATE_EOF when the server offers it. Default true. */
  readonly deprecateEof?: boolean;
}

/** A text result: columns, and each row's values as strings (NULL as null). */
export interface ClientRowsResult {
  readonly kind: 'rows';
  readonly columns: readonly Required<ColumnDefinition>[];
  readonly rows: (string | null)[][];
  readonly statusFlags: number;
}

export type ClientQueryResult = ({ readonly kind: 'ok' } & OkPacket) | ClientRowsResult;

/** How to ask a primary for its binary log. */
export interface BinlogDumpOptions {
  /** This replica's server id (must differ from the primary's and other replicas'). */
  readonly serverId: number;
  /** 'file': from `file`/`position`. 'gtid': MariaDB GTID mode from `gtidState` (@slave_connect_state). */
  readonly mode: 'file' | 'gtid';
  readonly file?: string;
  readonly position?: bigint | number;
  /** A MariaDB GTID list such as '0-1-100,1-2-7' (may be empty: from the start). */
  readonly gtidState?: string;
  readonly gtidStrictMode?: boolean;
  /** What @master_binlog_checksum is set to: the server's own setting ('server', the default), or a fixed one. */
  readonly checksum?: 'server' | 'NONE' | 'CRC32';
  /** Asks the primary for heartbeat events this often when idle. */
  readonly heartbeatPeriodMs?: number;
  /** Silence after which the dump fails with WireTimeoutError. Default: 2 heartbeat periods + 1 s (none without heartbeats). */
  readonly heartbeatTimeoutMs?: number;
  /** End with EOF at the end of the log instead of waiting for new events. */
  readonly nonBlocking?: boolean;
  /** COM_REGISTER_SLAVE first (what MariaDB replicas do). Default true. */
  readonly registerSlave?: boolean;
  readonly reportHost?: string;
  readonly reportPort?: number;
}

export const DEFAULT_CLIENT_CAPABILITIES =
  Capability.LONG_PASSWORD |
  Capability.LONG_FLAG |
  Capability.PROTOCOL_41 |
  Capability.TRANSACTIONS |
  Capability.SECURE_CONNECTION |
  Capability.MULTI_RESULTS |
  Capability.PS_MULTI_RESULTS |
  Capability.PLUGIN_AUTH |
  Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA |
  Capability.DEPRECATE_EOF;

function sqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * The client side of the protocol, as a replica needs it: connect, authenticate
 * (mysql_native_password, following an auth switch to it), text queries, ping,
 * COM_REGISTER_SLAVE and a binlog dump streamed as an async iterator.
 *
 * One command at a time: calls are serialised internally. After `binlogDump` the
 * connection belongs to the stream; `close()` ends both.
 */
export class WireClient {
  readonly handshake: HandshakeV10;
  readonly capabilities: number;
  readonly #channel: PacketChannel;
  readonly #readTimeoutMs: number;
  #tail: Promise<unknown> = Promise.resolve();
  #dumping = false;
  #dumpChecksum: 'NONE' | 'CRC32' | undefined;

  private constructor(channel: PacketChannel, handshake: HandshakeV10, capabilities: number, readTimeoutMs: number) {
    this.#channel = channel;
    this.handshake = handshake;
    this.capabilities = capabilities;
    this.#readTimeoutMs = readTimeoutMs;
  }

  get connectionId(): number {
    return this.handshake.connectionId;
  }

  get serverVersion(): string {
    return this.handshake.serverVersion;
  }

  /** The checksum algorithm the running binlog dump's events carry (known once `binlogDump` has started). */
  get dumpChecksum(): 'NONE' | 'CRC32' | undefined {
    return this.#dumpChecksum;
  }

  get closed(): boolean {
    return this.#channel.closed;
  }

  /** Connects and authenticates. Rejects with ServerError (e.g. errno 1045), WireTimeoutError, ConnectionClosedError or UnsupportedAuthPluginError. */
  static async connect(options: WireClientOptions): Promise<WireClient> {
    const clock = options.clock ?? systemClock;
    const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    const socket = netConnect({ host: options.host ?? '127.0.0.1', port: options.port });
    const channel = new PacketChannel(socket, {
      maxPacketBytes: options.maxPacketBytes ?? 1024 * 1024 * 1024,
      maxQueuedPackets: options.maxQueuedPackets ?? 1024,
      maxQueuedBytes: options.maxQueuedBytes ?? 64 * 1024 * 1024,
      clock,
    });
    const timer = clock.setTimer(connectTimeoutMs, () => {
      channel.abort(new WireTimeoutError('connect and authenticate', connectTimeoutMs));
    });
    try {
      const first = await channel.read();
      if (first[0] === 0xff) throw serverError(first);
      const handshake = readHandshakeV10(first);
      if ((handshake.capabilities & Capability.PROTOCOL_41) === 0) throw new HandshakeError('server does not speak the 4.1 protocol');
      let capabilities = DEFAULT_CLIENT_CAPABILITIES;
      if (options.deprecateEof === false) capabilities &= ~Capability.DEPRECATE_EOF;
      if (options.database !== undefined) capabilities |= Capability.CONNECT_WITH_DB;
      capabilities = (capabilities & handshake.capabilities) >>> 0;
      const password = options.password ?? '';
      const serverPlugin = handshake.authPluginName;
      const useNative = serverPlugin === NATIVE_PASSWORD_PLUGIN;
      channel.writer.reset(1);
      writeHandshakeResponse(channel.writer, {
        capabilities,
        maxPacketSize: 0x40000000,
        characterSet: Charset.UTF8MB4_GENERAL_CI,
        user: options.user,
        authResponse: useNative ? scrambleNativePassword(password, handshake.authPluginData) : Buffer.alloc(0),
        ...(options.database === undefined ? {} : { database: options.database }),
        authPluginName: NATIVE_PASSWORD_PLUGIN,
      });
      channel.flush();
      for (;;) {
        const reply = await channel.read();
        if (reply[0] === 0x00) break;
        if (reply[0] === 0xff) throw serverError(reply);
        if (reply[0] === 0xfe) {
          const request = readAuthSwitchRequest(reply);
          if (request.pluginName !== NATIVE_PASSWORD_PLUGIN) {
            throw new UnsupportedAuthPluginError(request.pluginName, 'the server asked this client to switch to it');
          }
          channel.writer.reset(channel.writer.sequenceId + 1);
          channel.writer.begin().bytes(scrambleNativePassword(password, request.pluginData.subarray(0, 20))).end();
          channel.flush();
          continue;
        }
        throw new HandshakeError(`unexpected packet 0x${(reply[0] ?? 0).toString(16)} during authentication`);
      }
      return new WireClient(channel, handshake, capabilities, options.readTimeoutMs ?? 60_000);
    } catch (error) {
      channel.destroy();
      throw error;
    } finally {
      timer.cancel();
    }
  }

  #serial<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(run, run);
    this.#tail = next.catch(() => undefined);
    return next;
  }

  #send(command: number, argument?: string): void {
    if (this.#dumping) throw new ConnectionClosedError('this connection is streaming a binlog');
    const w = this.#channel.writer;
    w.reset(0);
    writeSimpleCommand(w, command, argument);
    this.#channel.flush();
  }

  #read(): Promise<Buffer> {
    return this.#channel.read(this.#readTimeoutMs, 'answer');
  }

  /** Runs a text query; multi-statement answers return the first result (the rest are read and dropped). */
  query(sql: string): Promise<ClientQueryResult> {
    return this.#serial(async () => {
      const results = await this.#queryAll(sql);
      return results[0]!;
    });
  }

  /** Runs a text query and returns every result it produced. */
  queryAll(sql: string): Promise<ClientQueryResult[]> {
    return this.#serial(() => this.#queryAll(sql));
  }

  async #queryAll(sql: string): Promise<ClientQueryResult[]> {
    this.#send(Command.QUERY, sql);
    const results: ClientQueryResult[] = [];
    for (;;) {
      const result = await this.#readResult();
      results.push(result);
      if ((result.statusFlags & ServerStatus.MORE_RESULTS_EXISTS) === 0) return results;
    }
  }

  async #readResult(): Promise<ClientQueryResult> {
    const first = await this.#read();
    if (first[0] === 0x00) return { kind: 'ok', ...readOk(first) };
    if (first[0] === 0xff) throw serverError(first);
    if (first[0] === 0xfb) throw new MalformedPacketError('LOCAL INFILE requests are not supported by this client');
    const count = new PacketReader(first).lenencInt('column count')!;
    const columns: Required<ColumnDefinition>[] = [];
    for (let i = 0; i < count; i++) columns.push(readColumnDefinition(await this.#read()));
    const deprecateEof = (this.capabilities & Capability.DEPRECATE_EOF) !== 0;
    if (!deprecateEof) {
      const eof = await this.#read();
      if (!isEofPacket(eof)) throw new MalformedPacketError('expected EOF after column definitions');
    }
    const rows: (string | null)[][] = [];
    for (;;) {
      const packet = await this.#read();
      if (packet[0] === 0xff) throw serverError(packet);
      if (packet[0] === 0xfe && packet.length < 0xffffff && (deprecateEof || packet.length < 9)) {
        const statusFlags = deprecateEof ? readOk(packet).statusFlags : packet.readUInt16LE(3);
        return { kind: 'rows', columns, rows, statusFlags };
      }
      rows.push(readTextRow(packet, count).map((v) => (v === null ? null : v.toString('utf8'))));
    }
  }

  ping(): Promise<void> {
    return this.#serial(async () => {
      this.#send(Command.PING);
      await this.#expectOk();
    });
  }

  async #expectOk(): Promise<OkPacket> {
    const reply = await this.#read();
    if (reply[0] === 0xff) throw serverError(reply);
    if (reply[0] !== 0x00) throw new MalformedPacketError(`expected OK, got 0x${(reply[0] ?? 0).toString(16)}`);
    return readOk(reply);
  }

  /** COM_REGISTER_SLAVE. */
  registerSlave(request: Partial<RegisterSlaveRequest> & { serverId: number }): Promise<void> {
    return this.#serial(async () => {
      const w = this.#channel.writer;
      w.reset(0);
      writeRegisterSlave(w, { hostname: '', user: '', password: '', port: 0, replicationRank: 0, masterId: 0, ...request });
      this.#channel.flush();
      await this.#expectOk();
    });
  }

  /**
   * Sets the session variables a MariaDB replica sets, registers, sends COM_BINLOG_DUMP
   * and returns the events (each without the leading OK byte) as an async iterator. The
   * iterator ends after EOF (non-blocking dumps) and throws ServerError on an ERR
   * packet (e.g. 1236), WireTimeoutError when heartbeats stop, ConnectionClosedError
   * when the connection drops. Reading slower than the primary writes pauses the socket.
   */
  async binlogDump(options: BinlogDumpOptions): Promise<AsyncIterableIterator<Buffer>> {
    let checksum = options.checksum ?? 'server';
    if (checksum === 'server') {
      const answer = await this.query('SELECT @@global.binlog_checksum');
      const value = answer.kind === 'rows' ? answer.rows[0]?.[0] : undefined;
      if (value !== 'NONE' && value !== 'CRC32') throw new MalformedPacketError(`@@global.binlog_checksum is ${String(value)}, expected NONE or CRC32`);
      checksum = value;
    }
    this.#dumpChecksum = checksum;
    await this.query(`SET @master_binlog_checksum = ${sqlString(checksum)}`);
    if (options.heartbeatPeriodMs !== undefined) {
      await this.query(`SET @master_heartbeat_period = ${BigInt(Math.round(options.heartbeatPeriodMs)) * 1_000_000n}`);
    }
    await this.query('SET @mariadb_slave_capability = 4');
    if (options.mode === 'gtid') {
      await this.query(`SET @slave_connect_state = ${sqlString(options.gtidState ?? '')}`);
      await this.query(`SET @slave_gtid_strict_mode = ${options.gtidStrictMode === true ? 1 : 0}`);
      await this.query('SET @slave_gtid_ignore_duplicates = 0');
    }
    if (options.registerSlave ?? true) {
      await this.registerSlave({ serverId: options.serverId, hostname: options.reportHost ?? '', port: options.reportPort ?? 0 });
    }
    return this.#serial(() => {
      const w = this.#channel.writer;
      w.reset(0);
      writeBinlogDump(w, {
        serverId: options.serverId,
        flags: options.nonBlocking === true ? BinlogDumpFlag.NON_BLOCK : 0,
        file: options.mode === 'gtid' ? '' : (options.file ?? ''),
        position: options.mode === 'gtid' ? 4 : (options.position ?? 4),
      });
      this.#channel.flush();
      this.#dumping = true;
      const silenceMs = options.heartbeatTimeoutMs ?? (options.heartbeatPeriodMs === undefined ? undefined : options.heartbeatPeriodMs * 2 + 1_000);
      return Promise.resolve(this.#events(silenceMs));
    });
  }

  async *#events(silenceMs: number | undefined): AsyncIterableIterator<Buffer> {
    try {
      for (;;) {
        const packet = await this.#channel.read(silenceMs, 'binlog heartbeat');
        const marker = packet[0];
        if (marker === 0x00) {
          yield packet.subarray(1);
          continue;
        }
        if (marker === 0xff) throw serverError(packet);
        if (marker === 0xfe && packet.length < 9) return;
        throw new MalformedPacketError(`binlog stream packet starts with 0x${(marker ?? 0).toString(16)}`);
      }
    } finally {
      this.#channel.destroy();
    }
  }

  /** Sends COM_QUIT and closes. Safe to call more than once and while streaming. */
  async close(): Promise<void> {
    if (this.#channel.closed) return;
    if (!this.#dumping) {
      try {
        const w = this.#channel.writer;
        w.reset(0);
        writeSimpleCommand(w, Command.QUIT);
        this.#channel.flush();
      } catch {
        // already gone
      }
      this.#channel.end();
    }
    this.#channel.destroy();
    await Promise.resolve();
  }
}

function serverError(payload: Uint8Array): ServerError {
  const err = readErr(payload);
  return new ServerError(err.errno, err.sqlState, err.message);
}
