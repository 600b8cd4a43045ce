// Primary histories for the real stack: generated against a model of the primary (so every
// before image is what the primary saw), written as a real binlog with @lockstep/binlog's
// writer (one group per commit group, a shared commit id), and read back as the replica's
// relay log through the reader, `classifyBinlogEvent` and `assembleTransactions`.
import type { FileSystem, Random } from '@lockstep/base';
import { BinlogWriter, classifyBinlogEvent, isFileStructureEvent, readBinlogBatches, type BinlogEvent, type EventInput, type TransactionInput } from '@lockstep/binlog';
import { assembleTransactions, type PositionedEvent, type ReplicatedTransaction } from '../../src/index.js';
import { applyToState, ddlSql, emptyState, rowImage, sbtestTableMap, SBTEST_TABLE_ID, statementSql, type SbRow, type SbState } from './sbtest.js';

export interface PrimaryHistory {
  /** Rows loaded on primary and replica before the history starts. */
  readonly initial: SbState;
  /** Commit groups in binlog order. */
  readonly groups: readonly (readonly TransactionInput[])[];
  /** The primary's state after the history (= a serial replay). */
  readonly final: SbState;
  readonly transactions: number;
}

function cloneState(s: SbState): SbState {
  return { rows: new Map(s.rows), catalog: new Map(s.catalog) };
}

const pad = (random: Random, n: number): string => {
  let out = '';
  while (out.length < n) out += String(random.int(0, 99_999_999_999)).padStart(11, '0') + '-';
  return out.slice(0, n);
};

const rowsEvent = (kind: 'writeRows' | 'deleteRows', id: number, row: SbRow): EventInput => ({ kind, tableId: SBTEST_TABLE_ID, rowsFlags: 1, columnCount: 4, rows: [rowImage(id, row)] });
const updateEvent = (id: number, before: SbRow, after: SbRow): EventInput => ({
  kind: 'updateRows',
  tableId: SBTEST_TABLE_ID,
  rowsFlags: 1,
  columnCount: 4,
  rows: [{ before: rowImage(id, before), after: rowImage(id, after) }],
});
const query = (sql: string): EventInput => ({ kind: 'query', threadId: 1, execTimeS: 0, errorCode: 0, database: 'sbtest', sql, status: {} });

export interface RandomHistoryOptions {
  readonly transactions: number;
  readonly domains: number;
  /** Ids per domain (domains never share rows). */
  readonly hotKeys: number;
  readonly maxGroupSize: number;
  readonly statementP: number;
  readonly ddlP: number;
  readonly waitedP: number;
}

export const defaultRandomHistory: RandomHistoryOptions = { transactions: 40, domains: 2, hotKeys: 6, maxGroupSize: 5, statementP: 0.08, ddlP: 0.05, waitedP: 0.1 };

/**
 * Random row transactions (1-3 row changes or statements each) on a small hot key set per
 * domain, random commit groups (which may conflict: the replica must cope), DDL-like
 * QUERY events as barriers.
 */
export function randomHistory(random: Random, options: RandomHistoryOptions = defaultRandomHistory): PrimaryHistory {
  const initial = emptyState();
  const state = cloneState(initial);
  const seqNo = new Map<number, bigint>();
  const groups: TransactionInput[][] = [];
  let xid = 1n;
  let count = 0;
  let commitId = 1000n;
  while (count < options.transactions) {
    const size = Math.min(options.transactions - count, random.int(1, options.maxGroupSize));
    const group: TransactionInput[] = [];
    for (let i = 0; i < size; i++) {
      const domainId = random.int(0, options.domains - 1);
      const next = (seqNo.get(domainId) ?? 0n) + 1n;
      seqNo.set(domainId, next);
      const gtid = { domainId, serverId: 1, seqNo: next };
      if (random.bool(options.ddlP)) {
        const events = [query(ddlSql(`d${domainId}-${next}`))];
        applyToState(state, domainId, events);
        group.push({ gtid, commitId: undefined, flags: { ddl: true }, xid: 0n, events });
        continue;
      }
      const events: EventInput[] = [sbtestTableMap];
      const touched = new Set<number>();
      for (let n = random.int(1, 3); n > 0; n--) {
        const id = domainId * 1000 + random.int(1, options.hotKeys);
        if (touched.has(id)) continue;
        touched.add(id);
        const before = state.rows.get(id);
        let event: EventInput;
        if (random.bool(options.statementP)) event = query(statementSql(id));
        else if (before === undefined) event = rowsEvent('writeRows', id, { k: random.int(0, 9), c: pad(random, 12), pad: pad(random, 6) });
        else if (random.int(0, 3) === 0) event = rowsEvent('deleteRows', id, before);
        else event = updateEvent(id, before, random.bool(0.5) ? { ...before, k: random.int(0, 9) } : { ...before, c: pad(random, 12) });
        applyToState(state, domainId, [event]);
        events.push(event);
      }
      group.push({ gtid, commitId: undefined, flags: { transactional: true, allowParallel: true, waited: random.bool(options.waitedP) }, xid: xid++, events });
    }
    count += group.length;
    groups.push(withCommitId(group, ++commitId));
  }
  return { initial, groups, final: state, transactions: count };
}

