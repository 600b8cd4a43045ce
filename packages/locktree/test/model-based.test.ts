import { ManualClock } from '@lockstep/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeadlockError, LockManager, LockWaitKilledError, LockWaitTimeoutError, type LockMode } from '../src/index.js';
import { LockModel, type Outcome } from './lock-model.js';

type Op =
  | { kind: 'acquire'; txn: number; left: number; width: number; mode: LockMode; deadlockDetection: boolean }
  | { kind: 'release'; txn: number }
  | { kind: 'kill'; txn: number }
  | { kind: 'advance'; ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('acquire' as const), txn: fc.integer({ min: 1, max: 4 }), left: fc.integer({ min: 0, max: 9 }), width: fc.integer({ min: 0, max: 3 }), mode: fc.constantFrom<LockMode>('shared', 'exclusive'), deadlockDetection: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), txn: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('kill' as const), txn: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 700 }) }) },
);

const key = (n: number): Uint8Array => Uint8Array.of(n);
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const TIMEOUT_MS = 1000;

describe('LockManager against a brute-force model', () => {
  it('agrees on every outcome, holder and waiter, and never leaves a grantable request waiting', async () => {
    const seen = new Map<Outcome, number>();
    let victims = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 60, size: "max" }), async (ops) => {
        const clock = new ManualClock();
        const manager = new LockManager({ clock, lockWaitTimeoutMs: TIMEOUT_MS, memoryLimitBytes: 1 << 30 });
        const tree = manager.openTree(1);
        const model = new LockModel();
        const outcomes = new Map<number, Outcome>();
        let nextId = 0;
        for (const op of ops) {
          switch (op.kind) {
            case 'acquire': {
              if (manager.isWaiting(op.txn)) continue; // a waiting transaction issues nothing
              const id = nextId++;
              const request = { owner: op.txn, left: op.left, right: op.left + op.width, mode: op.mode };
              model.acquire(id, request, TIMEOUT_MS, op.deadlockDetection);
              outcomes.set(id, 'waiting');
              tree.acquire(op.txn, key(request.left), key(request.right), op.mode, { deadlockDetection: op.deadlockDetection }).then(
                () => outcomes.set(id, 'granted'),
                (error: unknown) => {
                  if (error instanceof LockWaitTimeoutError) outcomes.set(id, 'timeout');
                  else if (error instanceof DeadlockError) outcomes.set(id, 'deadlock');
                  else if (error instanceof LockWaitKilledError) outcomes.set(id, 'killed');
                  else throw error;
                },
              );
              break;
            }
            case 'release':
              model.releaseAll(op.txn);
              manager.releaseAll(op.txn);
              break;
            case 'kill':
              model.kill(op.txn);
              manager.kill(op.txn);
              break;
            case 'advance':
              model.advance(op.ms);
              clock.advance(op.ms);
              break;
          }
          await settle();
          manager.assertNoGrantablePending();
          expect(outcomes, JSON.stringify(op)).toEqual(model.outcomes);
          const held = manager.status().held.map((h) => `${h.owner}:${(h.left as Uint8Array)[0]}-${(h.right as Uint8Array)[0]}:${h.mode}`).sort();
          expect(held).toEqual(model.held.map((h) => `${h.owner}:${h.left}-${h.right}:${h.mode}`).sort());
          expect(manager.status().pending.map((p) => p.owner)).toEqual(model.queue.map((q) => q.owner));
          expect(manager.counters.deadlocks).toBe([...model.outcomes.values()].filter((o) => o === 'deadlock').length);
        }
        for (const outcome of outcomes.values()) seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
        victims += model.victims;
        for (let t = 1; t <= 4; t++) manager.releaseAll(t);
        await settle();
        expect(manager.status().held).toEqual([]);
        expect(manager.memoryBytes).toBe(0);
      }),
      { numRuns: Number(process.env.LOCKSTEP_PROPERTY_RUNS ?? 300) },
    );
    // The generated histories must reach every outcome, or the comparison proves little.
    for (const outcome of ['granted', 'waiting', 'timeout', 'deadlock', 'killed'] as const) expect(seen.get(outcome) ?? 0, outcome).toBeGreaterThan(0);
    expect(victims, 'waiters failed for a cycle closed by a request without detection').toBeGreaterThan(0);
  });
});
