import { systemClock, type Clock } from '@lockstep/base';
import type { KvEngine } from '@lockstep/kv';
import { LockManager, type LockTree, type TxnId } from '@lockstep/locktree';
import { InvalidOptionError } from './errors/invalid-option-error.js';
import { TooManyTransactionsError } from './errors/too-many-transactions-error.js';
import { UnknownXidError } from './errors/unknown-xid-error.js';
import { XidInUseError } from './errors/xid-in-use-error.js';
import { INDEX_ID_BYTES, indexIdOf } from './key-layout.js';
import { Transaction, type TransactionHost } from './transaction.js';
import type {
  BeginOptions,
  IsolationLevel,
  LockingMode,
  LockWaitListener,
  LockWaitStatus,
  TcParticipant,
  TransactionDbOptions,
  TransactionDbStatus,
  TransactionStatus,
  TxnCounters,
} from './types.js';

/** setTimeout's limit: a longer lock wait timeout would fire at once. */
export const MAX_LOCK_WAIT_TIMEOUT_MS = 2_147_483_647;
const DEFAULT_LOCK_WAIT_TIMEOUT_MS = 50_000;
const DEFAULT_MAX_WRITE_BYTES = 64 * 1024 * 1024;
const DEFAULT_MAX_TRANSACTIONS = 100_000;
const DEFAULT_MAX_DEADLOCK_SEARCH = 1000;

/**
 * Pessimistic transactions over a kv engine and a lock manager (which it creates and
 * owns: one lock tree per index id, opened on first use).
 *
 * Deadlock detection is the lock manager's, switched per request: each transaction's lock
 * requests carry its `deadlockDetection` (see @lockstep/locktree: a cycle closed by a
 * request without detection fails the most recently queued member that has it on).
 *
 * Invariants: `#txns` holds exactly the transactions not yet committed or rolled back;
 * `#xids` maps each claimed XID to its transaction; a transaction id is never reused.
 */
export class TransactionDb {
  readonly engine: KvEngine;
  readonly lockManager: LockManager;
  readonly counters: TxnCounters = { begun: 0, committed: 0, rolledBack: 0, prepared: 0, writeConflicts: 0, duplicateKeys: 0, deadlocks: 0, lockWaitTimeouts: 0, kills: 0, lockWaits: 0 };
  readonly #txns = new Map<TxnId, Transaction>();
  readonly #xids = new Map<bigint, Transaction>();
  readonly #trees = new Map<number, LockTree>();
  readonly #clock: Clock;
  readonly #host: TransactionHost;
  readonly #defaults: { lockingMode: LockingMode; isolation: IsolationLevel; lockWaitTimeoutMs: number; deadlockDetection: boolean };
  readonly #maxTransactions: number;
  #onLockWait: LockWaitListener | undefined;
  #listenerErrors = 0;
  #lastListenerError: unknown;
  #nextId = 1;
  #closed = false;

