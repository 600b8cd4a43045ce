import { ManualClock, SimFileSystem } from '@lockstep/base';
import type { BinlogEvent, EventInput, TransactionInput } from '@lockstep/binlog';
import { describe, expect, it } from 'vitest';
import type { WorkerTransaction } from '../src/index.js';
import { gate, settle } from './helpers.js';
import { checkCaughtUp, connectApplier } from './real/harness.js';
import { readRelayLog, writePrimaryBinlog, type PrimaryHistory } from './real/history.js';
import { RealApplyTarget, Replica } from './real/real-target.js';
import { applyToState, emptyState, rowImage, sbtestTableMap, SBTEST_TABLE_ID, statementSql, type SbRow, type SbState } from './real/sbtest.js';

/**
 * The two stories behind this project, on the real stack: real txn row locks over kv,
 * lock-wait reports from the txn layer, commits parked in tc's commit-order wait. The
 * clock is a ManualClock that never moves: no lock-wait timeout can have ended anything.
 */

const row1: SbRow = { k: 5, c: 'first', pad: 'p1' };
const row2: SbRow = { k: 7, c: 'second', pad: 'p2' };

/** T1 updates row 1 (its before image is the initial row); T2 runs a statement on row 1, then updates row 2. */
function storyHistory(commitId: boolean): PrimaryHistory {
  const initial: SbState = emptyState();
  initial.rows.set(1, row1);
  initial.rows.set(2, row2);
  const query = (sql: string): EventInput => ({ kind: 'query', threadId: 1, execTimeS: 0, errorCode: 0, database: 'sbtest', sql, status: {} });
  const t1: EventInput[] = [sbtestTableMap, { kind: 'updateRows', tableId: SBTEST_TABLE_ID, rowsFlags: 1, columnCount: 4, rows: [{ before: rowImage(1, row1), after: rowImage(1, { ...row1, k: 50 }) }] }];
  const t2: EventInput[] = [
    sbtestTableMap,
    query(statementSql(1)),
    { kind: 'updateRows', tableId: SBTEST_TABLE_ID, rowsFlags: 1, columnCount: 4, rows: [{ before: rowImage(2, row2), after: rowImage(2, { ...row2, c: 'changed' }) }] },
  ];
  const final: SbState = { rows: new Map(initial.rows), catalog: new Map() };
  applyToState(final, 0, t1);
  applyToState(final, 0, t2);
  const flags = { transactional: true, allowParallel: true };
  const group: TransactionInput[] = [
    { gtid: { domainId: 0, serverId: 1, seqNo: 1n }, commitId: undefined, flags, xid: 1n, events: t1 },
    { gtid: { domainId: 0, serverId: 1, seqNo: 2n }, commitId: undefined, flags, xid: 2n, events: t2 },
  ];
  // One primary group (a shared commit id) or two.
  return { initial, groups: commitId ? [group.map((t) => ({ ...t, commitId: 1n }))] : [[group[0]!], [group[1]!]], final, transactions: 2 };
}

async function openStory(commitId: boolean): Promise<{ fs: SimFileSystem; clock: ManualClock; history: PrimaryHistory; relay: Awaited<ReturnType<typeof readRelayLog>>; replica: Replica; target: RealApplyTarget }> {
  const fs = new SimFileSystem();
  const clock = new ManualClock();
  const history = storyHistory(commitId);
  await writePrimaryBinlog(fs, '/primary', history);
  const relay = await readRelayLog(fs, '/primary');
  const replica = await Replica.open({ fs, dir: '/replica', clock, engineCheckpointIntervalMs: 0 });
  await replica.load(history.initial);
  return { fs, clock, history, relay, replica, target: new RealApplyTarget(replica) };
}

const first = (work: WorkerTransaction<BinlogEvent>, seqNo: bigint): boolean => work.transaction.gtid.seqNo === seqNo && work.attempt === 0;

