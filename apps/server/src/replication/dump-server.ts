// The primary side of replication: COM_REGISTER_SLAVE and COM_BINLOG_DUMP (MariaDB's GTID
// connect state or a file/position), the dump preamble, live following and heartbeats.
import { type FileHandle, type FileSystem, isLockstepError } from '@lockstep/base';
import { encodeEvent, findGtidStart, GtidPosition, readBinlogBatches, type PositionedBinlogEvent } from '@lockstep/binlog';
import type { BinlogFileCoordinator } from '@lockstep/tc';
import type { BinlogDumpRequest, BinlogEventSink, RegisterSlaveRequest, WireSession } from '@lockstep/wire';
import { ReplicationSourceError } from '../errors/replication-source-error.js';

/** The user variables a MariaDB replica sets before its dump (kept per connection). */
export const DUMP_VARIABLES = ['master_binlog_checksum', 'slave_connect_state', 'slave_gtid_strict_mode', 'mariadb_slave_capability', 'master_heartbeat_period', 'slave_gtid_ignore_duplicates'] as const;
const SET_DUMP_VARIABLE = new RegExp(`^\\s*SET\\s+@(${DUMP_VARIABLES.join('|')})\\s*=\\s*(.*?)\\s*;?\\s*$`, 'is');
/** Most replicas registered at once (SHOW SLAVE HOSTS); further registrations are still served. */
export const MAX_REGISTERED_REPLICAS = 1024;
/** Longest heartbeat period a replica may ask for (MariaDB's bound: 4294967 s). */
const MAX_HEARTBEAT_MS = 4_294_967_000;
/** A dump waits this long for new events before looking again (abort and heartbeats end the wait earlier). */
const FOLLOW_POLL_MS = 1000;
const ARTIFICIAL = 0x20;
const BINLOG_DUMP_NON_BLOCK = 1;

function unquote(text: string): string {
  const m = /^'((?:[^'\\]|\\.|'')*)'$/s.exec(text) ?? /^"((?:[^"\\]|\\.)*)"$/s.exec(text);
  return m === null ? text : m[1]!.replaceAll("''", "'").replace(/\\(.)/g, '$1');
}

/** One replica as SHOW SLAVE HOSTS lists it. */
export interface RegisteredReplica {
  readonly connectionId: number;
  readonly serverId: number;
  readonly host: string;
  readonly port: number;
  readonly masterId: number;
}

export interface DumpServerContext {
  readonly fs: FileSystem;
  readonly binlogDir: string;
  readonly serverId: number;
  readonly tc: () => BinlogFileCoordinator;
}

/** Serves binlog dumps to any number of replicas, each from its own position, each following the live binlog. */
export class BinlogDumpServer {
  readonly #context: DumpServerContext;
  readonly #variables = new WeakMap<WireSession, Map<string, string>>();
  readonly #replicas = new Map<number, RegisteredReplica>();
  /** Dumps running now. */
  running = 0;

  constructor(context: DumpServerContext) {
    this.#context = context;
  }

  /** Remembers `SET @master_binlog_checksum = ...` and the other dump variables; false for any other statement. */
  capture(session: WireSession, sql: string): boolean {
    const m = SET_DUMP_VARIABLE.exec(sql);
    if (m === null) return false;
    let vars = this.#variables.get(session);
    if (vars === undefined) this.#variables.set(session, (vars = new Map<string, string>()));
    const raw = m[2]!;
    // A MariaDB replica sends `SET @master_binlog_checksum= @@global.binlog_checksum`: the binlog's is CRC32.
    vars.set(m[1]!.toLowerCase(), /^@@(global\.)?binlog_checksum$/i.test(raw) ? 'CRC32' : unquote(raw));
    return true;
  }