/** The primary's group commit: a group of two or more shares one commit id (MariaDB: the first GTID's seqNo). */
function withCommitId(group: readonly TransactionInput[], commitId: bigint): TransactionInput[] {
  return group.length < 2 ? [...group] : group.map((t) => ({ ...t, commitId }));
}

export interface SysbenchHistoryOptions {
  readonly transactions: number;
  readonly rows: number;
  /** Primary clients: commit groups of clients/2 .. clients transactions. */
  readonly clients: number;
}

/**
 * sysbench oltp_write_only on one table: per transaction an UPDATE of the indexed column
 * k (k = k + 1: the secondary entry moves), an UPDATE of c, a DELETE and an INSERT of the
 * same id — TABLE_MAP + four rows events with full images. Commit groups as 16 primary
 * clients form them: no two transactions of a group touch the same row (one would have
 * waited for the other); one touching a row of the previous group is flagged `waited`.
 */
export function sysbenchHistory(random: Random, options: SysbenchHistoryOptions): PrimaryHistory {
  const initial = emptyState();
  for (let id = 1; id <= options.rows; id++) initial.rows.set(id, { k: random.int(1, options.rows), c: pad(random, 119), pad: pad(random, 59) });
  const state = cloneState(initial);
  const groups: TransactionInput[][] = [];
  let previousGroupIds = new Set<number>();
  let count = 0;
  while (count < options.transactions) {
    const size = Math.min(options.transactions - count, random.int(Math.ceil(options.clients / 2), options.clients));
    const groupIds = new Set<number>();
    const group: TransactionInput[] = [];
    for (let i = 0; i < size; i++) {
      let ids: number[];
      do ids = [random.int(1, options.rows), random.int(1, options.rows), random.int(1, options.rows)];
      while (ids.some((id) => groupIds.has(id)));
      const waited = ids.some((id) => previousGroupIds.has(id));
      for (const id of ids) groupIds.add(id);
      const [a, b, d] = ids as [number, number, number];
      const events: EventInput[] = [sbtestTableMap];
      const ra = state.rows.get(a)!;
      events.push(updateEvent(a, ra, { ...ra, k: ra.k + 1 }));
      applyToState(state, 0, events.slice(-1));
      const rb = state.rows.get(b)!;
      events.push(updateEvent(b, rb, { ...rb, c: pad(random, 119) }));
      applyToState(state, 0, events.slice(-1));
      const rd = state.rows.get(d)!;
      events.push(rowsEvent('deleteRows', d, rd));
      events.push(rowsEvent('writeRows', d, { k: random.int(1, options.rows), c: pad(random, 119), pad: pad(random, 59) }));
      applyToState(state, 0, events.slice(-2));
      count += 1;
      group.push({ gtid: { domainId: 0, serverId: 1, seqNo: BigInt(count) }, commitId: undefined, flags: { transactional: true, allowParallel: true, waited }, xid: BigInt(count), events });
    }
    groups.push(withCommitId(group, BigInt(count)));
    previousGroupIds = groupIds;
  }
  return { initial, groups, final: state, transactions: count };
}

/** Writes the history as the primary's binlog: one `writeGroup` (shared commit id) and one sync per commit group. */
export async function writePrimaryBinlog(fs: FileSystem, dir: string, history: PrimaryHistory): Promise<void> {
  const writer = await BinlogWriter.open({ fs, dir, serverId: 1 });
  for (const group of history.groups) {
    const written = await writer.writeGroup(group);
    await written.sync();
  }
  await writer.close();
}

/** The relay log: the primary binlog read back and assembled into transactions. */
export async function readRelayLog(fs: FileSystem, dir: string): Promise<ReplicatedTransaction<BinlogEvent>[]> {
  const sizes = new WeakMap<BinlogEvent, number>();
  async function* events(): AsyncGenerator<PositionedEvent<BinlogEvent>> {
    for await (const batch of readBinlogBatches({ fs, dir })) {
      for (const p of batch) {
        if (isFileStructureEvent(p)) continue;
        sizes.set(p.event, p.size);
        yield { event: p.event, position: `${p.file}:${p.position}` };
      }
    }
  }
  const out: ReplicatedTransaction<BinlogEvent>[] = [];
  for await (const t of assembleTransactions(events(), (event) => classifyBinlogEvent(event, sizes.get(event) ?? 0))) out.push(t);
  return out;
}
