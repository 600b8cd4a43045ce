// The apply target on the real stack: binlog row events applied through @lockstep/txn
// transactions over a real KvStore, committed through tc's BinlogFileCoordinator (the
// replica's own binlog, log_slave_updates: one append and one fsync per group, the engine
// made durable by checkpoints and redone from the binlog after a crash) with the applier's
// commit-order tickets, the replica position written in the same transaction, and the txn
// layer's lock-wait reports handed to the applier. It follows the README's
// "Plugging in the SQL layer" contract; the server's SQL layer will do the same over its
// own tables.
import { systemClock, type Clock, type FileSystem } from '@lockstep/base';
import type { BinlogEvent, EventInput } from '@lockstep/binlog';
import { KvStore, type WriteOp } from '@lockstep/kv';
import { BinlogFileCoordinator, formatGtid, type CommitOrderTicket, type Gtid, type RecoveredTransaction } from '@lockstep/tc';
import { TransactionDb, decodeCoordinatorPosition, indexRange, type Transaction } from '@lockstep/txn';
import { TransactionKilledError, type ApplyTarget, type ParallelApplier, type WorkerTransaction } from '../../src/index.js';
import {
  catalogKey,
  CATALOG_INDEX,
  decodeRow,
  encodeRow,
  imageRow,
  K_INDEX,
  kIndexKey,
  parseQuery,
  POSITION_INDEX,
  positionKey,
  PRIMARY_INDEX,
  primaryKey,
  ReplicaEngineFailedError,
  RowMismatchError,
  rowsEqual,
  sbtestWriteSet,
  SBTEST_TABLE_ID,
  UnsupportedEventError,
  type SbState,
} from './sbtest.js';

type Work = WorkerTransaction<BinlogEvent>;
const EMPTY = new Uint8Array(0);
const dec = new TextDecoder();
const enc = new TextEncoder();
/** Old position rows one transaction deletes at most (MariaDB prunes mysql.gtid_slave_pos in batches too). */
const MAX_POSITION_ROWS_PRUNED = 64;

/**
 * Applies one event of a transaction of `domainId` through `t` with the replica's rules:
 * an insert must not find its row (1062 from txn), an update or delete must find exactly
 * its before image (RowMismatchError, 1032); the secondary entry (k, id) moves as a
 * delete + insert when k changes. `tables` collects the transaction's table maps.
 */
export async function applyEvent(t: Transaction, domainId: number, event: BinlogEvent | EventInput, tables: Set<number>): Promise<void> {
  switch (event.kind) {
    case 'tableMap':
      if (event.database !== 'sbtest' || event.table !== 'sbtest1') throw new UnsupportedEventError(`table ${event.database}.${event.table} is not replicated here`);
      tables.add(event.tableId);
      return;
    case 'writeRows':
      checkTable(tables, event.tableId);
      for (const image of event.rows) {
        const { id, row } = imageRow(image);
        await t.insert(primaryKey(id), encodeRow(row));
        await t.put(kIndexKey(row.k, id), EMPTY);
      }
      return;
    case 'updateRows':
      checkTable(tables, event.tableId);
      for (const { before, after } of event.rows) {
        const b = imageRow(before);
        const a = imageRow(after);
        await findBeforeImage(t, b.id, b.row);
        if (a.id !== b.id) {
          await t.delete(primaryKey(b.id));
          await t.insert(primaryKey(a.id), encodeRow(a.row));
        } else {
          await t.put(primaryKey(a.id), encodeRow(a.row));
        }
        if (a.id !== b.id || a.row.k !== b.row.k) {
          await t.delete(kIndexKey(b.row.k, b.id));
          await t.put(kIndexKey(a.row.k, a.id), EMPTY);
        }
      }
      return;
    case 'deleteRows':
      checkTable(tables, event.tableId);
      for (const image of event.rows) {
        const { id, row } = imageRow(image);
        await findBeforeImage(t, id, row);
        await t.delete(primaryKey(id));
        await t.delete(kIndexKey(row.k, id));
      }
      return;
    case 'query': {
      const q = parseQuery(event.sql);
      if (q.kind === 'statement') {
        const current = await t.getForUpdate(primaryKey(q.id));
        if (current === undefined) return;
        const row = decodeRow(current);
        await t.put(primaryKey(q.id), encodeRow({ ...row, k: row.k + 1 }));
        await t.delete(kIndexKey(row.k, q.id));
        await t.put(kIndexKey(row.k + 1, q.id), EMPTY);
      } else if (q.kind === 'ddl') {
        const current = await t.getForUpdate(catalogKey(domainId));
        await t.put(catalogKey(domainId), enc.encode(`${current === undefined ? '' : dec.decode(current)}${q.comment};`));
      }
      return;
    }
    default:
      return;
  }
}

