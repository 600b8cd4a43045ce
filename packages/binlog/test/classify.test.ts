import { nodeFileSystem } from '@lockstep/base';
import { describe, expect, it } from 'vitest';
import { classifyBinlogEvent, isFileStructureEvent, readBinlog, type BinlogEventClass, type PositionedBinlogEvent } from '../src/index.js';
import { fixturesDir } from './helpers.js';

/**
 * A copy of the grouping rule @lockstep/replication's assembleTransactions applies to
 * classes (binlog must not depend on replication): GTID opens, commit closes, rollback
 * discards, a standalone group closes after its one event.
 */
function assemble(events: readonly PositionedBinlogEvent[]): { gtid: string; events: number; bytes: number; flags: string }[] {
  const out: { gtid: string; events: number; bytes: number; flags: string }[] = [];
  let open: { head: Extract<BinlogEventClass, { kind: 'gtid' }>; events: number; bytes: number } | undefined;
  for (const e of events) {
    const c = classifyBinlogEvent(e);
    if (c.kind === 'gtid') {
      expect(open).toBeUndefined();
      open = { head: c, events: 0, bytes: c.byteSize };
      continue;
    }
    expect(open, `${c.kind} at ${e.file}:${e.position} outside a group`).toBeDefined();
    const push = (bytes: number): void => {
      const g = open!.head.gtid;
      out.push({ gtid: `${g.domainId}-${g.serverId}-${g.seqNo}`, events: open!.events, bytes: open!.bytes + bytes, flags: Object.entries(open!.head.flags).filter(([, v]) => v).map(([k]) => k).join(',') });
      open = undefined;
    };
    if (c.kind === 'commit') push(c.byteSize);
    else if (c.kind === 'rollback') open = undefined;
    else {
      open!.events++;
      open!.bytes += c.byteSize;
      if (open!.head.flags.standalone) push(0);
    }
  }
  expect(open).toBeUndefined();
  return out;
}

describe('classifyBinlogEvent (for @lockstep/replication assembleTransactions)', () => {
  it('groups the real MariaDB binlog into its 255 transactions with flags and byte sizes', async () => {
    const events: PositionedBinlogEvent[] = [];
    for await (const e of readBinlog({ fs: nodeFileSystem, dir: fixturesDir, baseName: 'mariadb-bin' })) if (!isFileStructureEvent(e)) events.push(e);
    const txs = assemble(events);
    expect(txs.length).toBe(255);
    expect(txs.filter((t) => t.flags.includes('ddl')).every((t) => t.flags.includes('standalone') && t.events === 1)).toBe(true);
    expect(txs.filter((t) => t.flags === 'transactional,allowParallel,waited').length).toBeGreaterThan(50);
    const total = events.reduce((n, e) => n + e.size, 0);
    expect(txs.reduce((n, t) => n + t.bytes, 0)).toBe(total);
  });

  it('gives GTID fields, commit ids and the timestamp in ms; COMMIT/ROLLBACK queries', () => {
    const h = { timestamp: 1_700_000_000, serverId: 3, logPos: 0, flags: 8 };
    expect(classifyBinlogEvent({ ...h, kind: 'gtid', seqNo: 9n, domainId: 2, gtidFlags: 0x1e, commitId: 7n, extra: new Uint8Array(0) }, 42)).toEqual({
      kind: 'gtid',
      gtid: { domainId: 2, serverId: 3, seqNo: 9n },
      commitId: 7n,
      flags: { standalone: false, transactional: true, allowParallel: true, waited: true, ddl: false },
      timestampMs: 1_700_000_000_000,
      byteSize: 42,
    });
    const q = (sql: string) => ({ ...h, kind: 'query' as const, threadId: 1, execTimeS: 0, errorCode: 0, database: '', sql, status: {} });
    expect(classifyBinlogEvent(q('COMMIT'), 5).kind).toBe('commit');
    expect(classifyBinlogEvent(q('ROLLBACK'), 5).kind).toBe('rollback');
    expect(classifyBinlogEvent(q('ROLLBACK TO SAVEPOINT a'), 5).kind).toBe('other');
    expect(classifyBinlogEvent(q('BEGIN'), 5).kind).toBe('other');
    expect(classifyBinlogEvent({ ...h, kind: 'xid', xid: 1n }, 31)).toEqual({ kind: 'commit', byteSize: 31 });
  });
});
