import type { Random } from '@lockstep/base';
import { formatGtid } from '@lockstep/tc';
import type { ReplicatedTransaction } from '../../src/index.js';
import { keysOf, type SimEvent } from './memory-database.js';

export interface HistoryOptions {
  readonly transactions: number;
  readonly domains: number;
  /** Hot keys per domain (domains never share keys, as with correct multi-source use). */
  readonly hotKeys: number;
  readonly maxGroupSize: number;
  /** Probabilities. */
  readonly statementP: number;
  readonly ddlP: number;
  readonly nonTransactionalP: number;
  readonly notParallelP: number;
  readonly waitedP: number;
}

export const defaultHistory: HistoryOptions = {
  transactions: 32,
  domains: 2,
  hotKeys: 5,
  maxGroupSize: 4,
  statementP: 0.1,
  ddlP: 0.04,
  nonTransactionalP: 0.03,
  notParallelP: 0.05,
  waitedP: 0.1,
};

/**
 * A primary history: transactions over a small hot key set per domain, grouped into
 * commit groups (a shared commit id, as the primary's group commit assigns), some DDL,
 * some statements whose keys the scheduler cannot see.
 */
export function generateHistory(random: Random, options: HistoryOptions = defaultHistory): ReplicatedTransaction<SimEvent>[] {
  const out: ReplicatedTransaction<SimEvent>[] = [];
  const seqNo = new Map<number, bigint>();
  let commitId = 100n;
  let groupLeft = 0;
  let groupId: bigint | undefined;
  for (let i = 0; i < options.transactions; i++) {
    if (groupLeft === 0) {
      groupLeft = random.int(1, options.maxGroupSize);
      groupId = groupLeft > 1 ? ++commitId : undefined;
    }
    groupLeft -= 1;
    const domainId = random.int(0, options.domains - 1);
    const next = (seqNo.get(domainId) ?? 0n) + 1n;
    seqNo.set(domainId, next);
    const key = (): string => `d${domainId}:k${random.int(1, options.hotKeys)}`;
    const ddl = random.bool(options.ddlP);
    const events: SimEvent[] = [];
    if (ddl) {
      events.push({ kind: 'ddl', table: `d${domainId}` });
    } else {
      for (let e = random.int(1, 3); e > 0; e--) {
        events.push(random.bool(options.statementP) ? { kind: 'statement', keys: [key(), key()] } : { kind: 'row', key: key() });
      }
    }
    out.push({
      gtid: { domainId, serverId: 1, seqNo: next },
      commitId: ddl ? undefined : groupId,
      flags: {
        standalone: ddl,
        ddl,
        transactional: !ddl && !random.bool(options.nonTransactionalP),
        allowParallel: !random.bool(options.notParallelP),
        waited: random.bool(options.waitedP),
      },
      events,
      timestampMs: Date.UTC(2026, 0, 1) + i,
      byteSize: 60 + 40 * events.length,
    });
  }
  return out;
}

/** The rows a serial replay of the history produces. */
export function serialReplay(history: readonly ReplicatedTransaction<SimEvent>[]): Map<string, string> {
  const rows = new Map<string, string>();
  for (const txn of history) {
    const label = formatGtid(txn.gtid);
    for (const event of txn.events) for (const key of keysOf(event)) rows.set(key, `${rows.get(key) ?? ''}${label};`);
  }
  return rows;
}

/** GTIDs of one domain in primary order. */
export function domainOrder(gtids: readonly string[], domainId: number): string[] {
  return gtids.filter((g) => g.startsWith(`${domainId}-`));
}
