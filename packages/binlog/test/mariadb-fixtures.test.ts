import { readFileSync } from 'node:fs';
import path from 'node:path';
import { nodeFileSystem, SimFileSystem } from '@lockstep/base';
import { describe, expect, it } from 'vitest';
import {
  EventFlag,
  GtidFlag,
  GtidPosition,
  formatDateTime,
  formatGtid,
  BinlogWriter,
  readBinlog,
  readBinlogTransactions,
  readBinlogBatches,
  MAX_READ_BATCH_EVENTS,
  type ColumnValue,
  type Gtid,
  type PositionedBinlogEvent,
  type TableMapBody,
} from '../src/index.js';
import { fixture, fixtureFiles, fixturesDir } from './helpers.js';

interface Expected {
  gtidBinlogPos: string;
  inUseCopy: string;
  tables: Record<string, { count: number; sumK: number; sumId: number }>;
  mariadbBinlog: { rowsInserted: number; rowsUpdated: number; rowsDeleted: number; gtidEvents: number };
}
const expected = JSON.parse(readFileSync(path.join(fixturesDir, 'expected.json'), 'utf8')) as Expected;
const location = { fs: nodeFileSystem, dir: fixturesDir, baseName: 'mariadb-bin' };

async function readAll(options: Partial<Parameters<typeof readBinlog>[0]> = {}): Promise<PositionedBinlogEvent[]> {
  const events: PositionedBinlogEvent[] = [];
  for await (const e of readBinlog({ ...location, ...options })) events.push(e);
  return events;
}

interface Transaction {
  gtid: Gtid;
  flags: number;
  commitId: bigint | undefined;
  events: PositionedBinlogEvent[];
}

/** Groups the stream into transactions the way a replica would (GTID opens, XID/standalone closes). */
function transactions(events: readonly PositionedBinlogEvent[]): Transaction[] {
  const out: Transaction[] = [];
  let open: Transaction | undefined;
  for (const p of events) {
    const e = p.event;
    if (e.kind === 'gtid') {
      expect(open, `GTID at ${p.file}:${p.position} inside an open group`).toBeUndefined();
      open = { gtid: { domainId: e.domainId, serverId: e.serverId, seqNo: e.seqNo }, flags: e.gtidFlags, commitId: e.commitId, events: [] };
      continue;
    }
    if (open === undefined) {
      expect(['formatDescription', 'gtidList', 'binlogCheckpoint', 'rotate', 'stop']).toContain(e.kind);
      continue;
    }
    if (e.kind === 'xid') {
      out.push(open);
      open = undefined;
      continue;
    }
    open.events.push(p);
    if ((open.flags & GtidFlag.STANDALONE) !== 0) {
      out.push(open);
      open = undefined;
    }
  }
  expect(open).toBeUndefined();
  return out;
}

const asNumber = (v: ColumnValue | undefined): number => {
  if (typeof v === 'number') return v;
  throw new Error(`expected a number, got ${typeof v}`);
};
const text = (v: ColumnValue | undefined): string => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : `(not bytes: ${typeof v})`);