function checkTable(tables: Set<number>, tableId: number): void {
  if (!tables.has(tableId)) throw new UnsupportedEventError(`rows event for table id ${tableId} without its table map (expected ${SBTEST_TABLE_ID})`);
}

async function findBeforeImage(t: Transaction, id: number, before: ReturnType<typeof imageRow>['row']): Promise<void> {
  const current = await t.getForUpdate(primaryKey(id));
  if (current === undefined) throw new RowMismatchError(`Can't find record in 'sbtest1': id ${id} is missing`);
  if (!rowsEqual(decodeRow(current), before)) throw new RowMismatchError(`Can't find record in 'sbtest1': id ${id} differs from the before image`);
}

export interface ReplicaOptions {
  readonly fs: FileSystem;
  /** The replica's directory: kv in `dir/kv`, its binlog in `dir/binlog`. */
  readonly dir: string;
  readonly clock?: Clock;
  /** Each lock wait's bound (default 50 s: the applier's kill, not this, must end replica waits). */
  readonly lockWaitTimeoutMs?: number;
  /** txn's deadlock detection for replica transactions (default off: the applier's kill resolves in-domain cycles). */
  readonly deadlockDetection?: boolean;
  /** tc's engine checkpoint timer (default 1000 ms; 0 off). */
  readonly engineCheckpointIntervalMs?: number;
  /** Binlog rotation size. */
  readonly maxFileBytes?: number;
}

/** One replica: kv + txn + the binlog file coordinator, opened with crash recovery. */
export class Replica {
  readonly store: KvStore;
  readonly db: TransactionDb;
  readonly tc: BinlogFileCoordinator;
  readonly redone: { count: number };

  private constructor(store: KvStore, db: TransactionDb, tc: BinlogFileCoordinator, redone: { count: number }) {
    this.store = store;
    this.db = db;
    this.tc = tc;
    this.redone = redone;
  }

  static async open(options: ReplicaOptions): Promise<Replica> {
    const clock = options.clock ?? systemClock;
    const store = await KvStore.open(`${options.dir}/kv`, { fs: options.fs, clock });
    const db = new TransactionDb(store, {
      lockingMode: 'range',
      isolation: 'read-committed',
      lockWaitTimeoutMs: options.lockWaitTimeoutMs ?? 50_000,
      deadlockDetection: options.deadlockDetection ?? false,
      clock,
    });
    const participant = db.participant();
    const redone = { count: 0 };
    const tc = await BinlogFileCoordinator.open({
      fs: options.fs,
      dir: `${options.dir}/binlog`,
      serverId: 2,
      participants: [participant],
      durablePosition: () => {
        const bytes = store.durableCoordinatorPosition();
        return bytes === undefined ? undefined : decodeCoordinatorPosition(bytes);
      },
      // Redo: the logged transaction's row events and its replica position, committed at its binlog end.
      redo: async (_participant, transaction: RecoveredTransaction<BinlogEvent[]>) => {
        const t = db.begin();
        await t.put(positionKey(transaction.gtid.domainId, transaction.gtid.seqNo), serverIdBytes(transaction.gtid.serverId));
        const tables = new Set<number>();
        for (const event of transaction.events) await applyEvent(t, transaction.gtid.domainId, event, tables);
        const branch = t.branch();
        branch.commitOrdered(transaction.end);
        await branch.commit?.();
        redone.count += 1;
      },
      engineCheckpointIntervalMs: options.engineCheckpointIntervalMs ?? 1000,
      clock,
      ...(options.maxFileBytes === undefined ? {} : { maxFileBytes: options.maxFileBytes }),
    });
    return new Replica(store, db, tc, redone);
  }