  /**
   * Opens transactions over `engine`. Prepared transactions the engine recovered are
   * restored at once as prepared `Transaction`s holding exclusive locks on their keys, so
   * nothing can touch those keys until the coordinator resolves them.
   */
  constructor(engine: KvEngine, options: TransactionDbOptions = {}) {
    this.engine = engine;
    this.#clock = options.clock ?? systemClock;
    const lockingMode = options.lockingMode ?? 'range';
    const isolation = options.isolation ?? 'repeatable-read';
    checkMode(lockingMode, isolation);
    this.#defaults = {
      lockingMode,
      isolation,
      lockWaitTimeoutMs: checkTimeout(options.lockWaitTimeoutMs ?? DEFAULT_LOCK_WAIT_TIMEOUT_MS),
      deadlockDetection: options.deadlockDetection ?? true,
    };
    this.#maxTransactions = checkPositive('maxTransactions', options.maxTransactions ?? DEFAULT_MAX_TRANSACTIONS);
    const maxWriteBytes = checkPositive('maxWriteBytes', options.maxWriteBytes ?? DEFAULT_MAX_WRITE_BYTES);
    this.lockManager = new LockManager({
      clock: this.#clock,
      deadlockDetection: this.#defaults.deadlockDetection,
      maxDeadlockSearch: checkPositive('maxDeadlockSearch', options.maxDeadlockSearch ?? DEFAULT_MAX_DEADLOCK_SEARCH),
      lockWaitTimeoutMs: this.#defaults.lockWaitTimeoutMs,
      ...(options.lockMemoryLimitBytes === undefined ? {} : { memoryLimitBytes: checkPositive('lockMemoryLimitBytes', options.lockMemoryLimitBytes) }),
      onWait: (waiter, blockers, indexId) => {
        this.#reportWait(waiter, blockers, indexId);
      },
    });
    this.#onLockWait = options.onLockWait;
    this.#host = {
      engine,
      locks: this.lockManager,
      counters: this.counters,
      maxWriteBytes,
      syncCommit: options.syncCommit ?? true,
      participantName: options.participantName ?? 'txn',
      tree: (indexId) => this.#tree(indexId),
      claimXid: (xid, txn) => {
        const holder = this.#xids.get(xid);
        if (holder !== undefined && holder !== txn) throw new XidInUseError(xid);
        this.#xids.set(xid, txn);
      },
      finished: (txn) => {
        this.#txns.delete(txn.id);
        if (txn.xid !== undefined && this.#xids.get(txn.xid) === txn) this.#xids.delete(txn.xid);
      },
    };
    for (const prepared of engine.recoverPrepared()) {
      const txn = this.#create(this.#defaults);
      txn.restorePrepared(prepared.xid, prepared.ops);
      this.#xids.set(prepared.xid, txn);
      for (const op of prepared.ops) {
        // Keys outside the layout (shorter than an index id) cannot be placed in a tree; txn never writes them.
        if (op.key.length >= INDEX_ID_BYTES) this.#tree(indexIdOf(op.key)).tryAcquire(txn.id, op.key, op.key, 'exclusive');
      }
    }
  }

  /** Sets (or clears) the lock-wait listener. */
  set onLockWait(listener: LockWaitListener | undefined) {
    this.#onLockWait = listener;
  }

  begin(options: BeginOptions = {}): Transaction {
    if (this.#closed) throw new InvalidOptionError('begin', 'the TransactionDb is closed');
    if (this.#txns.size >= this.#maxTransactions) throw new TooManyTransactionsError(this.#maxTransactions);
    const lockingMode = options.lockingMode ?? this.#defaults.lockingMode;
    const isolation = options.isolation ?? this.#defaults.isolation;
    checkMode(lockingMode, isolation);
    const txn = this.#create({
      lockingMode,
      isolation,
      lockWaitTimeoutMs: options.lockWaitTimeoutMs === undefined ? this.#defaults.lockWaitTimeoutMs : checkTimeout(options.lockWaitTimeoutMs),
      deadlockDetection: options.deadlockDetection ?? this.#defaults.deadlockDetection,
    });
    if (options.consistentSnapshot === true) txn.takeSnapshot();
    return txn;
  }

  /** An open (not yet ended) transaction by id. */
  transaction(id: number): Transaction | undefined {
    return this.#txns.get(id);
  }

  /** Every open transaction, oldest first. */
  transactions(): Transaction[] {
    return [...this.#txns.values()];
  }

  /** The prepared transaction of `xid`, if any. */
  prepared(xid: bigint): Transaction | undefined {
    const txn = this.#xids.get(xid);
    return txn?.state === 'prepared' ? txn : undefined;
  }

  /** This database as a @lockstep/tc participant (recovery and checkpoints). */
  participant(): TcParticipant {
    const name = this.#host.participantName;
    return {
      name,
      recoverPrepared: () => Promise.resolve([...this.#xids.entries()].filter(([, txn]) => txn.state === 'prepared').map(([xid]) => xid)),
      commitPrepared: async (xid) => {
        const txn = this.prepared(xid);
        if (txn === undefined) throw new UnknownXidError(xid);
        await txn.commit();
      },
      rollbackPrepared: async (xid) => {
        const txn = this.prepared(xid);
        if (txn === undefined) throw new UnknownXidError(xid);
        await txn.rollback();
      },
      checkpoint: () => this.engine.flush({ sync: true }),
    };
  }

  status(): TransactionDbStatus {
    const locks = this.lockManager.status();
    const waiting = new Map<TxnId, LockWaitStatus>();
    for (const p of locks.pending) waiting.set(p.owner, { indexId: p.indexId, left: p.left, right: p.right, mode: p.mode, waitingMs: p.waitingMs, blockers: p.blockers });
    const now = this.#clock.now();
    const transactions: TransactionStatus[] = this.transactions().map((txn) => ({
      id: txn.id,
      state: txn.state,
      lockingMode: txn.lockingMode,
      isolation: txn.isolation,
      ageMs: now - txn.startedMs,
      waitedForLock: txn.waitedForLock,
      mustRollBack: txn.mustRollBack,
      xid: txn.xid,
      recovered: txn.recovered,
      bufferedWrites: txn.bufferedWrites,
      bufferedBytes: txn.bufferedBytes,
      locks: this.lockManager.heldRanges(txn.id),
      waitingFor: waiting.get(txn.id),
    }));
    return {
      transactions,
      counters: { ...this.counters },
      locks: { ...locks.counters, memoryBytes: locks.memoryBytes, heldLocks: locks.heldLocks },
      listenerErrors: this.#listenerErrors,
      lastListenerError: this.#lastListenerError,
    };
  }

  /**
   * Rolls back every open transaction that has not prepared (prepared ones stay in the
   * engine for recovery) and refuses new ones. Does not close the engine (the caller owns it).
   */
  async close(): Promise<void> {
    this.#closed = true;
    for (const txn of this.transactions()) {
      if (txn.state === 'active') await txn.rollback();
    }
  }

  #create(config: { lockingMode: LockingMode; isolation: IsolationLevel; lockWaitTimeoutMs: number; deadlockDetection: boolean }): Transaction {
    const id = this.#nextId++;
    const txn = new Transaction(this.#host, { id, startedMs: this.#clock.now(), ...config });
    this.#txns.set(id, txn);
    this.counters.begun += 1;
    return txn;
  }

  #tree(indexId: number): LockTree {
    let tree = this.#trees.get(indexId);
    if (tree === undefined) {
      tree = this.lockManager.openTree(indexId);
      this.#trees.set(indexId, tree);
    }
    return tree;
  }

  /** The lock manager's report, in its synchronous section (after its deadlock check): tell the listener. */
  #reportWait(waiterId: TxnId, blockers: readonly TxnId[], indexId: number): void {
    const listener = this.#onLockWait;
    if (listener === undefined) return;
    const waiter = this.#txns.get(waiterId);
    if (waiter === undefined) return;
    const holders: Transaction[] = [];
    for (const id of blockers) {
      const holder = this.#txns.get(id);
      if (holder !== undefined) holders.push(holder);
    }
    try {
      listener(waiter, holders, indexId);
    } catch (error) {
      // A throwing listener must not break the lock manager's pass; it is counted and shown in status.
      this.#listenerErrors += 1;
      this.#lastListenerError = error;
    }
  }
}

function checkMode(lockingMode: string, isolation: string): void {
  if (lockingMode !== 'point' && lockingMode !== 'range') throw new InvalidOptionError('lockingMode', `'${lockingMode}' is not 'point' or 'range'`);
  if (isolation !== 'repeatable-read' && isolation !== 'read-committed') throw new InvalidOptionError('isolation', `'${isolation}' is not 'repeatable-read' or 'read-committed'`);
}

function checkTimeout(ms: number): number {
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_LOCK_WAIT_TIMEOUT_MS) throw new InvalidOptionError('lockWaitTimeoutMs', `${ms} is not an integer in [0, ${MAX_LOCK_WAIT_TIMEOUT_MS}]`);
  return ms;
}

function checkPositive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new InvalidOptionError(name, `${value} is not a positive integer`);
  return value;
}
