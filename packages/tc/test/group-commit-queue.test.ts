import { ManualClock } from '@lockstep/base';
import { describe, expect, it } from 'vitest';
import {
  CommitOrderChain,
  CommitQueueFullError,
  CommitWaitKilledError,
  CommitWaitTimeoutError,
  CoordinatorUnavailableError,
  GroupCommitQueue,
  PriorCommitFailedError,
  type GroupOutcome,
} from '../src/index.js';
import { GatedFlush, settle } from './helpers.js';

interface Item {
  readonly name: string;
}

function makeQueue(options: ConstructorParameters<typeof GroupCommitQueue>[1] = {}) {
  const gate = new GatedFlush();
  const before: string[][] = [];
  const ordered: string[] = [];
  const queue = new GroupCommitQueue<Item>(
    {
      beforeFlush: (group) => before.push(group.map((g) => g.name)),
      flushGroup: gate.flush,
      runOrdered: (item) => ordered.push(item.name),
    },
    options,
  );
  return { gate, before, ordered, queue };
}

describe('GroupCommitQueue', () => {
  it('gathers commits that arrive during a flush into the next group, one flush each', async () => {
    const { gate, ordered, queue } = makeQueue();
    const first = queue.submit({ name: 'a' });
    await settle();
    expect(gate.calls).toEqual([['a']]);
    const rest = ['b', 'c', 'd'].map((name) => queue.submit({ name }));
    await settle();
    expect(gate.calls).toHaveLength(1); // followers wait for the running flush
    gate.release();
    expect(await first).toMatchObject({ ok: true });
    await settle();
    expect(gate.calls).toEqual([['a'], ['b', 'c', 'd']]);
    expect(ordered).toEqual(['a']);
    gate.release();
    const outcomes = await Promise.all(rest);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(ordered).toEqual(['a', 'b', 'c', 'd']);
    const stats = queue.stats();
    expect(stats).toMatchObject({ commits: 4, groups: 2, flushes: 2, largestGroup: 3, averageGroupSize: 2 });
  });

  it('resolves a commit only after its group flush completed', async () => {
    const { gate, queue } = makeQueue();
    let done = false;
    const p = queue.submit({ name: 'a' }).then(() => { done = true; });
    await settle();
    expect(done).toBe(false);
    gate.release();
    await p;
    expect(done).toBe(true);
  });

  it('caps groups at maxGroupSize', async () => {
    const { gate, queue } = makeQueue({ maxGroupSize: 2 });
    const all = ['a', 'b', 'c', 'd', 'e'].map((name) => queue.submit({ name }));
    for (let i = 0; i < 5 && gate.pending + gate.calls.length < 10; i++) {
      await settle();
      gate.release();
    }
    await Promise.all(all);
    expect(gate.calls).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('fails the whole group on a flush error, then refuses commits', async () => {
    const { gate, ordered, queue } = makeQueue();
    const a = queue.submit({ name: 'a' });
    await settle();
    const b = queue.submit({ name: 'b' });
    gate.fail = new Error('fsync: EIO');
    gate.release();
    const outcomeA = await a;
    const outcomeB = await b;
    expect(outcomeA.ok).toBe(false);
    expect(outcomeB.ok).toBe(false);
    expect(ordered).toEqual([]);
    expect((outcomeA as { error: Error }).error.message).toMatch(/fsync: EIO/);
    const later = await queue.submit({ name: 'c' });
    expect(later.ok).toBe(false);
    expect((later as { error: unknown }).error).toBeInstanceOf(CoordinatorUnavailableError);
    expect(queue.stats().failedCommits).toBe(3);
  });

  it('bounds the queue with maxQueuedCommits', async () => {
    const { gate, queue } = makeQueue({ maxQueuedCommits: 2 });
    const a = queue.submit({ name: 'a' });
    await settle(); // a is in flight
    const b = queue.submit({ name: 'b' });
    const c = queue.submit({ name: 'c' });
    const d = await queue.submit({ name: 'd' });
    expect(d.ok).toBe(false);
    expect((d as { error: unknown }).error).toBeInstanceOf(CommitQueueFullError);
    gate.release();
    await settle();
    gate.release();
    expect((await Promise.all([a, b, c])).every((o) => o.ok)).toBe(true);
  });

  it('lingers for commitWaitCount up to commitWaitUs on its clock', async () => {
    const clock = new ManualClock();
    const { gate, queue } = makeQueue({ clock, commitWaitCount: 3, commitWaitUs: 2000 });
    const a = queue.submit({ name: 'a' });
    await settle();
    expect(gate.calls).toEqual([]); // waiting for a bigger group
    const b = queue.submit({ name: 'b' });
    const c = queue.submit({ name: 'c' }); // reaches the count: the leader goes at once
    await settle();
    expect(gate.calls).toEqual([['a', 'b', 'c']]);
    gate.release();
    await Promise.all([a, b, c]);
    const d = queue.submit({ name: 'd' });
    await settle();
    expect(gate.calls).toHaveLength(1);
    clock.advance(2); // 2 ms = commitWaitUs
    await settle();
    expect(gate.calls).toEqual([['a', 'b', 'c'], ['d']]);
    gate.release();
    await d;
  });
});

describe('commit-order tickets', () => {
  it('parks a ticket until its predecessor is queued, then joins the same group', async () => {
    const { gate, ordered, queue } = makeQueue();
    const chain = new CommitOrderChain('domain-0');
    const [t1, t2, t3] = [chain.issue('t1'), chain.issue('t2'), chain.issue('t3')];
    const blocker = queue.submit({ name: 'other' });
    await settle(); // a flush is running, so the chain can gather
    const p3 = queue.submit({ name: 't3' }, t3);
    const p2 = queue.submit({ name: 't2' }, t2);
    await settle();
    expect(t3.state).toBe('parked');
    expect(t2.state).toBe('parked');
    expect(chain.parked().map((p) => p.label)).toEqual(['t2', 't3']);
    expect(queue.stats().parked).toBe(2);
    const p1 = queue.submit({ name: 't1' }, t1);
    expect(t1.state).toBe('queued');
    expect(t2.state).toBe('queued');
    expect(t3.state).toBe('queued');
    gate.release();
    await blocker;
    await settle();
    expect(gate.calls[1]).toEqual(['t1', 't2', 't3']); // one flush for the ready chain
    gate.release();
    await Promise.all([p1, p2, p3]);
    expect(ordered).toEqual(['other', 't1', 't2', 't3']);
    expect(chain.committed).toBe(3);
    expect(chain.parked()).toEqual([]);
  });

  it('kills a parked wait; the ticket can be submitted again and commits in order', async () => {
    const { gate, ordered, queue } = makeQueue();
    const chain = new CommitOrderChain('d');
    const t1 = chain.issue('t1');
    const t2 = chain.issue('t2');
    const first = queue.submit({ name: 't2' }, t2);
    await settle();
    expect(t2.kill('conflict with t1')).toBe(true);
    const killed = await first;
    expect(killed.ok).toBe(false);
    expect((killed as { error: unknown }).error).toBeInstanceOf(CommitWaitKilledError);
    expect((killed as { error: CommitWaitKilledError }).error.errno).toBe(1927);
    expect(t2.state).toBe('pending');
    const retry = queue.submit({ name: 't2-retry' }, t2);
    const p1 = queue.submit({ name: 't1' }, t1);
    expect(t2.kill()).toBe(false); // queued: its wake-up already ran
    await settle();
    gate.release();
    await settle();
    gate.release();
    expect((await p1).ok).toBe(true);
    expect((await retry).ok).toBe(true);
    expect(ordered).toEqual(['t1', 't2-retry']);
  });

  it('fails every later ticket when one is abandoned', async () => {
    const { queue } = makeQueue();
    const chain = new CommitOrderChain('d');
    const t1 = chain.issue();
    const t2 = chain.issue();
    const t3 = chain.issue();
    const p3 = queue.submit({ name: 't3' }, t3);
    await settle();
    t1.fail(new Error('apply error: duplicate key'));
    const o3 = await p3;
    expect((o3 as { error: unknown }).error).toBeInstanceOf(PriorCommitFailedError);
    expect(t2.state).toBe('failed');
    const o2 = await queue.submit({ name: 't2' }, t2);
    expect((o2 as { error: unknown }).error).toBeInstanceOf(PriorCommitFailedError);
    const t4 = chain.issue();
    expect(t4.state).toBe('failed');
  });

  it('fails successors queued in a later group when a group flush fails', async () => {
    const { gate, queue } = makeQueue();
    const chain = new CommitOrderChain('d');
    const t1 = chain.issue();
    const t2 = chain.issue();
    const p1 = queue.submit({ name: 't1' }, t1);
    await settle();
    const p2 = queue.submit({ name: 't2' }, t2); // queued behind t1, in the next group
    gate.fail = new Error('ENOSPC');
    gate.release();
    expect((await p1).ok).toBe(false);
    const o2 = await p2;
    expect(o2.ok).toBe(false);
    expect(t2.state).toBe('failed');
  });

  it('bounds a parked wait with priorCommitWaitTimeoutMs', async () => {
    const clock = new ManualClock();
    const { queue } = makeQueue({ clock, priorCommitWaitTimeoutMs: 50 });
    const chain = new CommitOrderChain('d');
    chain.issue();
    const t2 = chain.issue();
    const p2 = queue.submit({ name: 't2' }, t2);
    await settle();
    clock.advance(50);
    const o2: GroupOutcome = await p2;
    expect((o2 as { error: unknown }).error).toBeInstanceOf(CommitWaitTimeoutError);
    expect(t2.state).toBe('pending');
    expect(queue.stats().parked).toBe(0);
  });

  it('queues a long ready chain without deep recursion', async () => {
    const { gate, ordered, queue } = makeQueue({ maxGroupSize: 100_000 });
    const chain = new CommitOrderChain('d');
    const tickets = Array.from({ length: 20_000 }, () => chain.issue());
    const blocker = queue.submit({ name: 'blocker' });
    await settle();
    const later = tickets.slice(1).map((t, i) => queue.submit({ name: `t${i + 2}` }, t));
    await settle();
    const first = queue.submit({ name: 't1' }, tickets[0]);
    gate.release();
    await blocker;
    await settle();
    gate.release();
    await Promise.all([first, ...later]);
    expect(ordered).toHaveLength(20_001);
    expect(ordered.slice(1, 4)).toEqual(['t1', 't2', 't3']);
    expect(gate.calls).toHaveLength(2);
  });
});

describe('pipelined writes (writeGroup)', () => {
  function makePipelined() {
    const written: string[][] = [];
    const syncs: { group: string[]; release: (error?: Error) => void }[] = [];
    const ordered: string[] = [];
    const queue = new GroupCommitQueue<Item>({
      writeGroup: (group) => {
        const names = group.map((g) => g.name);
        written.push(names);
        return Promise.resolve({
          positions: group.map((_, i) => ({ logNumber: 1, offset: written.length * 100 + i })),
          sync: () =>
            new Promise<void>((resolve, reject) => {
              syncs.push({ group: names, release: (error) => { if (error === undefined) resolve(); else reject(error); } });
            }),
        });
      },
      runOrdered: (item) => ordered.push(item.name),
    });
    return { queue, written, syncs, ordered };
  }

  it('writes the next group while the previous sync runs, two groups at most, ordered phases in order', async () => {
    const { queue, written, syncs, ordered } = makePipelined();
    const a = queue.submit({ name: 'a' });
    await settle();
    expect(written).toEqual([['a']]);
    const b = queue.submit({ name: 'b' });
    await settle();
    expect(written).toEqual([['a'], ['b']]); // written while a's sync is in flight
    const c = queue.submit({ name: 'c' });
    await settle();
    expect(written).toHaveLength(2); // bounded: c waits until a's group is done
    syncs[1]!.release(); // b's sync finishes first ...
    await settle();
    expect(ordered).toEqual([]); // ... but b cannot commit before a
    syncs[0]!.release();
    await Promise.all([a, b]);
    expect(ordered).toEqual(['a', 'b']);
    await settle();
    expect(written).toEqual([['a'], ['b'], ['c']]);
    syncs[2]!.release();
    expect((await c).ok).toBe(true);
    expect(ordered).toEqual(['a', 'b', 'c']);
    expect(queue.stats().groups).toBe(3);
  });

  it('fails the group written behind a failed sync, and every later commit', async () => {
    const { queue, syncs, ordered } = makePipelined();
    const a = queue.submit({ name: 'a' });
    await settle();
    const b = queue.submit({ name: 'b' });
    await settle();
    syncs[1]!.release();
    syncs[0]!.release(new Error('fdatasync: EIO'));
    expect((await a).ok).toBe(false);
    expect((await b).ok).toBe(false);
    expect(ordered).toEqual([]);
    expect((await queue.submit({ name: 'c' })).ok).toBe(false);
  });

  it('waitForTakenGroups resolves only after every group taken so far has finished', async () => {
    const { queue, syncs } = makePipelined();
    const a = queue.submit({ name: 'a' });
    await settle();
    let done = false;
    const barrier = queue.waitForTakenGroups().then(() => { done = true; });
    const b = queue.submit({ name: 'b' }); // taken after the barrier was set up: not waited for
    await settle();
    expect(done).toBe(false);
    syncs[0]!.release();
    await barrier;
    expect(done).toBe(true);
    syncs[1]!.release();
    await Promise.all([a, b]);
  });
});
