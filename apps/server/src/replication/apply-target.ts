// The replica's ApplyTarget: binlog events applied through the SQL layer's RowEventApplier
// in txn transactions, committed through the server's BinlogFileCoordinator with the
// primary's GTID and the applier's commit-order ticket, the replica position in the same
// transaction. Follows @lockstep/replication's "Plugging in the SQL layer".
import type { BinlogEvent } from '@lockstep/binlog';
import { TransactionKilledError, type ApplyTarget, type ParallelApplier, type WorkerTransaction } from '@lockstep/replication';
import type { RowEventApplier, SqlEngine } from '@lockstep/sql';
import { formatGtid, type BinlogFileCoordinator, type CommitOrderTicket, type Gtid } from '@lockstep/tc';
import { indexKey, indexRange, type Transaction, type TransactionDb } from '@lockstep/txn';
import type { KvStore } from '@lockstep/kv';

type Work = WorkerTransaction<BinlogEvent>;

/**
 * The kv index holding gtid_slave_pos: one row per applied GTID (domain u32 BE, seq_no u64
 * BE → server id u32 BE), like MariaDB's mysql.gtid_slave_pos. Below the SQL layer's
 * first user index id (256) and above its catalog ids (1..4).
 */
export const REPLICA_POSITION_INDEX = 200;
/** Old position rows one transaction deletes at most (pruning rides on later commits). */
const MAX_POSITION_ROWS_PRUNED = 64;

export function positionKey(domainId: number, seqNo: bigint): Uint8Array {
  const b = new Uint8Array(12);
  const view = new DataView(b.buffer);
  view.setUint32(0, domainId);
  view.setBigUint64(4, seqNo);
  return indexKey(REPLICA_POSITION_INDEX, b);
}

export function serverIdBytes(serverId: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, serverId);
  return b;
}

/** Writes the position row of `gtid` into `t` (the same transaction as the rows). */
export async function writePosition(t: Transaction, gtid: Gtid): Promise<void> {
  await t.put(positionKey(gtid.domainId, gtid.seqNo), serverIdBytes(gtid.serverId));
}

/** The stored position rows per domain, oldest first (committed state). */
export function storedPositionRows(store: KvStore): Map<number, { key: Uint8Array; gtid: Gtid }[]> {
  const out = new Map<number, { key: Uint8Array; gtid: Gtid }[]>();
  const range = indexRange(REPLICA_POSITION_INDEX);
  for (const { key, value } of store.iterator({ gte: range.gte, ...(range.lt === undefined ? {} : { lt: range.lt }) })) {
    const view = new DataView(key.buffer, key.byteOffset + 4, 12);
    const domainId = view.getUint32(0);
    const gtid = { domainId, serverId: new DataView(value.buffer, value.byteOffset, 4).getUint32(0), seqNo: view.getBigUint64(4) };
    let list = out.get(domainId);
    if (list === undefined) out.set(domainId, (list = []));
    list.push({ key: key.slice(), gtid });
  }
  return out;
}

/** gtid_slave_pos as stored: the newest position per domain. */
export function storedPositions(store: KvStore): Gtid[] {
  return [...storedPositionRows(store).values()].map((rows) => rows.at(-1)!.gtid).sort((a, b) => a.domainId - b.domainId);
}

function isDdlTransaction(work: Work): boolean {
  return work.transaction.flags.ddl || work.transaction.events.some((e) => e.kind === 'query' && !/^\s*(BEGIN|COMMIT)\s*$/i.test(e.sql));
}

interface Attempt {
  readonly work: Work;
  /** Undefined for a DDL transaction: it runs whole in `commit` (engine redo path). */
  readonly t: Transaction | undefined;
  readonly rows: RowEventApplier;
  pruned: Uint8Array[];
}

export interface TargetContext {
  readonly engine: SqlEngine;
  readonly db: TransactionDb;
  readonly store: KvStore;
  readonly tc: BinlogFileCoordinator;
  readonly lockingMode: 'range' | 'point';
  /** XIDs for the replica's binlog. */
  readonly nextXid: () => bigint;
}

/**
 * One txn transaction per attempt; the attempt's position row written first (pruning older
 * rows of its domain); lock-wait reports from txn mapped back to attempts and handed to the
 * applier; commit hands branch and ticket to `logAndOrder` synchronously.
 */
export class ServerApplyTarget implements ApplyTarget<BinlogEvent> {
  readonly #context: TargetContext;
  readonly #attempts = new Map<number, Attempt>();
  readonly #byTxn = new Map<number, Work>();
  readonly #prunable = new Map<number, Uint8Array[]>();
  /** Write sets are computed by the reader, in stream order: one applier remembers its table maps. */
  readonly #writeSets: RowEventApplier;
  #applier: ParallelApplier<BinlogEvent> | undefined;