  /** Loads rows directly (the initial table, the same on primary and replica), durably. */
  async load(initial: SbState): Promise<void> {
    let ops: WriteOp[] = [];
    for (const [id, row] of initial.rows) {
      ops.push({ type: 'put', key: primaryKey(id), value: encodeRow(row) }, { type: 'put', key: kIndexKey(row.k, id), value: EMPTY });
      if (ops.length >= 2000) {
        await this.store.write(ops);
        ops = [];
      }
    }
    await this.store.write(ops, { sync: true });
  }

  /** Position rows per domain, newest last. */
  positionRows(): Map<number, { key: Uint8Array; gtid: Gtid }[]> {
    const out = new Map<number, { key: Uint8Array; gtid: Gtid }[]>();
    for (const { key, value } of this.#scan(POSITION_INDEX)) {
      const view = new DataView(key.buffer, key.byteOffset + 4, 12);
      const domainId = view.getUint32(0);
      const gtid = { domainId, serverId: new DataView(value.buffer, value.byteOffset, 4).getUint32(0), seqNo: view.getBigUint64(4) };
      let list = out.get(domainId);
      if (list === undefined) out.set(domainId, (list = []));
      list.push({ key: key.slice(), gtid });
    }
    return out;
  }

  /** gtid_slave_pos: the newest stored position per domain. */
  positions(): Gtid[] {
    return [...this.positionRows().values()].map((rows) => rows.at(-1)!.gtid).sort((a, b) => a.domainId - b.domainId);
  }

  /** The table and catalog as stored, plus any inconsistency between the primary and the secondary index. */
  state(): { readonly state: SbState; readonly problems: string[] } {
    const rows = new Map<number, ReturnType<typeof decodeRow>>();
    for (const { key, value } of this.#scan(PRIMARY_INDEX)) rows.set(readInt(key, 4), decodeRow(value));
    const problems: string[] = [];
    let entries = 0;
    for (const { key } of this.#scan(K_INDEX)) {
      entries += 1;
      const k = readInt(key, 4);
      const id = readInt(key, 8);
      if (rows.get(id)?.k !== k) problems.push(`secondary entry (k=${k}, id=${id}) has no matching row`);
    }
    if (entries !== rows.size) problems.push(`${entries} secondary entries for ${rows.size} rows`);
    const catalog = new Map<number, string>();
    for (const { key, value } of this.#scan(CATALOG_INDEX)) catalog.set(new DataView(key.buffer, key.byteOffset + 4, 4).getUint32(0), dec.decode(value));
    return { state: { rows, catalog }, problems };
  }

  async close(): Promise<void> {
    await this.tc.close();
    await this.db.close();
    await this.store.close();
  }

  *#scan(indexId: number): Generator<{ key: Uint8Array; value: Uint8Array }> {
    const range = indexRange(indexId);
    yield* this.store.iterator({ gte: range.gte, ...(range.lt === undefined ? {} : { lt: range.lt }) });
  }
}

function readInt(key: Uint8Array, offset: number): number {
  return (new DataView(key.buffer, key.byteOffset + offset, 4).getUint32(0) ^ 0x80000000) | 0;
}

function serverIdBytes(serverId: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, serverId);
  return b;
}

