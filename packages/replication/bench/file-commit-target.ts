// A simulated apply target for the benchmark: rows in a Map, a per-row exclusive lock
// table that reports waits to the applier, and commits through a tc GroupCommitQueue
// whose flush appends the group to a real file and datasyncs it (one fsync per group).
// It stands in for the SQL layer until that exists.
import { nodeFileSystem, type FileHandle } from '@lockstep/base';
import { GroupCommitQueue, type CommitOrderTicket, type CoordinatorPosition } from '@lockstep/tc';
import type { ApplyTarget, WorkerTransaction } from '../src/index.js';

export interface BenchEvent {
  readonly kind: 'update' | 'delete' | 'insert';
  /** `sbtest1:<id>` */
  readonly key: string;
}

type Work = WorkerTransaction<BenchEvent>;

class TemporaryError extends Error {
  readonly temporary = true;
}

interface Txn {
  readonly work: Work;
  readonly writes: Map<string, number>;
  readonly locks: string[];
  pending: { readonly reject: (e: unknown) => void; readonly key: string } | undefined;
}

export class FileCommitTarget implements ApplyTarget<BenchEvent> {
  readonly rows = new Map<string, number>();
  onLockWait: ((waiter: Work, holders: readonly Work[]) => void) | undefined;
  readonly #locks = new Map<string, { holder: Txn; waiters: { txn: Txn; grant: () => void }[] }>();
  readonly #txns = new Map<number, Txn>();
  readonly queue: GroupCommitQueue<Txn>;
  #offset = 0;
  readsYield = true;

  constructor(file: FileHandle) {
    this.queue = new GroupCommitQueue<Txn>(
      {
        flushGroup: async (group): Promise<CoordinatorPosition[]> => {
          // One record per transaction: its GTID; one append and one datasync per group.
          const text = group.map((t) => `${t.work.transaction.gtid.domainId}-${t.work.transaction.gtid.seqNo}\n`).join('');
          const bytes = new TextEncoder().encode(text);
          await file.append(bytes);
          await file.datasync();
          this.#offset += bytes.length;
          return group.map(() => ({ logNumber: 1, offset: this.#offset }));
        },
        runOrdered: (txn) => {
          for (const [key, value] of txn.writes) this.rows.set(key, value);
        },
      },
      { maxQueuedCommits: 1 << 20 },
    );
  }

  writeSet(event: BenchEvent): readonly string[] {
    return [event.key];
  }

  begin(work: Work): Promise<void> {
    this.#txns.set(work.id, { work, writes: new Map(), locks: [], pending: undefined });
    return Promise.resolve();
  }

  async apply(work: Work, event: BenchEvent): Promise<void> {
    const txn = this.#txns.get(work.id)!;
    // The row read a real engine does (a page lookup that may wait for I/O): one trip
    // through the event loop, so that workers' events interleave as they would.
    if (this.readsYield) await new Promise<void>((resolve) => setImmediate(resolve));
    await this.#lock(txn, event.key);
    if (work.killed) throw new TemporaryError('killed');
    txn.writes.set(event.key, event.kind === 'delete' ? -1 : Number(work.transaction.gtid.seqNo));
  }

  async commit(work: Work, ticket: CommitOrderTicket): Promise<void> {
    const txn = this.#txns.get(work.id)!;
    if (work.killed) throw new TemporaryError('killed');
    const outcome = await this.queue.submit(txn, ticket);
    if (!outcome.ok) throw outcome.error;
    this.#end(txn);
  }

  rollback(work: Work): Promise<void> {
    const txn = this.#txns.get(work.id);
    if (txn !== undefined) this.#end(txn);
    return Promise.resolve();
  }

  kill(work: Work): void {
    const txn = this.#txns.get(work.id);
    const pending = txn?.pending;
    if (txn === undefined || pending === undefined) return;
    txn.pending = undefined;
    const lock = this.#locks.get(pending.key);
    if (lock !== undefined) lock.waiters = lock.waiters.filter((w) => w.txn !== txn);
    pending.reject(new TemporaryError('lock wait killed'));
  }

  #lock(txn: Txn, key: string): Promise<void> {
    const lock = this.#locks.get(key);
    if (lock === undefined) {
      this.#locks.set(key, { holder: txn, waiters: [] });
      txn.locks.push(key);
      return Promise.resolve();
    }
    if (lock.holder === txn) return Promise.resolve();
    if (txn.work.killed) return Promise.reject(new TemporaryError('killed'));
    return new Promise<void>((resolve, reject) => {
      txn.pending = { reject, key };
      lock.waiters.push({
        txn,
        grant: () => {
          txn.pending = undefined;
          resolve();
        },
      });
      this.onLockWait?.(txn.work, [lock.holder.work]);
    });
  }

  #end(txn: Txn): void {
    this.#txns.delete(txn.work.id);
    for (const key of txn.locks) {
      const lock = this.#locks.get(key)!;
      const next = lock.waiters.shift();
      if (next === undefined) {
        this.#locks.delete(key);
        continue;
      }
      lock.holder = next.txn;
      next.txn.locks.push(key);
      next.grant();
      for (const w of lock.waiters) this.onLockWait?.(w.txn.work, [next.txn.work]);
    }
    txn.locks.length = 0;
  }
}

export async function openTarget(path: string): Promise<{ target: FileCommitTarget; close: () => Promise<void> }> {
  const file = await nodeFileSystem.open(path, { create: true, truncate: true });
  return { target: new FileCommitTarget(file), close: () => file.close() };
}
