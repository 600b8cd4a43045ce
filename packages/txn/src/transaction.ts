import { invariant, LockstepError } from '@lockstep/base';
import type { KvEngine, KvEntry, KvSnapshot, WriteOp } from '@lockstep/kv';
import { compareBytes, DeadlockError, LockWaitKilledError, LockWaitTimeoutError, type Bound, type LockManager, type LockMode, type LockTree } from '@lockstep/locktree';
import { encodeCoordinatorPosition, type CoordinatorPosition } from './coordinator-position.js';
import { CommitNotDurableError } from './errors/commit-not-durable-error.js';
import { DuplicateKeyError } from './errors/duplicate-key-error.js';
import { TransactionAbortedError } from './errors/transaction-aborted-error.js';
import { TransactionBusyError } from './errors/transaction-busy-error.js';
import { TransactionKilledError } from './errors/transaction-killed-error.js';
import { TooManyIteratorsError } from './errors/too-many-iterators-error.js';
import { TransactionStateError } from './errors/transaction-state-error.js';
import { TransactionTooLargeError } from './errors/transaction-too-large-error.js';
import { WriteConflictError } from './errors/write-conflict-error.js';
import { WriteBuffer, type BufferedWrite } from './internal/write-buffer.js';
import { indexIdOf } from './key-layout.js';
import { lockBounds } from './internal/lock-bounds.js';
import { TransactionIterator, type ScanContext } from './transaction-iterator.js';
import type { IsolationLevel, KeyRange, LockingMode, ScanOptions, TransactionBranch, TransactionState, TxnCounters } from './types.js';

/** Open scans one transaction may hold at once (each pins an engine snapshot until closed or the transaction ends). */
export const MAX_OPEN_ITERATORS = 1024;

/** @internal What a transaction needs from its database. */
export interface TransactionHost {
  readonly engine: KvEngine;
  readonly locks: LockManager;
  readonly counters: TxnCounters;
  readonly maxWriteBytes: number;
  readonly syncCommit: boolean;
  readonly participantName: string;
  tree(indexId: number): LockTree;
  /** Claims `xid` for `txn`; throws XidInUseError when taken. */
  claimXid(xid: bigint, txn: Transaction): void;
  /** The transaction ended (committed or rolled back): forget it, its xid and its wait edges. */
  finished(txn: Transaction): void;
}

/** A position in a transaction's writes; `rollbackToSavepoint` undoes every write after it. */
export interface Savepoint {
  readonly txnId: number;
  readonly mark: number;
}

type Doom = { readonly kind: 'killed'; readonly reason: string } | { readonly kind: 'aborted'; readonly error: LockstepError };

export interface TransactionConfig {
  readonly id: number;
  readonly lockingMode: LockingMode;
  readonly isolation: IsolationLevel;
  readonly lockWaitTimeoutMs: number;
  readonly deadlockDetection: boolean;
  readonly startedMs: number;
}

/**
 * One pessimistic transaction. Create with `TransactionDb.begin`.
 *
 * Operations run one at a time (a second operation while one waits for a lock throws
 * TransactionBusyError). Writes are buffered under exclusive locks and applied at commit.
 *
 * Invariants: every buffered write's key is exclusively locked by this transaction; in
 * point locking with repeatable read, no key read by a locking read or written was changed
 * by anyone else after the snapshot; after commit or rollback the transaction holds no
 * lock, snapshot or iterator.
 */
export class Transaction {
  readonly id: number;
  readonly lockingMode: LockingMode;
  readonly isolation: IsolationLevel;
  readonly lockWaitTimeoutMs: number;
  readonly deadlockDetection: boolean;
  readonly startedMs: number;
  readonly #host: TransactionHost;
  readonly #writes = new WriteBuffer();
  readonly #iterators = new Set<TransactionIterator>();
  #state: TransactionState = 'active';
  #snapshot: KvSnapshot | undefined;
  #waiting = false;
  #waitedForLock = false;
  #doom: Doom | undefined;
  #xid: bigint | undefined;
  #orderedCommitDone = false;
  #ended = false;
  #engineBusy = false;
  #recovered = false;

