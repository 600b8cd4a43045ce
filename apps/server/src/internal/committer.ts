// The SQL layer's Committer over tc: one logAndOrder per transaction, one fsync per group.
import { invariant, isLockstepError } from '@lockstep/base';
import type { Gtid } from '@lockstep/binlog';
import type { CommitRequest, Committer } from '@lockstep/sql';
import type { BinlogFileCoordinator } from '@lockstep/tc';
import { CommitFailedError } from '../errors/commit-failed-error.js';
import { ShutdownError } from '../errors/shutdown-error.js';

/**
 * Makes a transaction durable through `BinlogFileCoordinator.logAndOrder`: its one branch
 * (the txn transaction), its row events (or DDL query), GTID flags from the request. The
 * coordinator groups concurrent commits (one binlog append + one fsync per group) and runs
 * the engine's ordered commit in binlog order; the promise resolves once the commit is
 * durable in the binlog and visible in the engine. A failed commit rejects with tc's typed
 * error (CommitLogError 1026, ...); the caller rolls the transaction back.
 */
export class BinlogCommitter implements Committer {
  #tc: BinlogFileCoordinator | undefined;
  /** XIDs written into the binlog's XID events: unique within a run, increasing across runs. */
  #nextXid = BigInt(Date.now()) * 1000n;
  commits = 0;
  delayedErrors = 0;
  onDelayedError: ((error: unknown) => void) | undefined;

  /** An XID from the same sequence (the replica applier's commits share the binlog). */
  allocateXid(): bigint {
    return this.#nextXid++;
  }

  /** The coordinator exists only after recovery, which needs the engine, which needs this committer. */
  attach(tc: BinlogFileCoordinator | undefined): void {
    this.#tc = tc;
  }

  async commit(request: CommitRequest): Promise<{ readonly gtid: Gtid }> {
    const tc = this.#tc;
    if (tc === undefined) throw new ShutdownError();
    const xid = this.#nextXid++;
    const result = await tc.logAndOrder({
      xid,
      branches: [request.transaction.branch()],
      events: request.events,
      flags: { ddl: request.ddl, waited: request.waited, transactional: !request.ddl },
    });
    if (result.status === 'failed') throw isLockstepError(result.error) ? result.error : new CommitFailedError(result.error);
    if (result.delayedError !== undefined) {
      // Durable in the binlog, so committed; recovery redoes it into the engine if needed.
      this.delayedErrors += 1;
      this.onDelayedError?.(result.delayedError);
    }
    this.commits += 1;
    invariant(result.gtid !== undefined, 'a committed binlog transaction has a GTID');
    return { gtid: result.gtid };
  }
}