interface Attempt {
  readonly work: Work;
  readonly t: Transaction;
  readonly tables: Set<number>;
  /** Old position rows this attempt deletes (given back if it rolls back). */
  pruned: Uint8Array[];
  /** Set once `commit` handed it to the coordinator. */
  ticket: CommitOrderTicket | undefined;
}

/** Counters the tests and the benchmark read. */
export interface RealTargetCounters {
  begun: number;
  committed: number;
  rolledBack: number;
  kills: number;
  /** Lock-wait reports forwarded to the applier. */
  reports: number;
  delayedErrors: number;
}

/**
 * `ApplyTarget<BinlogEvent>` over a `Replica`.
 *
 * - One txn `Transaction` per attempt (`work.id`), and the reverse map (txn id → attempt)
 *   for lock-wait reports. `db.onLockWait` forwards a report to `applier.onLockWait`
 *   synchronously, inside the lock manager's section, after the wait is registered, so
 *   the applier's `kill` (→ `target.kill` → `Transaction.kill`) rejects the holder's
 *   pending wait at once, or dooms it so that no new wait starts (txn checks the doom
 *   before every operation: `work.killed` is honoured before any new wait).
 * - `begin` writes the replica position row (domain, seqNo) first, in the same
 *   transaction as the data, and deletes older position rows of the domain that earlier
 *   commits left (each handed to exactly one attempt, so no two attempts contend).
 * - `commit` hands the branch and the ticket to `logAndOrder` before its first `await`.
 */
export class RealApplyTarget implements ApplyTarget<BinlogEvent> {
  readonly replica: Replica;
  readonly counters: RealTargetCounters = { begun: 0, committed: 0, rolledBack: 0, kills: 0, reports: 0, delayedErrors: 0 };
  readonly #attempts = new Map<number, Attempt>();
  readonly #byTxn = new Map<number, Work>();
  readonly #prunable = new Map<number, Uint8Array[]>();
  /** Called after each report was forwarded to the applier (tests observe the waits). */
  observeLockWait: ((waiter: Work, holders: readonly Work[]) => void) | undefined;
  #applier: ParallelApplier<BinlogEvent> | undefined;
  #nextXid = 1n;
  #broken: ReplicaEngineFailedError | undefined;

  constructor(replica: Replica) {
    this.replica = replica;
    for (const [domainId, rows] of replica.positionRows()) this.#prunable.set(domainId, rows.slice(0, -1).map((r) => r.key));
    replica.db.onLockWait = (waiter, holders) => {
      const applier = this.#applier;
      const w = this.#byTxn.get(waiter.id);
      if (w === undefined) return;
      const hs: Work[] = [];
      for (const h of holders) {
        const hw = this.#byTxn.get(h.id);
        if (hw !== undefined) hs.push(hw);
      }
      this.counters.reports += 1;
      applier?.onLockWait(w, hs);
      this.observeLockWait?.(w, hs);
    };
  }

  /** Wires the lock-wait reports to `applier` (one applier at a time). */
  connect(applier: ParallelApplier<BinlogEvent> | undefined): void {
    this.#applier = applier;
  }

  writeSet(event: BinlogEvent): readonly string[] | undefined {
    return sbtestWriteSet(event);
  }