describe('the two stories, on the real stack', () => {
  it('transactions that shared a commit group on the primary still conflict on the replica: conservative mode resolves it by kill and retry, without a timeout', async () => {
    const { fs, clock, history, relay, replica, target } = await openStory(true);
    expect(relay[0]!.commitId).toBeDefined();
    expect(relay[1]!.commitId).toBe(relay[0]!.commitId);
    const t2HoldsRow1 = gate();
    const t1Waits = gate();
    const apply = target.apply.bind(target);
    target.apply = async (work, event) => {
      if (first(work, 1n) && event.kind === 'updateRows') await t2HoldsRow1.promise;
      if (first(work, 2n) && event.kind === 'updateRows') await t1Waits.promise;
      await apply(work, event);
      if (first(work, 2n) && event.kind === 'query') t2HoldsRow1.open();
    };
    const waits: string[] = [];
    target.observeLockWait = (waiter, holders) => {
      waits.push(`${waiter.transaction.gtid.seqNo} waits for ${holders.map((h) => h.transaction.gtid.seqNo).join(',')}`);
      t1Waits.open();
    };
    const applier = connectApplier(target, { mode: 'conservative', workers: 2, keyAware: false }, clock);
    const outcome = await applier.run(relay);
    expect(await checkCaughtUp(fs, '/replica', replica, target, history, relay, outcome)).toEqual([]);
    expect(waits[0]).toBe('1 waits for 2');
    const { counters } = applier.status();
    expect(counters.conflicts).toBe(1);
    expect(counters.kills).toBe(1);
    expect(counters.retried).toBe(1);
    expect(target.counters.kills).toBe(1);
    expect(clock.now()).toBe(0);
    await replica.close();
  });

  it('an earlier transaction waiting on a lock held by a later one parked in its commit wait (a cycle no deadlock detector sees) is resolved at once by killing the later one', async () => {
    const { fs, clock, history, relay, replica, target } = await openStory(false);
    const t2Parked = gate();
    const apply = target.apply.bind(target);
    target.apply = async (work, event) => {
      if (first(work, 1n) && event.kind === 'updateRows') await t2Parked.promise;
      await apply(work, event);
    };
    const commit = target.commit.bind(target);
    let parkedState = '';
    target.commit = (work, ticket) => {
      const committing = commit(work, ticket);
      if (first(work, 2n)) {
        parkedState = ticket.state;
        t2Parked.open();
      }
      return committing;
    };
    const applier = connectApplier(target, { mode: 'optimistic', workers: 2, keyAware: true }, clock);
    const outcome = await applier.run(relay);
    expect(parkedState).toBe('parked');
    expect(await checkCaughtUp(fs, '/replica', replica, target, history, relay, outcome)).toEqual([]);
    const { counters } = applier.status();
    expect(counters.kills).toBe(1);
    expect(counters.retried).toBe(1);
    // The kill reached the parked commit wait (the txn transaction was already the coordinator's).
    expect(target.counters.kills).toBe(0);
    expect(clock.now()).toBe(0);
    await replica.close();
  });

  it('control: without the lock-wait reports the same cycle does not resolve (it would wait for the lock-wait timeout)', async () => {
    const { clock, relay, replica, target } = await openStory(false);
    const t2Parked = gate();
    const apply = target.apply.bind(target);
    target.apply = async (work, event) => {
      if (first(work, 1n) && event.kind === 'updateRows') await t2Parked.promise;
      await apply(work, event);
    };
    const commit = target.commit.bind(target);
    target.commit = (work, ticket) => {
      const committing = commit(work, ticket);
      if (first(work, 2n)) t2Parked.open();
      return committing;
    };
    const applier = connectApplier(target, { mode: 'optimistic', workers: 2, keyAware: true }, clock);
    target.connect(undefined);
    let finished = false;
    const running = applier.run(relay).then((o) => {
      finished = true;
      return o;
    });
    await settle(50);
    expect(finished).toBe(false);
    const states = applier.status().workers.map((w) => `${w.gtid ?? '-'}: ${w.state}`).sort();
    expect(states).toEqual(['0-1-1: Applying events', '0-1-2: Waiting for prior transaction to commit']);
    expect(replica.db.status().transactions.find((t) => t.waitingFor !== undefined)).toBeDefined();
    const stopped = await applier.stop({ timeoutMs: 0 });
    expect(stopped.state).toBe('stopped');
    expect((await running).state).toBe('stopped');
    expect(clock.now()).toBe(0);
    await replica.close();
  });
});
