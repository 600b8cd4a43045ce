// The replica role: CHANGE MASTER / START / STOP / RESET SLAVE, the I/O task (connect,
// authenticate, GTID dump, reconnect with backoff) and the SQL task (ParallelApplier over
// ServerApplyTarget), SHOW SLAVE STATUS and the replica's GTID variables.
import { readFile, rename, writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LockstepError, isLockstepError } from '@lockstep/base';
import { BinlogEventDecoder, classifyBinlogEvent, formatGtidList, isFileStructureEvent, parseGtidList, type BinlogEvent, type Gtid } from '@lockstep/binlog';
import type { KvStore } from '@lockstep/kv';
import { ParallelApplier, type ApplierOutcome, type ParallelMode, type ReplicatedTransaction } from '@lockstep/replication';
import type { SqlValue, StatementResult } from '@lockstep/sql';
import type { BinlogFileCoordinator } from '@lockstep/tc';
import type { TransactionDb } from '@lockstep/txn';
import { WireClient } from '@lockstep/wire';
import type { Logger } from 'pino';
import { column, OK, rows } from '../internal/result.js';
import { ServerApplyTarget, storedPositionRows, storedPositions, writePosition, type TargetContext } from './apply-target.js';
import { ReplicaStateError } from './replica-state-error.js';
import { TransactionQueue } from './transaction-queue.js';

/** Transactions received but not yet taken by the applier, at most (the I/O task waits beyond). */
export const MAX_QUEUED_TRANSACTIONS = 10_000;
/** Bytes received but not yet taken by the applier, at most. */
export const MAX_QUEUED_BYTES = 64 * 1024 * 1024;
/** First reconnect wait (doubles up to MASTER_CONNECT_RETRY seconds). */
const FIRST_RETRY_MS = 100;
/** How long STOP SLAVE lets dispatched transactions commit before killing them. */
const STOP_TIMEOUT_MS = 10_000;
/** Reconnect attempts before the I/O task gives up (MariaDB's master_retry_count default). */
export const MASTER_RETRY_COUNT = 86_400;

const CHANGE_MASTER_OPTIONS = new Set(['MASTER_HOST', 'MASTER_PORT', 'MASTER_USER', 'MASTER_PASSWORD', 'MASTER_USE_GTID', 'MASTER_CONNECT_RETRY', 'MASTER_HEARTBEAT_PERIOD']);

/** What CHANGE MASTER TO set (persisted as master.info JSON in the datadir). */
export interface MasterInfo {
  host: string;
  port: number;
  user: string;
  password: string;
  useGtid: 'slave_pos' | 'current_pos';
  connectRetry: number;
  heartbeatPeriod: number;
  /** Whether the replica threads were running: a restarted server starts them again. */
  running: boolean;
}

const DEFAULT_MASTER: MasterInfo = { host: '', port: 3306, user: '', password: '', useGtid: 'slave_pos', connectRetry: 60, heartbeatPeriod: 30, running: false };

export interface ReplicaSettings {
  mode: ParallelMode;
  threads: number;
  maxQueued: number;
  retries: number;
}

export interface ReplicaContext {
  readonly datadir: string;
  readonly serverId: number;
  readonly port: number;
  readonly engine: TargetContext['engine'];
  readonly db: TransactionDb;
  readonly store: KvStore;
  readonly tc: BinlogFileCoordinator;
  readonly lockingMode: 'range' | 'point';
  readonly nextXid: () => bigint;
  readonly logger: Logger;
  readonly settings: () => ReplicaSettings;
}

function parseError(near: string): LockstepError {
  return new LockstepError('SERVER_PARSE', `You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server version for the right syntax to use near '${near}' at line 1`, { errno: 1064, sqlState: '42000' });
}