  async begin(work: Work): Promise<void> {
    if (this.#broken !== undefined) throw this.#broken;
    const t = this.replica.db.begin();
    const domainId = work.transaction.gtid.domainId;
    const waiting = this.#prunable.get(domainId) ?? [];
    const pruned = waiting.splice(0, MAX_POSITION_ROWS_PRUNED);
    const attempt: Attempt = { work, t, tables: new Set(), pruned, ticket: undefined };
    this.#attempts.set(work.id, attempt);
    this.#byTxn.set(t.id, work);
    this.counters.begun += 1;
    if (work.killed) t.kill('killed before it began');
    const { gtid } = work.transaction;
    await t.put(positionKey(domainId, gtid.seqNo), serverIdBytes(gtid.serverId));
    for (const key of pruned) await t.delete(key);
  }

  async apply(work: Work, event: BinlogEvent): Promise<void> {
    const a = this.#attempt(work);
    if (this.#broken !== undefined) throw this.#broken;
    await applyEvent(a.t, work.transaction.gtid.domainId, event, a.tables);
  }

  async commit(work: Work, ticket: CommitOrderTicket): Promise<void> {
    const a = this.#attempt(work);
    if (this.#broken !== undefined) throw this.#broken;
    if (work.killed) throw new TransactionKilledError(formatGtid(work.transaction.gtid));
    const branch = a.t.branch(); // throws for a doomed (killed) transaction
    const { gtid, flags } = work.transaction;
    // Handed over synchronously: logAndOrder queues or parks the ticket before it returns.
    const pending = this.replica.tc.logAndOrder({
      xid: this.#nextXid++,
      branches: [branch],
      events: work.transaction.events,
      gtid,
      flags: { ddl: flags.ddl, transactional: flags.transactional, waited: flags.waited, allowParallel: flags.allowParallel },
      ticket,
    });
    a.ticket = ticket;
    const result = await pending;
    if (result.status === 'failed') throw result.error;
    this.counters.committed += 1;
    this.#end(a);
    if (result.delayedError !== undefined) {
      // Durable in the replica binlog, but the engine refused it (its log broke): txn
      // leaves such a transaction holding its locks, and nothing more can commit there.
      // Stop everything in flight; the transaction itself counts as committed (recovery
      // redoes it), so this one resolves and the next attempts fail.
      this.counters.delayedErrors += 1;
      this.#breakDown(result.delayedError);
    }
    // This commit's position row is now prunable by a later transaction of the domain.
    let waiting = this.#prunable.get(gtid.domainId);
    if (waiting === undefined) this.#prunable.set(gtid.domainId, (waiting = []));
    waiting.push(positionKey(gtid.domainId, gtid.seqNo));
  }

  async rollback(work: Work): Promise<void> {
    const a = this.#attempts.get(work.id);
    if (a === undefined) return;
    await a.t.rollback();
    this.counters.rolledBack += 1;
    this.#end(a);
    if (a.pruned.length > 0) this.#prunable.get(work.transaction.gtid.domainId)?.unshift(...a.pruned);
    a.pruned = [];
  }

  kill(work: Work): void {
    const a = this.#attempts.get(work.id);
    if (a === undefined) return;
    if (a.t.kill('killed by the replica applier so that an earlier transaction can proceed')) this.counters.kills += 1;
  }

  /** txn transaction id → the attempt it belongs to (`gtid#attempt`), for stall reports. */
  describeTransaction(txnId: number): string {
    const w = this.#byTxn.get(txnId);
    return w === undefined ? 'not an open attempt' : `${formatGtid(w.transaction.gtid)}#${w.attempt}${w.killed ? ' killed' : ''}`;
  }

  /** Attempts begun and not yet committed or rolled back (a finished run leaves none). */
  openAttempts(): number {
    return this.#attempts.size;
  }

  /**
   * The engine failed: every open attempt is killed (a pending lock wait rejects, a parked
   * commit wait too) and every later `begin`/`apply`/`commit` fails with a non-temporary
   * error, so the applier stops each domain at a consistent cut.
   */
  #breakDown(cause: unknown): void {
    this.#broken ??= new ReplicaEngineFailedError(cause);
    for (const a of this.#attempts.values()) {
      a.t.kill('the replica engine failed');
      a.ticket?.kill('the replica engine failed');
    }
  }

  #attempt(work: Work): Attempt {
    const a = this.#attempts.get(work.id);
    if (a === undefined) throw new UnsupportedEventError(`attempt ${work.id} was never begun`);
    return a;
  }

  #end(a: Attempt): void {
    this.#attempts.delete(a.work.id);
    this.#byTxn.delete(a.t.id);
  }
}
