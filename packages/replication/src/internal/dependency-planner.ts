import type { ApplierCounters, ApplyTarget, ParallelMode } from '../types.js';
import type { ScheduledTransaction } from './scheduled-transaction.js';

/**
 * Decides, at dispatch time, what a transaction waits for before it starts.
 *
 * Rules (REQUIRES: called in dispatch order, once per transaction, before dispatching
 * the next one):
 * - `none`: the previous transaction of any domain has committed (one at a time).
 * - `minimal`: the previous transaction of the domain has started to commit.
 * - `conservative`: transactions sharing the primary's commit id form a batch; a batch
 *   starts once every member of the previous batch has started to commit.
 * - `optimistic`: start at once, except DDL, non-transactional, not-allow-parallel and
 *   waited transactions, which wait for the previous one to commit (with key-aware
 *   scheduling, `waited` is ignored when the write set is known: the keys say exactly
 *   what it conflicts with).
 * - `aggressive`: as optimistic, ignoring not-allow-parallel and waited.
 * - In every parallel mode, DDL and non-transactional work is a barrier on both sides.
 * - Key-aware (conservative, optimistic, aggressive): a transaction whose write set is
 *   known waits for the latest earlier uncommitted transaction of its domain that writes
 *   any of its keys; unknown write sets are speculated.
 */
export interface PlannerSettings<E> {
  readonly mode: ParallelMode;
  readonly keyAware: boolean;
  readonly maxWriteSetKeys: number;
  readonly target: ApplyTarget<E>;
  readonly counters: ApplierCounters;
}

function live<E>(s: ScheduledTransaction<E> | undefined): s is ScheduledTransaction<E> {
  return s !== undefined && s.state !== 'committed';
}

function isBarrier<E>(s: ScheduledTransaction<E>): boolean {
  return s.transaction.flags.ddl || !s.transaction.flags.transactional;
}

/** The write set of a transaction, or undefined when any event's keys are unknown or there are too many. */
export function writeSetOf<E>(target: ApplyTarget<E>, events: readonly E[], maxKeys: number): string[] | undefined {
  if (target.writeSet === undefined) return undefined;
  const keys = new Set<string>();
  for (const event of events) {
    const eventKeys = target.writeSet(event);
    if (eventKeys === undefined) return undefined;
    for (const key of eventKeys) keys.add(key);
    if (keys.size > maxKeys) return undefined;
  }
  return [...keys];
}

export function planDependencies<E>(s: ScheduledTransaction<E>, globalLast: ScheduledTransaction<E> | undefined, settings: PlannerSettings<E>): void {
  const { mode } = settings;
  const domain = s.domain;
  const previous = s.previous;
  if (mode === 'none') {
    if (live(globalLast)) s.commitDeps.push(globalLast);
    return;
  }
  const flags = s.transaction.flags;
  let waitsForPrevious = live(previous) && (isBarrier(s) || isBarrier(previous));
  if (mode === 'minimal') {
    if (live(previous)) s.startCommitDeps.push(previous);
  } else if (mode === 'conservative') {
    const commitId = s.transaction.commitId;
    const sameBatch = commitId !== undefined && commitId === domain.batchCommitId && domain.batch.length > 0;
    if (!sameBatch) {
      domain.previousBatch = domain.batch;
      domain.batch = [];
      domain.batchCommitId = commitId;
    }
    domain.batch.push(s);
    for (const member of domain.previousBatch) if (live(member)) s.startCommitDeps.push(member);
  }
  const keyAware = settings.keyAware && mode !== 'minimal';
  if (keyAware) {
    s.keys = writeSetOf(settings.target, s.transaction.events, settings.maxWriteSetKeys);
    if (s.keys === undefined) settings.counters.unknownKeys += 1;
  }
  if (mode === 'optimistic') {
    // `waited` is the primary's hint of a likely conflict; a known write set says exactly
    // which transaction it conflicts with, so the hint only matters without one.
    waitsForPrevious ||= live(previous) && (!flags.allowParallel || (flags.waited && s.keys === undefined));
  }
  if (!keyAware) {
    if (waitsForPrevious && previous !== undefined) s.commitDeps.push(previous);
    return;
  }
  // Keys are registered even when the transaction waits for its predecessor anyway, so
  // that later transactions writing the same keys know to wait for it.
  const conflicts = new Set<ScheduledTransaction<E>>();
  for (const key of s.keys ?? []) {
    const owner = domain.keyOwners.get(key);
    if (live(owner) && owner.state !== 'failed') conflicts.add(owner);
    domain.keyOwners.set(key, s);
  }
  if (waitsForPrevious && previous !== undefined) {
    // Once the previous one committed, every earlier one has: nothing else to wait for.
    s.commitDeps.push(previous);
  } else if (conflicts.size > 0) {
    settings.counters.keyWaits += 1;
    s.keyDeps.push(...conflicts);
  }
}
