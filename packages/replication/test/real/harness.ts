// Runs the applier on the real stack and checks what a replica must guarantee.
import { systemClock, type Clock, type FileSystem } from '@lockstep/base';
import type { BinlogEvent } from '@lockstep/binlog';
import { formatGtid, readBinlogTransactions, type Gtid } from '@lockstep/tc';
import { ParallelApplier, type ApplierOutcome, type ParallelApplierOptions, type ParallelMode, type ReplicatedTransaction } from '../../src/index.js';
import type { PrimaryHistory } from './history.js';
import { RealApplyTarget, Replica } from './real-target.js';
import { statesEqual } from './sbtest.js';

export interface RunConfig {
  readonly mode: ParallelMode;
  readonly workers: number;
  readonly keyAware: boolean;
  readonly commitOverlap?: number;
  readonly startPosition?: readonly Gtid[];
  readonly retryLimit?: number;
}

/** Builds an applier over `target` with its lock-wait reports wired. */
export function connectApplier(target: RealApplyTarget, config: RunConfig, clock: Clock = systemClock): ParallelApplier<BinlogEvent> {
  const options: ParallelApplierOptions<BinlogEvent> = {
    target,
    mode: config.mode,
    workers: config.workers,
    keyAware: config.keyAware,
    clock,
    maxQueuedBytes: 256 * 1024,
    ...(config.commitOverlap === undefined ? {} : { commitOverlap: config.commitOverlap }),
    ...(config.startPosition === undefined ? {} : { startPosition: config.startPosition }),
    ...(config.retryLimit === undefined ? {} : { retryLimit: config.retryLimit }),
  };
  const applier = new ParallelApplier<BinlogEvent>(options);
  target.connect(applier);
  return applier;
}

/** Rejects after `ms` of real time: a run that does not end is a stall, reported with its label. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, label: string, diagnose?: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${label}: no progress for ${ms} ms (stall)${diagnose === undefined ? '' : `\n${diagnose()}`}`));
    }, ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** What every worker, txn transaction and the commit queue are doing (for a stall report). */
export function describeStall(applier: ParallelApplier<BinlogEvent>, target: RealApplyTarget): string {
  const replica = target.replica;
  const status = applier.status();
  const workers = status.workers.map((w) => `  worker ${w.workerId}: ${w.gtid ?? '-'} attempt ${w.attempt}: ${w.state}`);
  const txns = replica.db.status().transactions.map((t) => `  txn ${t.id} [${target.describeTransaction(t.id)}] ${t.state}${t.mustRollBack === undefined ? '' : ` (${t.mustRollBack})`}${t.waitingFor === undefined ? '' : ` waits for ${t.waitingFor.blockers.join(',')}`}`);
  const tc = replica.tc.stats();
  return [`reader: ${status.reader}; counters ${JSON.stringify(status.counters)}`, ...workers, ...txns, `tc: queued ${tc.queued}, parked ${tc.parked}, commits ${tc.commits}, failed ${tc.failedCommits}`].join('\n');
}

/** The replica's own binlog (log_slave_updates): GTIDs per domain in binlog (= commit) order. */
export async function replicaCommitOrder(fs: FileSystem, dir: string): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  for await (const t of readBinlogTransactions({ fs, dir: `${dir}/binlog` })) {
    let list = out.get(t.gtid.domainId);
    if (list === undefined) out.set(t.gtid.domainId, (list = []));
    list.push(formatGtid(t.gtid));
  }
  return out;
}

export function primaryOrder(relay: readonly ReplicatedTransaction<BinlogEvent>[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const t of relay) {
    let list = out.get(t.gtid.domainId);
    if (list === undefined) out.set(t.gtid.domainId, (list = []));
    list.push(formatGtid(t.gtid));
  }
  return out;
}

/**
 * Every check of a finished catch-up: rows (and the secondary index) equal the serial
 * replay, the replica binlog holds each primary transaction exactly once in the primary's
 * order per domain, the stored positions are the last GTIDs, no lock wait ended by a
 * timeout, nothing left open.
 */
export async function checkCaughtUp(fs: FileSystem, dir: string, replica: Replica, target: RealApplyTarget, history: PrimaryHistory, relay: readonly ReplicatedTransaction<BinlogEvent>[], outcome: ApplierOutcome): Promise<string[]> {
  const problems: string[] = [];
  if (outcome.state !== 'caught-up') problems.push(`outcome ${outcome.state}: ${String(outcome.error)}${outcome.error?.cause instanceof Error ? ` (cause: ${outcome.error.cause.message})` : ''}`);
  const { state, problems: indexProblems } = replica.state();
  problems.push(...indexProblems);
  const diff = statesEqual(history.final, state);
  if (diff !== undefined) problems.push(`replica differs from the serial replay: ${diff}`);
  const expected = primaryOrder(relay);
  const actual = await replicaCommitOrder(fs, dir);
  for (const [domainId, gtids] of expected) {
    const got = actual.get(domainId) ?? [];
    if (got.join(',') !== gtids.join(',')) problems.push(`domain ${domainId}: commit order ${got.join(',')} vs primary ${gtids.join(',')}`);
  }
  const positions = replica.positions().map(formatGtid);
  const lasts = [...expected.values()].map((g) => g.at(-1)!).sort();
  if (positions.sort().join(',') !== lasts.join(',')) problems.push(`positions ${positions.join(',')} vs last GTIDs ${lasts.join(',')}`);
  const counters = replica.db.status().counters;
  if (counters.lockWaitTimeouts !== 0) problems.push(`${counters.lockWaitTimeouts} lock waits ended by timeout`);
  if (counters.deadlocks !== 0) problems.push(`${counters.deadlocks} deadlocks`);
  if (target.openAttempts() !== 0) problems.push(`${target.openAttempts()} attempts left open`);
  if (replica.db.transactions().length !== 0) problems.push(`${replica.db.transactions().length} txn transactions left open`);
  return problems;
}
