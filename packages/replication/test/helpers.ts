import type { ReplicatedGtidFlags, ReplicatedTransaction } from '../src/index.js';
import type { SimEvent } from './sim/memory-database.js';

export const plainFlags: ReplicatedGtidFlags = { standalone: false, transactional: true, allowParallel: true, waited: false, ddl: false };

export function txn(seqNo: bigint, events: SimEvent[], options: { commitId?: bigint; domainId?: number; flags?: Partial<ReplicatedGtidFlags>; byteSize?: number } = {}): ReplicatedTransaction<SimEvent> {
  return {
    gtid: { domainId: options.domainId ?? 0, serverId: 1, seqNo },
    commitId: options.commitId,
    flags: { ...plainFlags, ...options.flags },
    events,
    timestampMs: Date.UTC(2026, 0, 1),
    byteSize: options.byteSize ?? 100,
  };
}

export const row = (key: string): SimEvent => ({ kind: 'row', key });

export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Lets every pending microtask and immediate run (not a sleep: no time passes). */
export function settle(rounds = 3): Promise<void> {
  let p = Promise.resolve();
  for (let i = 0; i < rounds; i++) p = p.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
  return p;
}
