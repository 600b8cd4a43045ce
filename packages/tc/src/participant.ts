/**
 * The interfaces a transaction coordinator talks to. Declared here (the lower layer) and
 * implemented by storage engines and the SQL layer.
 */

/** A transaction id as MySQL's XA/XID machinery uses it: an unsigned 64-bit number. */
export type Xid = bigint;

/** Where in the coordinator's log a commit was recorded; engines store it opaquely. */
export interface CoordinatorPosition {
  /** Index of the log file (binlog file number, XID-log file number). */
  readonly logNumber: number;
  /** Byte offset of the end of the commit's record in that file. */
  readonly offset: number;
}

/**
 * One participant's part of one transaction.
 *
 * Call order for a committed transaction: `prepare` (only when the coordinator runs
 * two-phase commit) → `prepareOrdered` → `commitOrdered` → `commit`. For a failed one:
 * `prepare` (maybe) → `rollback`.
 */
export interface TransactionBranch {
  /** Name of the participant, for status and errors. */
  readonly participantName: string;
  /** Makes the branch's changes durable but invisible, under `xid`. May fail. */
  prepare?(xid: Xid): Promise<void>;
  /** Runs in commit order before the log is synced; fast; cannot fail. */
  prepareOrdered?(): void;
  /** Makes the changes visible. Runs in commit order; the call order IS the commit order; cannot fail. */
  commitOrdered(position: CoordinatorPosition): void;
  /** The slow, unordered remainder (releasing locks, freeing memory). An error here is reported, not rolled back. */
  commit?(): Promise<void>;
  /** Undoes the branch (prepared or not). */
  rollback(): Promise<void>;
}

/** What a coordinator needs from a participant outside any one transaction. */
export interface TcParticipant {
  readonly name: string;
  /** XIDs prepared but neither committed nor rolled back (after a restart). */
  recoverPrepared(): Promise<readonly Xid[]>;
  commitPrepared(xid: Xid): Promise<void>;
  rollbackPrepared(xid: Xid): Promise<void>;
  /**
   * Makes every commit that has run `commitOrdered` so far durable (commits normally do not
   * fsync in the engine). After it returns the coordinator may forget those commits.
   */
  checkpoint?(): Promise<void>;
}

/** The result of `logAndOrder`, per transaction. */
export type CommitResult =
  | {
      readonly status: 'committed';
      readonly position: CoordinatorPosition;
      /** An error after durability (in `commit`): reported, the transaction stays committed. */
      readonly delayedError?: unknown;
    }
  | { readonly status: 'failed'; readonly error: unknown };
