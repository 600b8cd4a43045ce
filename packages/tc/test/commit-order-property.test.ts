import { DeterministicScheduler, forEachSeed } from '@lockstep/base/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CommitOrderChain, GroupCommitQueue, type CoordinatorPosition } from '../src/index.js';

interface Item {
  readonly name: string;
  readonly chain: number | undefined;
  readonly seq: number;
}

/**
 * A queue whose flush completes after a random number of scheduling steps, so arrivals
 * interleave with flushes in every way the seed picks.
 */
function buildQueue(flushDelays: () => number, step: () => Promise<void>, pipelined: boolean) {
  const logOrder: Item[] = [];
  const ordered: Item[] = [];
  const beforeFlush: Item[] = [];
  let flushes = 0;
  const positionsOf = (group: readonly Item[]): CoordinatorPosition[] => group.map((_, i) => ({ logNumber: 1, offset: logOrder.length - group.length + i }));
  const wait = async (): Promise<void> => {
    for (let i = flushDelays(); i > 0; i--) await step();
  };
  const queue = new GroupCommitQueue<Item>(
    pipelined
      ? {
          beforeFlush: (group) => beforeFlush.push(...group),
          async writeGroup(group) {
            flushes += 1;
            logOrder.push(...group);
            const positions = positionsOf(group);
            await wait();
            return { positions, sync: wait };
          },
          runOrdered: (item) => ordered.push(item),
        }
      : {
          beforeFlush: (group) => beforeFlush.push(...group),
          async flushGroup(group): Promise<CoordinatorPosition[]> {
            flushes += 1;
            logOrder.push(...group);
            const positions = positionsOf(group);
            await wait();
            return positions;
          },
          runOrdered: (item) => ordered.push(item),
        },
  );
  return { queue, logOrder, ordered, beforeFlush, flushes: () => flushes };
}

describe('ordering properties', () => {
  it('prepareOrdered and commitOrdered order equal log order, and each chain commits in ticket order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.boolean(),
        async (chains, arrivals, seed, pipelined) => {
          // Each arrival is a commit: chain index (or a plain commit when >= chains).
          const chainObjects = Array.from({ length: chains }, (_, i) => new CommitOrderChain(`d${i}`));
          const items = arrivals.map((c, i) => {
            const chain = c < chains ? c : undefined;
            return { item: { name: `c${i}`, chain, seq: i }, ticket: chain === undefined ? undefined : chainObjects[chain]!.issue(`c${i}`) };
          });
          const scheduler = new DeterministicScheduler({ seed });
          let stepper: (() => Promise<void>) | undefined;
          const delays = [0, 1, 2, 3];
          let d = seed;
          const { queue, logOrder, ordered, beforeFlush } = buildQueue(
            () => delays[(d = (d * 1103515245 + 12345) % 2147483648) % delays.length]!,
            () => stepper!(),
            pipelined,
          );
          scheduler.spawn('flusher-steps', async (ctx) => {
            stepper = () => ctx.step('flush');
            await Promise.resolve();
          });
          // Submit in a random order decided by the scheduler: one task per commit.
          const outcomes: boolean[] = [];
          for (const { item, ticket } of items) {
            scheduler.spawn(item.name, async (ctx) => {
              stepper = () => ctx.step('flush-wait');
              const outcome = await queue.submit(item, ticket);
              outcomes.push(outcome.ok);
            });
          }
          const result = await scheduler.run();
          expect(result.stalled, `seed ${seed}`).toEqual([]);
          expect(outcomes.every(Boolean)).toBe(true);
          expect(ordered.map((i) => i.name)).toEqual(logOrder.map((i) => i.name));
          expect(beforeFlush.map((i) => i.name)).toEqual(logOrder.map((i) => i.name));
          for (let c = 0; c < chains; c++) {
            const seqs = ordered.filter((i) => i.chain === c).map((i) => i.seq);
            expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
          }
          expect(ordered).toHaveLength(items.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a chain whose tickets all arrive during one flush costs one more flush, whatever their order', async () => {
    await forEachSeed(100, async (seed) => {
      const chain = new CommitOrderChain('d');
      const n = 2 + (seed % 30);
      const tickets = Array.from({ length: n }, () => chain.issue());
      let releaseFirst: (() => void) | undefined;
      let flushes = 0;
      const queue = new GroupCommitQueue<number>({
        flushGroup: (group) => {
          flushes += 1;
          if (flushes === 1) return new Promise((resolve) => { releaseFirst = () => { resolve(group.map(() => ({ logNumber: 1, offset: 0 }))); }; });
          return Promise.resolve(group.map(() => ({ logNumber: 1, offset: flushes })));
        },
        runOrdered: () => undefined,
      });
      const blocker = queue.submit(-1);
      await new Promise((r) => setImmediate(r));
      const order = Array.from({ length: n }, (_, i) => i);
      // Fisher-Yates with a tiny LCG from the seed: the arrival order of the chain.
      let x = seed;
      for (let i = n - 1; i > 0; i--) {
        x = (x * 1103515245 + 12345) % 2147483648;
        const j = x % (i + 1);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      const pending = order.map((i) => queue.submit(i, tickets[i]));
      releaseFirst!();
      await blocker;
      const outcomes = await Promise.all(pending);
      expect(outcomes.every((o) => o.ok)).toBe(true);
      expect(flushes).toBe(2);
    });
  });
});