describe('a real MariaDB 10.11 binlog (sysbench oltp_write_only + DDL, made by scripts/make-fixtures.sh)', () => {
  it('decodes every file into whole transactions with contiguous GTIDs per domain', async () => {
    const txs = transactions(await readAll());
    const byDomain = new Map<number, bigint[]>();
    for (const tx of txs) byDomain.set(tx.gtid.domainId, [...(byDomain.get(tx.gtid.domainId) ?? []), tx.gtid.seqNo]);
    for (const seqs of byDomain.values()) {
      seqs.forEach((s, i) => {
        expect(s).toBe(BigInt(i + 1));
      });
    }
    const last = new GtidPosition(txs.map((t) => t.gtid));
    expect(last.toString()).toBe(expected.gtidBinlogPos);
    expect(txs.length).toBe(expected.mariadbBinlog.gtidEvents);
    // Group commit happened: some transactions share a commit id.
    const commitIds = txs.map((t) => t.commitId).filter((c) => c !== undefined);
    expect(commitIds.length).toBeGreaterThan(1);
    expect(new Set(commitIds).size).toBeLessThan(commitIds.length);
    expect(txs.filter((t) => (t.flags & GtidFlag.DDL) !== 0).length).toBeGreaterThanOrEqual(5);
  });

  it('every rows event follows its table map in the same transaction; row counts match mariadb-binlog', async () => {
    let inserted = 0;
    let updated = 0;
    let deleted = 0;
    for (const tx of transactions(await readAll())) {
      const maps = new Map<number, TableMapBody>();
      for (const { event: e } of tx.events) {
        if (e.kind === 'tableMap') maps.set(e.tableId, e);
        if (e.kind === 'writeRows' || e.kind === 'updateRows' || e.kind === 'deleteRows') {
          expect(maps.has(e.tableId), `table ${e.tableId} mapped in ${formatGtid(tx.gtid)}`).toBe(true);
          if (e.kind === 'writeRows') inserted += e.rows.length;
          if (e.kind === 'updateRows') updated += e.rows.length;
          if (e.kind === 'deleteRows') deleted += e.rows.length;
        }
      }
    }
    expect({ inserted, updated, deleted }).toEqual({
      inserted: expected.mariadbBinlog.rowsInserted,
      updated: expected.mariadbBinlog.rowsUpdated,
      deleted: expected.mariadbBinlog.rowsDeleted,
    });
  });

  it('replaying the sysbench tables row by row ends where the server ended (count, SUM(k), SUM(id))', async () => {
    const tables = new Map<string, Map<number, readonly (ColumnValue | undefined)[]>>();
    for (const tx of transactions(await readAll())) {
      const maps = new Map<number, TableMapBody>();
      for (const { event: e, file, position } of tx.events) {
        if (e.kind === 'tableMap') maps.set(e.tableId, e);
        if (e.kind !== 'writeRows' && e.kind !== 'updateRows' && e.kind !== 'deleteRows') continue;
        const name = maps.get(e.tableId)!.table;
        if (!name.startsWith('sbtest')) continue;
        const table = tables.get(name) ?? new Map<number, readonly (ColumnValue | undefined)[]>();
        tables.set(name, table);
        const where = `${file}:${position}`;
        if (e.kind === 'writeRows') {
          for (const row of e.rows) {
            expect(table.has(asNumber(row[0])), where).toBe(false);
            table.set(asNumber(row[0]), row);
          }
        } else if (e.kind === 'deleteRows') {
          for (const row of e.rows) {
            expect(table.get(asNumber(row[0])), where).toEqual(row);
            table.delete(asNumber(row[0]));
          }
        } else {
          for (const { before, after } of e.rows) {
            expect(table.get(asNumber(before[0])), where).toEqual(before);
            table.delete(asNumber(before[0]));
            table.set(asNumber(after[0]), after);
          }
        }
      }
    }
    for (const [name, want] of Object.entries(expected.tables)) {
      const rows = [...tables.get(name)!.values()];
      expect({ count: rows.length, sumK: rows.reduce((s, r) => s + asNumber(r[1]), 0), sumId: rows.reduce((s, r) => s + asNumber(r[0]), 0) }, name).toEqual(want);
      // sysbench's c column is CHAR(120) utf8mb4: 480 bytes, a 2-byte length prefix.
      expect(text(rows[0]![2])).toMatch(/^[\d-]+$/);
    }
  });

  it('decodes every column type of the typed table exactly as inserted', async () => {
    const events = await readAll({ start: { file: 'mariadb-bin.000005' } });
    const write = events.find((p) => p.event.kind === 'writeRows')!.event;
    if (write.kind !== 'writeRows') throw new Error('no write');
    const [r1, r2, r3] = write.rows;
    // Without SIGNEDNESS metadata (MariaDB's default binlog_row_metadata=NO_LOG) integers
    // decode as signed: the unsigned columns' maxima read as -1; reinterpreting gives the value.
    expect(r1!.slice(0, 11)).toEqual([1, -128, -1, -32768, -1, -8388608, -1, -2147483648, -1, -9223372036854775808n, -1n]);
    expect(BigInt.asUintN(64, r1![10] as bigint)).toBe(18446744073709551615n);
    expect(text(r1![11])).toBe('abc');
    expect(text(r1![12])).toBe('v'.repeat(300));
    expect(text(r1![13])).toBe('text é');
    expect([...(r1![14] as Uint8Array)]).toEqual([0x00, 0xff, 0x10]);
    expect(r1![15]).toBe(-1.5);
    expect(formatDateTime(r1![16] as never, 0)).toBe('2024-02-29 23:59:58');
    expect(formatDateTime(r1![17] as never, 6)).toBe('1999-12-31 01:02:03.456789');
    expect(r2!.slice(1, 11)).toEqual([127, 0, 32767, 0, 8388607, 0, 2147483647, 0, 9223372036854775807n, 0n]);
    expect(r2![15]).toBe(1e300);
    expect(formatDateTime(r2![16] as never, 0)).toBe('1000-01-01 00:00:00');
    expect(formatDateTime(r2![17] as never, 6)).toBe('9999-12-31 23:59:59.000001');
    expect(r3!.slice(1)).toEqual(new Array(17).fill(null));
  });

  it('starts from a GTID position: skips what the replica has, in every domain', async () => {
    const events = await readAll({ start: { gtidPosition: GtidPosition.parse('0-1-200') } });
    const gtids = events.flatMap((p) => (p.event.kind === 'gtid' ? [formatGtid({ domainId: p.event.domainId, serverId: p.event.serverId, seqNo: p.event.seqNo })] : []));
    expect(gtids[0]).toBe('0-1-201');
    expect(gtids).toContain('1-1-1');
    expect(gtids.filter((g) => g.startsWith('0-')).length).toBe(54);
    const skipBoth = await readAll({ start: { gtidPosition: GtidPosition.parse('0-1-250,1-1-1') } });
    expect(skipBoth.filter((p) => p.event.kind === 'gtid').map((p) => (p.event.kind === 'gtid' ? p.event.seqNo : 0n))).toEqual([251n, 252n, 253n, 254n]);
  });

  it('sees the in-use flag of a file copied while the server ran, and the CRC still checks', async () => {
    const events: PositionedBinlogEvent[] = [];
    for await (const e of readBinlog({ fs: nodeFileSystem, dir: path.join(fixturesDir, 'in-use'), baseName: 'mariadb-bin' })) events.push(e);
    const fde = events[0]!.event;
    expect(fde.kind).toBe('formatDescription');
    expect(fde.flags & EventFlag.BINLOG_IN_USE).toBe(EventFlag.BINLOG_IN_USE);
    if (fde.kind === 'formatDescription') expect(fde.checksum).toBe('none');
    const closed = await readAll({ start: { file: path.basename(expected.inUseCopy) } });
    expect(closed[0]!.event.flags & EventFlag.BINLOG_IN_USE).toBe(0);
  });
});