  registerSlave(session: WireSession, request: RegisterSlaveRequest): void {
    if (this.#replicas.size >= MAX_REGISTERED_REPLICAS && !this.#replicas.has(session.connectionId)) return;
    this.#replicas.set(session.connectionId, {
      connectionId: session.connectionId,
      serverId: request.serverId,
      host: request.hostname,
      port: request.port,
      masterId: request.masterId === 0 ? this.#context.serverId : request.masterId,
    });
  }

  disconnect(session: WireSession): void {
    this.#replicas.delete(session.connectionId);
  }

  replicas(): RegisteredReplica[] {
    return [...this.#replicas.values()];
  }

  async dump(session: WireSession, request: BinlogDumpRequest, sink: BinlogEventSink): Promise<void> {
    const vars = this.#variables.get(session) ?? new Map<string, string>();
    const checksum = (vars.get('master_binlog_checksum') ?? '').toUpperCase();
    if (checksum !== 'CRC32') {
      throw new ReplicationSourceError('Slave can not handle replication events with the checksum that master is configured to log');
    }
    if (request.command === 'binlog-dump-gtid') throw new ReplicationSourceError('MySQL GTID dumps (COM_BINLOG_DUMP_GTID) are not supported; use MariaDB GTID (@slave_connect_state)');
    const { fs, binlogDir: dir, serverId } = this.#context;
    const tc = this.#context.tc();
    const location = { fs, dir };
    const heartbeatNs = BigInt(vars.get('master_heartbeat_period') ?? '0');
    const heartbeatMs = Math.min(MAX_HEARTBEAT_MS, Number(heartbeatNs / 1_000_000n));
    const connectState = vars.get('slave_connect_state');

    let file: string;
    let offset: number;
    let gtidStart: GtidPosition | undefined;
    if (connectState !== undefined) {
      try {
        gtidStart = GtidPosition.parse(connectState);
      } catch (error) {
        throw new ReplicationSourceError(`Failed to parse @slave_connect_state '${connectState}'`, error);
      }
      const binlogState = new GtidPosition(tc.gtidBinlogPos());
      for (const g of gtidStart.list()) {
        const logged = binlogState.get(g.domainId);
        if (logged !== undefined && g.seqNo > logged.seqNo) {
          throw new ReplicationSourceError(`Error: connecting slave requested to start from GTID ${g.domainId}-${g.serverId}-${g.seqNo}, which is not in the master's binlog`);
        }
      }
      try {
        const found = await findGtidStart(location, gtidStart);
        file = found.file;
        offset = found.offset;
      } catch (error) {
        throw new ReplicationSourceError(
          'Could not find GTID state requested by slave in any binlog files. Probably the slave state is too old and required binlog files have been purged.',
          error,
        );
      }
    } else {
      const files = tc.writer.files;
      file = request.file === '' ? (files[0] ?? '') : request.file;
      offset = Math.max(4, Number(request.position));
      if (!files.includes(file)) throw new ReplicationSourceError('Could not find first log file name in binary log index file');
    }

    this.running += 1;
    const raw = new RawEventReader(fs, dir);
    try {
      // Preamble: a fake ROTATE naming where the stream starts, the file's FORMAT_DESCRIPTION,
      // and (GTID mode, mid-file) a fake GTID_LIST with the replica's start state.
      await sink.send(encodeEvent({ kind: 'rotate', timestamp: 0, serverId, logPos: 0, flags: ARTIFICIAL, position: BigInt(offset), nextFile: file }));
      if (offset > 4) {
        await sink.send(await raw.formatDescription(file));
        if (gtidStart !== undefined) await sink.send(encodeEvent({ kind: 'gtidList', timestamp: 0, serverId, logPos: 0, flags: ARTIFICIAL, gtids: gtidStart.list(), listFlags: 0 }));
      }
      const nonBlocking = (request.flags & BINLOG_DUMP_NON_BLOCK) !== 0;
      const batches = readBinlogBatches({
        ...location,
        start: gtidStart === undefined ? { file, offset } : { gtidPosition: gtidStart },
        ...(nonBlocking
          ? {}
          : { follow: { signal: sink.signal, idleTimeoutMs: Number.MAX_SAFE_INTEGER, pollIntervalMs: FOLLOW_POLL_MS, waitForAppend: (ms: number, signal?: AbortSignal) => tc.writer.waitForAppend(ms, signal) } }),
      });
      let current = { file, end: offset };
      let pending: Promise<IteratorResult<PositionedBinlogEvent[]>> | undefined;
      for (;;) {
        pending ??= batches.next();
        const next = heartbeatMs > 0 ? await raceTimeout(pending, heartbeatMs) : await pending;
        if (next === 'timeout') {
          await sink.send(encodeEvent({ kind: 'heartbeat', timestamp: 0, serverId, logPos: current.end, flags: ARTIFICIAL, logFile: current.file }));
          continue;
        }
        pending = undefined;
        if (next.done === true) break;
        for (const bytes of await raw.read(next.value)) await sink.send(bytes);
        const last = next.value.at(-1)!;
        current = { file: last.file, end: last.position + last.size };
      }
    } catch (error) {
      if (sink.signal.aborted) return;
      if (isLockstepError(error) && error.errno !== undefined) throw error;
      throw new ReplicationSourceError(`Error reading the binlog: ${error instanceof Error ? error.message : String(error)}`, error);
    } finally {
      this.running -= 1;
      await raw.close();
    }
  }
}

async function raceTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => {
          resolve('timeout');
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads events' exact bytes (original checksums) from the binlog files, one open file at a time. */
class RawEventReader {
  #file: string | undefined;
  #handle: FileHandle | undefined;

  constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
  ) {}

  async #open(file: string): Promise<FileHandle> {
    if (this.#file === file && this.#handle !== undefined) return this.#handle;
    await this.close();
    this.#handle = await this.fs.open(`${this.dir}/${file}`, { readOnly: true });
    this.#file = file;
    return this.#handle;
  }

  /** The FORMAT_DESCRIPTION at offset 4 of `file`. */
  async formatDescription(file: string): Promise<Uint8Array> {
    const handle = await this.#open(file);
    const header = new Uint8Array(19);
    await handle.read(header, 0, 19, 4);
    const size = new DataView(header.buffer).getUint32(9, true);
    const out = new Uint8Array(size);
    await handle.read(out, 0, size, 4);
    return out;
  }

  /** Each event's bytes; contiguous events of one file are read with one read. */
  async read(events: readonly PositionedBinlogEvent[]): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    let i = 0;
    while (i < events.length) {
      const first = events[i]!;
      let j = i + 1;
      let end = first.position + first.size;
      while (j < events.length && events[j]!.file === first.file && events[j]!.position === end) {
        end += events[j]!.size;
        j += 1;
      }
      const handle = await this.#open(first.file);
      const bytes = new Uint8Array(end - first.position);
      await handle.read(bytes, 0, bytes.length, first.position);
      for (let k = i; k < j; k++) {
        const e = events[k]!;
        out.push(bytes.subarray(e.position - first.position, e.position - first.position + e.size));
      }
      i = j;
    }
    return out;
  }

  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    this.#file = undefined;
    await handle?.close();
  }
}
