import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventStreamError, assembleTransactions, type EventClass, type ReplicatedTransaction } from '../src/index.js';
import { plainFlags } from './helpers.js';

type Ev = { t: 'gtid'; seq: number; standalone: boolean; commitId?: number } | { t: 'row'; n: number } | { t: 'xid' } | { t: 'rollback' };

const classify = (e: Ev): EventClass => {
  switch (e.t) {
    case 'gtid':
      return {
        kind: 'gtid',
        gtid: { domainId: 0, serverId: 1, seqNo: BigInt(e.seq) },
        commitId: e.commitId === undefined ? undefined : BigInt(e.commitId),
        flags: { ...plainFlags, standalone: e.standalone, ddl: e.standalone },
        timestampMs: 1000 + e.seq,
        byteSize: 10,
      };
    case 'xid':
      return { kind: 'commit', byteSize: 5 };
    case 'rollback':
      return { kind: 'rollback', byteSize: 5 };
    default:
      return { kind: 'other', byteSize: 20 };
  }
};

async function collect(events: Ev[]): Promise<ReplicatedTransaction<Ev>[]> {
  const out: ReplicatedTransaction<Ev>[] = [];
  for await (const t of assembleTransactions(events.map((event, position) => ({ event, position })), classify)) out.push(t);
  return out;
}

describe('assembleTransactions', () => {
  it('round-trips any sequence of transactions flattened into events', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ rows: fc.integer({ min: 1, max: 4 }), standalone: fc.boolean(), rolledBack: fc.boolean(), commitId: fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined }) }), { maxLength: 20 }),
        async (spec) => {
          const events: Ev[] = [];
          const expected: { seq: number; rows: number[]; bytes: number; commitId: bigint | undefined }[] = [];
          spec.forEach((t, i) => {
            const rows = Array.from({ length: t.standalone ? 1 : t.rows }, (_, r) => i * 10 + r);
            events.push({ t: 'gtid', seq: i + 1, standalone: t.standalone, ...(t.commitId === undefined ? {} : { commitId: t.commitId }) });
            for (const n of rows) events.push({ t: 'row', n });
            if (!t.standalone) events.push(t.rolledBack ? { t: 'rollback' } : { t: 'xid' });
            if (t.standalone || !t.rolledBack) {
              expected.push({ seq: i + 1, rows, bytes: 10 + 20 * rows.length + (t.standalone ? 0 : 5), commitId: t.commitId === undefined ? undefined : BigInt(t.commitId) });
            }
          });
          const got = await collect(events);
          expect(
            got.map((t) => ({ seq: Number(t.gtid.seqNo), rows: t.events.map((e) => (e.t === 'row' ? e.n : -1)), bytes: t.byteSize, commitId: t.commitId })),
          ).toEqual(expected);
        },
      ),
    );
  });

  it('rejects events outside a group, a GTID inside an open group, and a stream cut mid-group', async () => {
    await expect(collect([{ t: 'row', n: 1 }])).rejects.toThrow(EventStreamError);
    await expect(collect([{ t: 'gtid', seq: 1, standalone: false }, { t: 'gtid', seq: 2, standalone: false }])).rejects.toThrow(/inside the group opened at 0/);
    await expect(collect([{ t: 'gtid', seq: 1, standalone: false }, { t: 'row', n: 1 }])).rejects.toThrow(/stream ended inside/);
  });

  it('bounds the events of one group', async () => {
    const events: Ev[] = [{ t: 'gtid', seq: 1, standalone: false }, { t: 'row', n: 1 }, { t: 'row', n: 2 }, { t: 'row', n: 3 }, { t: 'xid' }];
    const run = async (): Promise<number> => {
      let count = 0;
      for await (const t of assembleTransactions(events.map((event, position) => ({ event, position })), classify, { maxEventsPerTransaction: 2 })) count += t.events.length;
      return count;
    };
    await expect(run()).rejects.toThrow(/more than 2 events/);
  });
});