  constructor(context: TargetContext) {
    this.#context = context;
    this.#writeSets = context.engine.rowApplier();
    for (const [domainId, rows] of storedPositionRows(context.store)) this.#prunable.set(domainId, rows.slice(0, -1).map((r) => r.key));
    context.db.onLockWait = (waiter, holders) => {
      const w = this.#byTxn.get(waiter.id);
      if (w === undefined) return;
      const hs: Work[] = [];
      for (const h of holders) {
        const hw = this.#byTxn.get(h.id);
        if (hw !== undefined) hs.push(hw);
      }
      this.#applier?.onLockWait(w, hs);
    };
  }

  /** Lock-wait reports go to `applier` (one at a time). */
  connect(applier: ParallelApplier<BinlogEvent> | undefined): void {
    this.#applier = applier;
  }

  /** Stops forwarding lock-wait reports (the server's own sessions keep their normal waits). */
  detach(): void {
    this.#applier = undefined;
    this.#context.db.onLockWait = undefined;
  }

  writeSet(event: BinlogEvent): readonly string[] | undefined {
    return this.#writeSets.writeSet(event);
  }

  async begin(work: Work): Promise<void> {
    const domainId = work.transaction.gtid.domainId;
    if (isDdlTransaction(work)) {
      this.#attempts.set(work.id, { work, t: undefined, rows: this.#context.engine.rowApplier(), pruned: [] });
      return;
    }
    const t = this.#context.db.begin({ lockingMode: this.#context.lockingMode });
    const waiting = this.#prunable.get(domainId) ?? [];
    const pruned = waiting.splice(0, MAX_POSITION_ROWS_PRUNED);
    this.#attempts.set(work.id, { work, t, rows: this.#context.engine.rowApplier(), pruned });
    this.#byTxn.set(t.id, work);
    if (work.killed) t.kill('killed before it began');
    await writePosition(t, work.transaction.gtid);
    for (const key of pruned) await t.delete(key);
  }

  async apply(work: Work, event: BinlogEvent): Promise<void> {
    const a = this.#attempt(work);
    if (a.t === undefined) return;
    await a.rows.applyEvent(a.t, event);
  }

  async commit(work: Work, ticket: CommitOrderTicket): Promise<void> {
    const a = this.#attempt(work);
    if (work.killed) throw new TransactionKilledError(formatGtid(work.transaction.gtid));
    const { gtid, flags, events } = work.transaction;
    const log = async (t: Transaction): Promise<void> => {
      const pending = this.#context.tc.logAndOrder({
        xid: this.#context.nextXid(),
        branches: [t.branch()],
        events,
        gtid,
        flags: { ddl: flags.ddl, transactional: flags.transactional, waited: flags.waited, allowParallel: flags.allowParallel },
        ticket,
      });
      const result = await pending;
      if (result.status === 'failed') throw result.error;
    };
    if (a.t === undefined) {
      // DDL: the engine runs it (serialized with other DDL) and calls back with its transaction.
      await this.#context.engine.redo(events, async (t) => {
        await writePosition(t, gtid);
        await log(t);
      });
    } else {
      await log(a.t);
    }
    this.#end(a);
    let waiting = this.#prunable.get(gtid.domainId);
    if (waiting === undefined) this.#prunable.set(gtid.domainId, (waiting = []));
    waiting.push(positionKey(gtid.domainId, gtid.seqNo));
  }

  async rollback(work: Work): Promise<void> {
    const a = this.#attempts.get(work.id);
    if (a === undefined) return;
    if (a.t !== undefined && (a.t.state === 'active' || a.t.state === 'prepared')) await a.t.rollback();
    this.#end(a);
    if (a.pruned.length > 0) this.#prunable.get(work.transaction.gtid.domainId)?.unshift(...a.pruned);
    a.pruned = [];
  }

  kill(work: Work): void {
    this.#attempts.get(work.id)?.t?.kill('killed by the replica applier so that an earlier transaction can proceed');
  }

  #attempt(work: Work): Attempt {
    const a = this.#attempts.get(work.id);
    if (a === undefined) throw new Error(`replica attempt ${work.id} was never begun`);
    return a;
  }

  #end(a: Attempt): void {
    this.#attempts.delete(a.work.id);
    if (a.t !== undefined) this.#byTxn.delete(a.t.id);
  }
}