  /** @internal Use `TransactionDb.begin`. */
  constructor(host: TransactionHost, config: TransactionConfig) {
    this.#host = host;
    this.id = config.id;
    this.lockingMode = config.lockingMode;
    this.isolation = config.isolation;
    this.lockWaitTimeoutMs = config.lockWaitTimeoutMs;
    this.deadlockDetection = config.deadlockDetection;
    this.startedMs = config.startedMs;
  }

  get state(): TransactionState {
    return this.#state;
  }

  /** True once the transaction has waited for a lock (the primary's GTID "waited" flag). */
  get waitedForLock(): boolean {
    return this.#waitedForLock;
  }

  /** True while an operation of this transaction waits for a lock. */
  get waitingForLock(): boolean {
    return this.#waiting;
  }

  /** Why the transaction must roll back (killed, deadlock, write conflict), or undefined. */
  get mustRollBack(): string | undefined {
    const doom = this.#doom;
    if (doom === undefined) return undefined;
    return doom.kind === 'killed' ? `killed: ${doom.reason}` : doom.error.message;
  }

  get xid(): bigint | undefined {
    return this.#xid;
  }

  /** True for a prepared transaction the database found in the engine when it opened. */
  get recovered(): boolean {
    return this.#recovered;
  }

  get bufferedWrites(): number {
    return this.#writes.size;
  }

  get bufferedBytes(): number {
    return this.#writes.bytes;
  }

  /**
   * Repeatable read: takes the transaction's snapshot now if it has none (plain reads and
   * the point-mode snapshot check then use it). Returns its sequence; undefined in read
   * committed, which has no transaction snapshot.
   */
  takeSnapshot(): bigint | undefined {
    this.#checkUsable('take a snapshot');
    return this.#readSnapshot()?.sequence;
  }

  // ---- reads ---------------------------------------------------------------------------

  /** Plain read: the transaction's own write, else the engine as of the read snapshot. Takes no lock. The value must not be modified. */
  get(key: Uint8Array): Uint8Array | undefined {
    this.#checkUsable('read');
    indexIdOf(key);
    const own = this.#writes.get(key);
    if (own !== undefined) return own.value;
    const snapshot = this.#readSnapshot();
    return snapshot === undefined ? this.#host.engine.get(key) : this.#host.engine.get(key, { snapshot });
  }

  /** Locking read with an exclusive lock (SELECT ... FOR UPDATE). See the README for what it reads in each mode. */
  getForUpdate(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.#lockingGet(key, 'exclusive');
  }

  /** Locking read with a shared lock (SELECT ... FOR SHARE). */
  getForShare(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.#lockingGet(key, 'shared');
  }