function describe(error: unknown): { errno: number; message: string } {
  if (isLockstepError(error) && error.errno !== undefined) {
    const serverMessage = (error as { serverMessage?: unknown }).serverMessage;
    return { errno: error.errno, message: typeof serverMessage === 'string' ? serverMessage : error.message };
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENOTFOUND' || code === 'ETIMEDOUT') return { errno: 2003, message: error instanceof Error ? error.message : String(error) };
  return { errno: 2013, message: error instanceof Error ? error.message : String(error) };
}

/** Merges GTID lists: per domain the larger seq_no. */
function mergePositions(...lists: (readonly Gtid[])[]): Gtid[] {
  const out = new Map<number, Gtid>();
  for (const list of lists) for (const g of list) {
    const have = out.get(g.domainId);
    if (have === undefined || g.seqNo > have.seqNo) out.set(g.domainId, g);
  }
  return [...out.values()].sort((a, b) => a.domainId - b.domainId);
}

export class ReplicaController {
  readonly #c: ReplicaContext;
  #master: MasterInfo = { ...DEFAULT_MASTER };
  #configured = false;
  #ioRunning = false;
  #sqlRunning = false;
  #ioState = '';
  #ioStop: AbortController | undefined;
  #ioDone: Promise<void> | undefined;
  #ioGeneration = 0;
  #lastIo: { errno: number; message: string } | undefined;
  #lastSql: { errno: number; message: string } | undefined;
  #queue = new TransactionQueue(MAX_QUEUED_TRANSACTIONS, MAX_QUEUED_BYTES);
  /** Last GTID received per domain (complete transactions only): Gtid_IO_Pos. */
  #received = new Map<number, Gtid>();
  #applier: ParallelApplier<BinlogEvent> | undefined;
  #target: ServerApplyTarget | undefined;
  #sqlDone: Promise<ApplierOutcome> | undefined;
  #retried = 0;
  #applied = 0;
  #heartbeats = 0;
  #masterServerId = 0;
  #masterTimestampMs = 0;
  #pendingSlavePos: Gtid[] | undefined;
  #ioClient: WireClient | undefined;
  #slavePosWrite: Promise<void> = Promise.resolve();

  constructor(context: ReplicaContext) {
    this.#c = context;
  }

  get #infoPath(): string {
    return join(this.#c.datadir, 'master.info');
  }

  /** Reads master.info; starts the threads again if they were running. */
  async open(autoStart = true): Promise<void> {
    try {
      const text = await readFile(this.#infoPath, 'utf8');
      this.#master = { ...DEFAULT_MASTER, ...(JSON.parse(text) as Partial<MasterInfo>) };
      this.#configured = this.#master.host !== '';
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
    }
    if (autoStart && this.#configured && this.#master.running) await this.start(undefined);
  }

  async #save(): Promise<void> {
    const temp = `${this.#infoPath}.tmp`;
    await writeFile(temp, JSON.stringify(this.#master));
    await rename(temp, this.#infoPath);
  }

  get isReplica(): boolean {
    return this.#configured;
  }

  get running(): boolean {
    return this.#ioRunning || this.#sqlRunning;
  }

  /** Counters for the status line: applied transactions, retries, lag (ms). */
  stats(): { applied: number; retried: number; lagMs: number; ioRunning: boolean; sqlRunning: boolean } {
    const status = this.#applier?.status();
    return {
      applied: this.#applied + (status?.counters.applied ?? 0),
      retried: this.#retried + (status?.counters.retried ?? 0),
      lagMs: status?.lagMs ?? 0,
      ioRunning: this.#ioRunning,
      sqlRunning: this.#sqlRunning,
    };
  }

  async changeMaster(options: ReadonlyMap<string, string | number>): Promise<StatementResult> {
    const next = { ...this.#master };
    for (const [rawName, value] of options) {
      const name = rawName.toUpperCase();
      if (!CHANGE_MASTER_OPTIONS.has(name)) throw parseError(`${rawName}=${String(value)}`);
      const text = String(value);
      const int = (min: number, max: number): number => {
        const n = Number(text);
        if (!Number.isFinite(n) || n < min || n > max) throw parseError(`${rawName}=${text}`);
        return n;
      };
      switch (name) {
        case 'MASTER_HOST':
          next.host = text;
          break;
        case 'MASTER_PORT':
          next.port = int(0, 65535);
          break;
        case 'MASTER_USER':
          next.user = text;
          break;
        case 'MASTER_PASSWORD':
          next.password = text;
          break;
        case 'MASTER_USE_GTID': {
          const v = text.toLowerCase();
          if (v !== 'slave_pos' && v !== 'current_pos') throw parseError(`${rawName}=${text}`);
          next.useGtid = v;
          break;
        }
        case 'MASTER_CONNECT_RETRY':
          next.connectRetry = int(1, 31_536_000);
          break;
        case 'MASTER_HEARTBEAT_PERIOD':
          next.heartbeatPeriod = int(0, 4_294_967);
          break;
      }
    }
    if (this.running) throw ReplicaStateError.running();
    if (next.host !== this.#master.host || next.port !== this.#master.port) this.#received.clear();
    this.#master = next;
    this.#configured = next.host !== '';
    await this.#save();
    return OK;
  }

  async start(thread: 'io' | 'sql' | undefined): Promise<StatementResult> {
    if (!this.#configured) throw ReplicaStateError.misconfigured();
    await this.#slavePosWrite;
    const startIo = thread !== 'sql' && !this.#ioRunning;
    const startSql = thread !== 'io' && !this.#sqlRunning;
    if (startSql) this.#startSql();
    if (startIo) this.#startIo();
    if (!this.#master.running) {
      this.#master.running = true;
      await this.#save();
    }
    return OK;
  }

  async stop(thread: 'io' | 'sql' | undefined, persist = true): Promise<StatementResult> {
    if (thread !== 'sql') await this.#stopIo();
    if (thread !== 'io') await this.#stopSql();
    if (persist && this.#configured && this.#master.running && !this.running) {
      this.#master.running = false;
      await this.#save();
    }
    return OK;
  }

  async reset(all: boolean): Promise<StatementResult> {
    if (this.running) throw ReplicaStateError.running();
    this.#received.clear();
    this.#queue = new TransactionQueue(MAX_QUEUED_TRANSACTIONS, MAX_QUEUED_BYTES);
    this.#lastIo = undefined;
    this.#lastSql = undefined;
    if (all) {
      this.#master = { ...DEFAULT_MASTER };
      this.#configured = false;
      await rm(this.#infoPath, { force: true });
    } else {
      this.#master.running = false;
      if (this.#configured) await this.#save();
    }
    return OK;
  }

  /** Stops both threads without changing what a restart does (server shutdown). */
  async close(): Promise<void> {
    await this.stop(undefined, false);
  }

  // ---- positions -------------------------------------------------------------------------

  slavePos(): Gtid[] {
    return this.#pendingSlavePos ?? storedPositions(this.#c.store);
  }

  currentPos(): Gtid[] {
    return mergePositions(this.slavePos(), this.#c.tc.gtidBinlogPos());
  }

  /** Where the applier starts: gtid_slave_pos, or gtid_current_pos with MASTER_USE_GTID=current_pos. */
  #applyStart(): Gtid[] {
    return this.#master.useGtid === 'current_pos' ? this.currentPos() : this.slavePos();
  }

  /**
   * SET GLOBAL gtid_slave_pos (replica threads stopped): replaces the stored positions. The
   * hooks contract is synchronous: the value is checked here and written in the background;
   * reads and START SLAVE wait for / see the new value.
   */
  setSlavePos(value: SqlValue): void {
    if (this.running) throw ReplicaStateError.running();
    let gtids: Gtid[];
    try {
      gtids = parseGtidList(String(value ?? ''));
    } catch {
      throw new LockstepError('SERVER_WRONG_VALUE', `Variable 'gtid_slave_pos' can't be set to the value of '${String(value)}'`, { errno: 1231, sqlState: '42000' });
    }
    this.#pendingSlavePos = gtids;
    this.#received.clear();
    const write = this.#slavePosWrite.then(() => this.#writeSlavePos(gtids));
    this.#slavePosWrite = write.then(
      () => {
        if (this.#pendingSlavePos === gtids) this.#pendingSlavePos = undefined;
      },
      (error: unknown) => {
        this.#pendingSlavePos = undefined;
        this.#c.logger.error({ err: error }, 'writing gtid_slave_pos failed');
      },
    );
  }

  async #writeSlavePos(gtids: readonly Gtid[]): Promise<void> {
    const t = this.#c.db.begin();
    try {
      for (const rowsOfDomain of storedPositionRows(this.#c.store).values()) for (const r of rowsOfDomain) await t.delete(r.key);
      for (const g of gtids) await writePosition(t, g);
      await t.commit();
    } catch (error) {
      if (t.state === 'active') await t.rollback();
      throw error;
    }
  }

  // ---- I/O task --------------------------------------------------------------------------

  #startIo(): void {
    this.#ioRunning = true;
    this.#ioState = 'Connecting to master';
    this.#lastIo = undefined;
    const stop = new AbortController();
    this.#ioStop = stop;
    this.#ioDone = this.#ioLoop(stop.signal).finally(() => {
      this.#ioRunning = false;
      this.#ioState = '';
    });
  }

  async #stopIo(): Promise<void> {
    this.#ioStop?.abort();
    this.#queue.interrupt();
    await this.#ioDone;
    this.#ioDone = undefined;
  }

  /** Gtid_IO_Pos: the applier's start merged with what was received since. */
  ioPos(): Gtid[] {
    return mergePositions(this.#applyStart(), [...this.#received.values()]);
  }

  async #ioLoop(signal: AbortSignal): Promise<void> {
    const m = this.#master;
    let failures = 0;
    while (!signal.aborted) {
      const generation = this.#ioGeneration;
      let client: WireClient | undefined;
      let connected = false;
      try {
        this.#ioState = 'Connecting to master';
        client = await WireClient.connect({ host: m.host, port: m.port, user: m.user, password: m.password, connectTimeoutMs: 10_000 });
        connected = true;
        this.#ioClient = client;
        const onAbort = (): void => void client?.close();
        signal.addEventListener('abort', onAbort, { once: true });
        try {
          this.#ioState = 'Requesting binlog dump';
          const events = await client.binlogDump({
            serverId: this.#c.serverId,
            mode: 'gtid',
            gtidState: formatGtidList(this.ioPos()),
            ...(m.heartbeatPeriod > 0 ? { heartbeatPeriodMs: m.heartbeatPeriod * 1000 } : {}),
            reportHost: '127.0.0.1',
            reportPort: this.#c.port,
          });
          this.#ioState = 'Waiting for master to send event';
          failures = 0;
          this.#lastIo = undefined;
          const decoder = new BinlogEventDecoder({ checksum: client.dumpChecksum === 'CRC32' });
          let open: { gtid: Gtid; commitId: bigint | undefined; flags: ReplicatedTransaction<BinlogEvent>['flags']; timestampMs: number; events: BinlogEvent[]; bytes: number } | undefined;
          for await (const bytes of events) {
            if (aborted(signal) || generation !== this.#ioGeneration) break;
            const positioned = decoder.decode(bytes);
            const event = positioned.event;
            if (event.kind === 'heartbeat') this.#heartbeats += 1;
            if (event.serverId !== 0 && (event.flags & 0x20) === 0) this.#masterServerId = event.serverId;
            if (isFileStructureEvent(event)) continue;
            const cls = classifyBinlogEvent(event, positioned.size);
            if (cls.kind === 'gtid') {
              open = { gtid: cls.gtid, commitId: cls.commitId, flags: cls.flags, timestampMs: cls.timestampMs, events: [], bytes: cls.byteSize };
              continue;
            }
            if (open === undefined) continue;
            let done = false;
            if (cls.kind === 'commit') {
              open.bytes += cls.byteSize;
              done = true;
            } else if (cls.kind === 'rollback') {
              open = undefined;
              continue;
            } else {
              open.events.push(event);
              open.bytes += cls.byteSize;
              done = open.flags.standalone;
            }
            if (done) {
              const t: ReplicatedTransaction<BinlogEvent> = { gtid: open.gtid, commitId: open.commitId, flags: open.flags, events: open.events, timestampMs: open.timestampMs, byteSize: open.bytes };
              open = undefined;
              this.#ioState = 'Waiting for the slave SQL thread to free enough relay log space';
              if (!(await this.#queue.push(t, signal))) break;
              this.#ioState = 'Waiting for master to send event';
              this.#received.set(t.gtid.domainId, t.gtid);
              this.#masterTimestampMs = t.timestampMs;
            }
          }
        } finally {
          signal.removeEventListener('abort', onAbort);
        }
      } catch (error) {
        if (aborted(signal)) break;
        let d = describe(error);
        if (!connected && (error as { serverMessage?: unknown }).serverMessage === undefined) {
          // A client-side failure before the handshake finished: MariaDB's CR_CONN_HOST_ERROR.
          const detail = d.message.includes('ECONNREFUSED') ? '111 "Connection refused"' : d.message;
          d = { errno: 2003, message: `Can't connect to MySQL server on '${m.host}' (${detail})` };
        }
        if (!connected || d.errno === 1236 || d.errno === 1045) {
          const prefix = d.errno === 1236 ? 'Got fatal error 1236 from master when reading data from binary log' : `error connecting to master '${m.user}@${m.host}:${m.port}' - retry-time: ${m.connectRetry}  maximum-retries: ${MASTER_RETRY_COUNT}  message`;
          this.#lastIo = { errno: d.errno, message: `${prefix}: ${d.message}` };
        }
        this.#c.logger.warn({ err: error, errno: d.errno }, 'replica I/O: connection to the primary failed');
        if (d.errno === 1236) {
          await client?.close().catch(() => undefined);
          break; // fatal, as in MariaDB: the I/O thread stops
        }
      } finally {
        if (this.#ioClient === client) this.#ioClient = undefined;
        await client?.close().catch(() => undefined);
      }
      if (aborted(signal)) break;
      failures += 1;
      if (failures > MASTER_RETRY_COUNT) break;
      this.#ioState = connected ? 'Waiting to reconnect after a failed master event read' : 'Connecting to master';
      const delay = generation !== this.#ioGeneration ? 0 : Math.min(FIRST_RETRY_MS * 2 ** Math.min(failures - 1, 20), m.connectRetry * 1000);
      await sleep(delay, signal);
    }
  }

  // ---- SQL task --------------------------------------------------------------------------

  #startSql(): void {
    const settings = this.#c.settings();
    const start = this.#applyStart();
    // Anything received for an earlier applier run is received again from the primary.
    this.#queue = new TransactionQueue(MAX_QUEUED_TRANSACTIONS, MAX_QUEUED_BYTES);
    this.#received.clear();
    this.#ioGeneration += 1;
    // A running I/O task asks again from the new applier's start (its dump is cut here).
    void this.#ioClient?.close().catch(() => undefined);
    const target = new ServerApplyTarget({ engine: this.#c.engine, db: this.#c.db, store: this.#c.store, tc: this.#c.tc, lockingMode: this.#c.lockingMode, nextXid: this.#c.nextXid });
    const applier = new ParallelApplier<BinlogEvent>({
      target,
      mode: settings.mode,
      workers: Math.max(1, settings.threads),
      maxQueuedBytes: settings.maxQueued,
      retryLimit: settings.retries,
      startPosition: start,
    });
    target.connect(applier);
    this.#target = target;
    this.#applier = applier;
    this.#sqlRunning = true;
    this.#lastSql = undefined;
    const queue = this.#queue;
    this.#sqlDone = applier.run(queue.iterate()).then(
      (outcome) => this.#sqlEnded(outcome),
      (error: unknown) => this.#sqlEnded({ state: 'failed', position: [], error: error instanceof Error ? error : new Error(String(error)) }),
    );
  }

  #sqlEnded(outcome: ApplierOutcome): ApplierOutcome {
    const status = this.#applier?.status();
    this.#applied += status?.counters.applied ?? 0;
    this.#retried += status?.counters.retried ?? 0;
    this.#target?.detach();
    this.#applier = undefined;
    this.#target = undefined;
    this.#sqlRunning = false;
    if (outcome.state === 'failed' && outcome.error !== undefined) {
      const d = describe(outcome.error.cause ?? outcome.error);
      this.#lastSql = { errno: d.errno, message: `Error executing row event: '${outcome.error.message}'` };
      this.#c.logger.error({ err: outcome.error }, 'replica SQL: stopped on an error');
    }
    return outcome;
  }

  async #stopSql(): Promise<void> {
    const applier = this.#applier;
    if (applier !== undefined) {
      this.#queue.close();
      await applier.stop({ timeoutMs: STOP_TIMEOUT_MS });
    }
    await this.#sqlDone;
    this.#sqlDone = undefined;
  }

  // ---- status ----------------------------------------------------------------------------

  slaveStatus(): StatementResult {
    if (!this.#configured) return rows(SLAVE_STATUS_COLUMNS, []);
    const m = this.#master;
    const status = this.#applier?.status();
    const yesNo = (running: boolean, connecting: boolean): string => (running ? (connecting ? 'Connecting' : 'Yes') : 'No');
    const connecting = this.#ioState === 'Connecting to master';
    const lag = this.#sqlRunning && this.#ioRunning && !connecting ? BigInt(Math.floor((status?.lagMs ?? 0) / 1000)) : null;
    const values: Record<string, SqlValue> = {
      Slave_IO_State: this.#ioState,
      Master_Host: m.host,
      Master_User: m.user,
      Master_Port: BigInt(m.port),
      Connect_Retry: BigInt(m.connectRetry),
      Master_Log_File: '',
      Read_Master_Log_Pos: 4n,
      Relay_Log_File: '',
      Relay_Log_Pos: 4n,
      Relay_Master_Log_File: '',
      Slave_IO_Running: yesNo(this.#ioRunning, connecting),
      Slave_SQL_Running: this.#sqlRunning ? 'Yes' : 'No',
      Last_Errno: BigInt(this.#lastSql?.errno ?? 0),
      Last_Error: this.#lastSql?.message ?? '',
      Skip_Counter: 0n,
      Exec_Master_Log_Pos: 4n,
      Relay_Log_Space: BigInt(this.#queue.bytes),
      Until_Condition: 'None',
      Master_SSL_Allowed: 'No',
      Seconds_Behind_Master: lag,
      Last_IO_Errno: BigInt(this.#lastIo?.errno ?? 0),
      Last_IO_Error: this.#lastIo?.message ?? '',
      Last_SQL_Errno: BigInt(this.#lastSql?.errno ?? 0),
      Last_SQL_Error: this.#lastSql?.message ?? '',
      Master_Server_Id: BigInt(this.#masterServerId),
      Using_Gtid: m.useGtid === 'current_pos' ? 'Current_Pos' : 'Slave_Pos',
      Gtid_IO_Pos: formatGtidList(this.ioPos()),
      Parallel_Mode: this.#c.settings().mode,
      SQL_Delay: 0n,
      Slave_SQL_Running_State: this.#sqlRunning ? (this.#queue.size === 0 ? 'Slave has read all relay log; waiting for more updates' : (status?.reader ?? '')) : '',
      Retried_transactions: BigInt(this.stats().retried),
      Executed_log_entries: BigInt(this.stats().applied),
      Slave_received_heartbeats: BigInt(this.#heartbeats),
      Slave_heartbeat_period: m.heartbeatPeriod.toFixed(3),
      Gtid_Slave_Pos: formatGtidList(this.slavePos()),
    };
    return rows(SLAVE_STATUS_COLUMNS, [SLAVE_STATUS_NAMES.map((n) => values[n] ?? '')]);
  }

  /** SHOW PROCESSLIST rows of the replica threads (I/O, SQL driver, workers) — MariaDB's shape. */
  processRows(firstId: number): SqlValue[][] {
    const out: SqlValue[][] = [];
    let id = firstId;
    if (this.#ioRunning) out.push([BigInt(id++), 'system user', '', null, 'Slave_IO', 0n, this.#ioState, null, 0]);
    const status = this.#applier?.status();
    if (this.#sqlRunning && status !== undefined) {
      out.push([BigInt(id++), 'system user', '', null, 'Slave_SQL', 0n, status.reader, null, 0]);
      for (const w of status.workers) out.push([BigInt(id++), 'system user', '', null, 'Slave_worker', BigInt(Math.floor(Math.max(0, Date.now() - w.sinceMs) / 1000)), w.state, w.gtid ?? null, 0]);
    }
    return out;
  }

  /** Lag in ms of the last received transaction (for the status line). */
  get masterTimestampMs(): number {
    return this.#masterTimestampMs;
  }
}

/** Read through a call so that the compiler does not narrow it across awaits. */
function aborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

const SLAVE_STATUS_NAMES = [
  'Slave_IO_State',
  'Master_Host',
  'Master_User',
  'Master_Port',
  'Connect_Retry',
  'Master_Log_File',
  'Read_Master_Log_Pos',
  'Relay_Log_File',
  'Relay_Log_Pos',
  'Relay_Master_Log_File',
  'Slave_IO_Running',
  'Slave_SQL_Running',
  'Replicate_Do_DB',
  'Replicate_Ignore_DB',
  'Replicate_Do_Table',
  'Replicate_Ignore_Table',
  'Replicate_Wild_Do_Table',
  'Replicate_Wild_Ignore_Table',
  'Last_Errno',
  'Last_Error',
  'Skip_Counter',
  'Exec_Master_Log_Pos',
  'Relay_Log_Space',
  'Until_Condition',
  'Until_Log_File',
  'Until_Log_Pos',
  'Master_SSL_Allowed',
  'Master_SSL_CA_File',
  'Master_SSL_CA_Path',
  'Master_SSL_Cert',
  'Master_SSL_Cipher',
  'Master_SSL_Key',
  'Seconds_Behind_Master',
  'Master_SSL_Verify_Server_Cert',
  'Last_IO_Errno',
  'Last_IO_Error',
  'Last_SQL_Errno',
  'Last_SQL_Error',
  'Replicate_Ignore_Server_Ids',
  'Master_Server_Id',
  'Master_SSL_Crl',
  'Master_SSL_Crlpath',
  'Using_Gtid',
  'Gtid_IO_Pos',
  'Replicate_Do_Domain_Ids',
  'Replicate_Ignore_Domain_Ids',
  'Parallel_Mode',
  'SQL_Delay',
  'SQL_Remaining_Delay',
  'Slave_SQL_Running_State',
  'Slave_DDL_Groups',
  'Slave_Non_Transactional_Groups',
  'Slave_Transactional_Groups',
  'Retried_transactions',
  'Max_relay_log_size',
  'Executed_log_entries',
  'Slave_received_heartbeats',
  'Slave_heartbeat_period',
  'Gtid_Slave_Pos',
] as const;
const INT_COLUMNS = new Set(['Master_Port', 'Connect_Retry', 'Read_Master_Log_Pos', 'Relay_Log_Pos', 'Last_Errno', 'Skip_Counter', 'Exec_Master_Log_Pos', 'Relay_Log_Space', 'Seconds_Behind_Master', 'Last_IO_Errno', 'Last_SQL_Errno', 'Master_Server_Id', 'SQL_Delay', 'Retried_transactions', 'Executed_log_entries', 'Slave_received_heartbeats']);
export const SLAVE_STATUS_COLUMNS = SLAVE_STATUS_NAMES.map((n) => column(n, INT_COLUMNS.has(n) ? 'bigint' : 'text'));