describe('readBinlogTransactions on the real binlog', () => {
  it('yields its 255 transactions with XIDs (a DDL its Q_XID) and ends that chain', async () => {
    const txs = [];
    for await (const t of readBinlogTransactions(location)) txs.push(t);
    expect(txs.length).toBe(expected.mariadbBinlog.gtidEvents);
    const create = txs.find((t) => t.events[0]?.kind === 'query' && t.events[0].sql.startsWith('CREATE TABLE typed'));
    expect(create?.flags.ddl).toBe(true);
    expect(create?.xid).toBeGreaterThan(0n);
    expect(txs.filter((t) => !t.flags.ddl).every((t) => t.xid > 0n)).toBe(true);
    for (let i = 1; i < txs.length; i++) {
      const a = txs[i - 1]!.end;
      const b = txs[i]!.end;
      expect(a.logNumber < b.logNumber || (a.logNumber === b.logNumber && a.offset < b.offset)).toBe(true);
    }
  });
});

describe('continuing a MariaDB binlog', () => {
  it('BinlogWriter.open on the real files finds their GTID state and appends a new file after them', async () => {
    const fs = new SimFileSystem({ seed: 1 });
    await fs.mkdir('/copy', { recursive: true });
    for (const f of fixtureFiles()) await fs.writeFile(`/copy/${f}`, fixture(f));
    const writer = await BinlogWriter.open({ fs, dir: '/copy', baseName: 'mariadb-bin', serverId: 1 });
    expect(writer.report).toMatchObject({ uncleanShutdown: false, lastFile: 'mariadb-bin.000007', truncatedBytes: 0 });
    expect(writer.gtidPosition.toString()).toBe(expected.gtidBinlogPos);
    expect(writer.position.file).toBe('mariadb-bin.000008');
    const next = writer.gtidPosition.get(0)!.seqNo + 1n;
    await writer.writeGroup([{ gtid: { domainId: 0, serverId: 1, seqNo: next }, commitId: undefined, flags: { transactional: true }, xid: 1n, events: [] }]);
    await writer.close();
    const gtids: string[] = [];
    for await (const p of readBinlog({ fs, dir: '/copy', baseName: 'mariadb-bin', start: { gtidPosition: GtidPosition.parse(expected.gtidBinlogPos) } })) {
      if (p.event.kind === 'gtid') gtids.push(`${p.file} ${p.event.domainId}-${p.event.serverId}-${p.event.seqNo}`);
    }
    expect(gtids).toEqual([`mariadb-bin.000008 0-1-${next}`]);
  });
});

describe('batched reading', () => {
  it('readBinlogBatches gives the same events in non-empty batches of at most MAX_READ_BATCH_EVENTS', async () => {
    const whole = await readAll();
    const batches: PositionedBinlogEvent[][] = [];
    for await (const batch of readBinlogBatches(location)) batches.push(batch);
    expect(batches.every((b) => b.length > 0 && b.length <= MAX_READ_BATCH_EVENTS)).toBe(true);
    expect(batches.flat()).toEqual(whole);
  });
});

describe('zero-copy reading', () => {
  it('values stay intact when the reader moves through many small chunks (a chunk is never overwritten)', async () => {
    const whole = await readAll();
    const chunked = await readAll({ chunkBytes: 512 });
    expect(chunked.length).toBe(whole.length);
    expect(chunked.map((p) => p.event)).toEqual(whole.map((p) => p.event));
  });
});