  /**
   * A scan of one index, merging this transaction's writes with the engine. Plain by
   * default; with `lock` it locks what it reads (see `ScanOptions.lock`). Bounds are full
   * kv keys of `indexId`; absent bounds mean the index's ends.
   */
  scan(indexId: number, options: ScanOptions = {}): TransactionIterator {
    this.#checkUsable('scan');
    if (this.#iterators.size >= MAX_OPEN_ITERATORS) throw new TooManyIteratorsError(this.id, MAX_OPEN_ITERATORS);
    const iterator = new TransactionIterator(this.#scanContext(), indexId, options);
    this.#iterators.add(iterator);
    return iterator;
  }

  // ---- locks ---------------------------------------------------------------------------

  /** Locks one key without reading it. */
  async lockKey(key: Uint8Array, mode: LockMode): Promise<void> {
    this.#checkUsable('lock');
    await this.#lock(this.#host.tree(indexIdOf(key)), key, key, mode);
  }

  /**
   * Locks a key range of an index (both modes). Bounds: full kv keys of `indexId`; an
   * absent bound is the index's end. `lt` locks up to and including its key (the lock tree
   * has inclusive bounds): one extra point.
   */
  async lockRange(indexId: number, range: KeyRange, mode: LockMode): Promise<void> {
    this.#checkUsable('lock');
    const { left, right } = lockBounds(indexId, range);
    if (left instanceof Uint8Array && right instanceof Uint8Array && compareBytes(left, right) > 0) return; // an empty range
    await this.#lock(this.#host.tree(indexId), left, right, mode);
  }

  // ---- writes --------------------------------------------------------------------------

  /** Writes `value` under `key` (insert or overwrite), under an exclusive lock. */
  async put(key: Uint8Array, value: Uint8Array): Promise<void> {
    await this.#write(key, value.slice(), 'put');
  }

  /** Deletes `key` (a no-op on the engine if absent), under an exclusive lock. */
  async delete(key: Uint8Array): Promise<void> {
    await this.#write(key, undefined, 'delete');
  }

  /** Insert-if-absent: DuplicateKeyError (1062) if the key exists (committed, or written by this transaction). */
  async insert(key: Uint8Array, value: Uint8Array): Promise<void> {
    await this.#write(key, value.slice(), 'insert');
  }

  // ---- savepoints and statements -------------------------------------------------------

  savepoint(): Savepoint {
    this.#checkState('set a savepoint');
    return { txnId: this.id, mark: this.#writes.mark };
  }

  /**
   * Undoes every write after `savepoint`. Locks taken since stay held until the
   * transaction ends (as InnoDB does): a later statement may rely on them, and releasing
   * a gap another statement of this transaction read through would let a phantom in.
   */
  rollbackToSavepoint(savepoint: Savepoint): void {
    this.#checkState('roll back to a savepoint');
    if (savepoint.txnId !== this.id || savepoint.mark > this.#writes.mark) {
      throw new TransactionStateError(this.id, this.#state, `roll back to savepoint ${savepoint.mark} of txn ${savepoint.txnId} (not one of its live savepoints)`);
    }
    this.#writes.rollbackTo(savepoint.mark);
  }

  /**
   * Runs one statement: if `body` throws, the statement's writes (only) are undone and the
   * error is rethrown. After a deadlock, write conflict or kill the whole transaction must
   * still roll back.
   */
  async statement<T>(body: () => Promise<T>): Promise<T> {
    this.#checkUsable('start a statement');
    const mark = this.#writes.mark;
    try {
      return await body();
    } catch (error) {
      if ((this.#state === 'active' || this.#state === 'committing') && this.#writes.mark >= mark) this.#writes.rollbackTo(mark);
      throw error;
    }
  }

  // ---- kill ----------------------------------------------------------------------------

  /**
   * Kills the transaction: a pending lock wait rejects at once with LockWaitKilledError
   * (1927), and every later operation fails with TransactionKilledError (1927) until
   * `rollback`. A transaction that has started to commit (prepared, handed to a
   * coordinator, committing) cannot be killed: returns false.
   */
  kill(reason = 'killed'): boolean {
    if (this.#state !== 'active') return false;
    this.#doom ??= { kind: 'killed', reason };
    this.#host.counters.kills += 1;
    this.#host.locks.kill(this.id, reason);
    return true;
  }

  // ---- commit --------------------------------------------------------------------------

  /**
   * One-phase commit when alone (one atomic engine batch, fsynced when `syncCommit`), or
   * the end of a two-phase commit (after `prepare` and/or `commitOrdered`). Releases every
   * lock. If the engine refuses the batch, the transaction is rolled back and the error
   * rethrown; if it applied the batch but its log failed, the transaction is committed
   * (visible) and CommitNotDurableError is thrown.
   */
  async commit(): Promise<void> {
    if (this.#state === 'committed' && this.#orderedCommitDone && !this.#ended) {
      this.#finish('committed');
      return;
    }
    if (this.#state === 'prepared') {
      const xid = this.#xid!;
      this.#state = 'committing';
      this.#engineBusy = true;
      try {
        await this.#host.engine.commitPrepared(xid, { sync: this.#host.syncCommit });
      } catch (error) {
        this.#state = 'prepared';
        throw error;
      } finally {
        this.#engineBusy = false;
      }
      this.#finish('committed');
      return;
    }
    this.#checkUsable('commit');
    this.#state = 'committing';
    const ops = this.#ops();
    if (ops.length === 0) {
      this.#finish('committed');
      return;
    }
    // Which version of a written key is there now: after a failed write, a newer one means
    // the engine applied the batch (no one else can write the key: we hold its lock).
    const probe = ops[0]!.key;
    const before = this.#host.engine.getEntry(probe)?.sequence;
    this.#engineBusy = true;
    try {
      await this.#host.engine.write(ops, { sync: this.#host.syncCommit });
    } catch (error) {
      this.#engineBusy = false;
      if (this.#host.engine.getEntry(probe)?.sequence !== before) {
        this.#finish('committed');
        throw new CommitNotDurableError(this.id, error);
      }
      this.#finish('rolled-back');
      throw error;
    }
    this.#engineBusy = false;
    this.#finish('committed');
  }

  /**
   * Undoes everything (a prepared transaction too) and releases every lock; a pending lock
   * wait of the transaction is cancelled. Idempotent after rollback. Not allowed after
   * commit or while an engine call of commit/prepare is in flight.
   */
  async rollback(): Promise<void> {
    if (this.#state === 'rolled-back') return;
    if (this.#state === 'committed' || this.#engineBusy) throw new TransactionStateError(this.id, this.#state, 'roll back');
    if (this.#xid !== undefined && this.#state === 'prepared') {
      this.#state = 'committing';
      this.#engineBusy = true;
      try {
        await this.#host.engine.rollbackPrepared(this.#xid);
      } catch (error) {
        // Still prepared in the engine: stay prepared (and locked) so the coordinator can retry.
        this.#state = 'prepared';
        throw error;
      } finally {
        this.#engineBusy = false;
      }
      this.#finish('rolled-back');
      return;
    }
    this.#finish('rolled-back');
  }

  /**
   * Two-phase commit, phase one: the writes are made durable in the engine under `xid`,
   * invisible. Locks stay held. If the engine fails, the error is rethrown and the
   * transaction is left prepared (when the engine registered it) or active; either way
   * `rollback()` undoes it.
   */
  async prepare(xid: bigint): Promise<void> {
    this.#checkUsable('prepare');
    this.#host.claimXid(xid, this);
    this.#xid = xid;
    this.#state = 'committing';
    this.#engineBusy = true;
    try {
      await this.#host.engine.prepare(xid, this.#ops(), { sync: this.#host.syncCommit });
    } catch (error) {
      // The engine may have registered the prepare before its log failed: then the
      // transaction is prepared (roll it back through the engine), else still active.
      this.#state = this.#host.engine.recoverPrepared().some((p) => p.xid === xid) ? 'prepared' : 'active';
      throw error;
    } finally {
      this.#engineBusy = false;
    }
    this.#state = 'prepared';
    this.#host.counters.prepared += 1;
  }

  /**
   * Makes the transaction visible now, synchronously: the call order is the commit order
   * (a coordinator's ordered phase). `position` (a coordinator position or its encoding)
   * is stored atomically with the batch. Locks stay held until `commit()`.
   */
  commitOrdered(position?: CoordinatorPosition | Uint8Array): void {
    const coordinatorPosition = position === undefined ? undefined : position instanceof Uint8Array ? position : encodeCoordinatorPosition(position);
    const options = coordinatorPosition === undefined ? {} : { coordinatorPosition };
    if (this.#state === 'prepared') {
      this.#host.engine.commitPreparedOrdered(this.#xid!, options);
    } else {
      if (this.#state === 'active') this.#checkUsable('commit');
      invariant(this.#state === 'active' || (this.#state === 'committing' && this.#xid === undefined), () => `txn ${this.id}: commitOrdered while ${this.#state}`);
      const ops = this.#ops();
      if (ops.length > 0 || coordinatorPosition !== undefined) this.#host.engine.writeOrdered(ops, options);
    }
    this.#orderedCommitDone = true;
    this.#state = 'committed';
  }

  /**
   * This transaction as a @lockstep/tc branch. From now on the transaction accepts no
   * operation and cannot be killed (it is committing); the coordinator drives it.
   */
  branch(): TransactionBranch {
    this.#checkUsable('start a commit');
    this.#state = 'committing';
    return {
      participantName: this.#host.participantName,
      prepare: async (xid: bigint) => {
        this.#state = 'active'; // prepare's own checks run on an active transaction; nothing else runs before them
        try {
          await this.prepare(xid);
        } catch (error) {
          if (this.state === 'active') this.#state = 'committing'; // still the coordinator's (the getter: prepare may have changed the state)
          throw error;
        }
      },
      commitOrdered: (position: CoordinatorPosition) => {
        try {
          this.commitOrdered(position);
        } catch (error) {
          // The coordinator has decided: its log is durable, so the transaction IS committed,
          // even though this engine refused to apply it now (its log failed; it refuses
          // writes until reopened, and recovery redoes the commit from the coordinator's
          // log). The coordinator reports the error as delayed and calls `commit`, which must
          // then end the transaction and release its locks, not refuse a "committing" one.
          this.#orderedCommitDone = true;
          this.#state = 'committed';
          throw error;
        }
      },
      commit: () => this.commit(),
      rollback: () => this.rollback(),
    };
  }

  // ---- internals -----------------------------------------------------------------------

  /** @internal Used by TransactionDb at startup: a prepared transaction found in the engine. */
  restorePrepared(xid: bigint, ops: readonly WriteOp[]): void {
    this.#xid = xid;
    this.#recovered = true;
    for (const op of ops) this.#writes.set(op.key, op.type === 'put' ? op.value : undefined);
    this.#state = 'prepared';
  }

  async #lockingGet(key: Uint8Array, mode: LockMode): Promise<Uint8Array | undefined> {
    this.#checkUsable('read');
    await this.#lock(this.#host.tree(indexIdOf(key)), key, key, mode);
    const own = this.#writes.get(key);
    if (own !== undefined) return own.value;
    if (this.lockingMode !== 'point' || this.isolation !== 'repeatable-read') return this.#host.engine.get(key);
    // One lookup of the newest version serves the snapshot check and the read.
    const latest = this.#host.engine.getEntry(key);
    this.#checkSnapshot(key, latest);
    return latest?.value;
  }

  async #write(key: Uint8Array, value: Uint8Array | undefined, kind: 'put' | 'delete' | 'insert'): Promise<void> {
    this.#checkUsable(kind);
    const owned = key.slice();
    const tree = this.#host.tree(indexIdOf(owned));
    await this.#lock(tree, owned, owned, 'exclusive');
    const own = this.#writes.get(owned);
    if (own === undefined) this.#checkSnapshot(owned);
    if (kind === 'insert') {
      const exists = own !== undefined ? own.value !== undefined : this.#host.engine.getEntry(owned)?.value !== undefined;
      if (exists) {
        this.#host.counters.duplicateKeys += 1;
        throw new DuplicateKeyError(this.id, owned);
      }
    }
    const after = this.#writes.bytesAfter(owned, value);
    if (after > this.#host.maxWriteBytes) throw new TransactionTooLargeError(this.id, after, this.#host.maxWriteBytes);
    this.#writes.set(owned, value);
  }

  /**
   * Takes a lock, waiting if needed. Requires: no other operation of this transaction is
   * waiting. The lock manager detects deadlocks with this transaction's setting (as the
   * waiter, or as the member of a cycle another waiter closed). Translates its errors: a
   * DeadlockError dooms the transaction; a kill stays LockWaitKilledError (1927); a
   * timeout only fails the operation.
   */
  async #lock(tree: LockTree, left: Bound, right: Bound, mode: LockMode): Promise<void> {
    const tried = tree.tryAcquire(this.id, left, right, mode);
    if (tried.granted) return;
    if (this.#waiting) throw new TransactionBusyError(this.id);
    this.#waitedForLock = true;
    this.#host.counters.lockWaits += 1;
    this.#waiting = true;
    try {
      await tree.acquire(this.id, left, right, mode, { timeoutMs: this.lockWaitTimeoutMs, deadlockDetection: this.deadlockDetection });
    } catch (error) {
      throw this.#lockFailure(error);
    } finally {
      this.#waiting = false;
    }
    // A kill that landed after the grant (in the same turn) still stops the operation.
    if (this.#doom !== undefined) throw this.#doomError();
  }

  #lockFailure(error: unknown): unknown {
    if (error instanceof LockWaitKilledError) {
      this.#doom ??= { kind: 'killed', reason: 'lock wait killed' };
      return error;
    }
    if (error instanceof DeadlockError) {
      this.#host.counters.deadlocks += 1;
      this.#doom ??= { kind: 'aborted', error };
      return error;
    }
    if (error instanceof LockWaitTimeoutError) this.#host.counters.lockWaitTimeouts += 1;
    return error;
  }

  /** Point locking with repeatable read: fail (and doom) if `key` changed after the snapshot. The key is locked by this transaction. */
  #checkSnapshot(key: Uint8Array, latest?: KvEntry): void {
    if (this.lockingMode !== 'point' || this.isolation !== 'repeatable-read') return;
    const snapshot = this.#snapshot;
    if (snapshot === undefined) {
      // No snapshot yet: take it now, under the lock; nothing can have changed since.
      this.#snapshot = this.#host.engine.snapshot();
      return;
    }
    const entry = latest ?? this.#host.engine.getEntry(key);
    if (entry !== undefined && entry.sequence > snapshot.sequence) {
      const error = new WriteConflictError(this.id, key, snapshot.sequence, entry.sequence);
      this.#host.counters.writeConflicts += 1;
      this.#doom ??= { kind: 'aborted', error };
      throw error;
    }
  }

  /**
   * What plain reads read: repeatable read, the transaction's snapshot (taken at the first
   * read); read committed, undefined — the newest committed state at each read (InnoDB:
   * every consistent read in read committed takes a fresh snapshot; a scan reads one
   * snapshot taken when it opens or refreshes).
   */
  #readSnapshot(): KvSnapshot | undefined {
    if (this.isolation === 'read-committed') return undefined;
    this.#snapshot ??= this.#host.engine.snapshot();
    return this.#snapshot;
  }

  #releaseSnapshot(): void {
    this.#snapshot?.release();
    this.#snapshot = undefined;
  }

  #ops(): WriteOp[] {
    return this.#writes.entries().map((w: BufferedWrite): WriteOp => (w.value === undefined ? { type: 'delete', key: w.key } : { type: 'put', key: w.key, value: w.value }));
  }

  #checkState(operation: string): void {
    if (this.#state !== 'active') throw new TransactionStateError(this.id, this.#state, operation);
  }

  #checkUsable(operation: string): void {
    if (this.#doom !== undefined) throw this.#doomError();
    this.#checkState(operation);
    if (this.#waiting) throw new TransactionBusyError(this.id);
  }

  #doomError(): LockstepError {
    const doom = this.#doom!;
    return doom.kind === 'killed' ? new TransactionKilledError(this.id, doom.reason) : new TransactionAbortedError(this.id, doom.error);
  }

  #finish(state: 'committed' | 'rolled-back'): void {
    invariant(!this.#ended, () => `txn ${this.id} ended twice`);
    this.#ended = true;
    for (const iterator of this.#iterators) iterator.close();
    this.#iterators.clear();
    this.#releaseSnapshot();
    this.#writes.clear();
    this.#state = state;
    this.#host.locks.releaseAll(this.id);
    if (state === 'committed') this.#host.counters.committed += 1;
    else this.#host.counters.rolledBack += 1;
    this.#host.finished(this);
  }

  #scanContext(): ScanContext {
    return {
      engine: this.#host.engine,
      writes: this.#writes,
      lockingMode: this.lockingMode,
      readsLatestWhenLocking: this.lockingMode === 'range' || this.isolation === 'read-committed',
      readSnapshot: () => this.#readSnapshot(),
      checkUsable: () => {
        this.#checkUsable('scan');
      },
      tree: (indexId) => this.#host.tree(indexId),
      lock: (tree, left, right, mode) => this.#lock(tree, left, right, mode),
      checkSnapshot: (key) => {
        this.#checkSnapshot(key);
      },
      closed: (iterator) => this.#iterators.delete(iterator),
    };
  }
}
