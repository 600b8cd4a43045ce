import { describe, expect, it } from 'vitest';
import { BinlogCorruptError, BinlogEventDecoder, BinlogEventEncoder, type EventInput } from '../src/index.js';
import { sbRow, sbtestMap } from './sysbench-like.js';

const defaults = { timestamp: 1, serverId: 2, flags: 0 };

describe('codec internals', () => {
  it('a repeated table map is recognised by its bytes; a changed one with the same id replaces it', () => {
    const encoder = new BinlogEventEncoder();
    const other = { ...sbtestMap(10), table: 'sbtest2', columns: sbtestMap(10).columns.slice(0, 2) };
    const events: EventInput[] = [
      sbtestMap(10),
      { kind: 'writeRows', tableId: 10, rowsFlags: 1, columnCount: 4, rows: [sbRow(1, 1)] },
      { ...sbtestMap(10), timestamp: 99 },
      { kind: 'writeRows', tableId: 10, rowsFlags: 1, columnCount: 4, rows: [sbRow(2, 2)] },
      other,
      { kind: 'writeRows', tableId: 10, rowsFlags: 1, columnCount: 2, rows: [[3, 3]] },
    ];
    const bytes = encoder.encodeMany(events, 0, defaults);
    const decoder = new BinlogEventDecoder();
    const decoded = [];
    for (let at = 0; at < bytes.length; ) {
      const d = decoder.decode(bytes, at);
      decoded.push(d.event);
      at += d.size;
    }
    expect(decoded[0]).toMatchObject({ kind: 'tableMap', table: 'sbtest1', timestamp: 1 });
    expect(decoded[2]).toMatchObject({ kind: 'tableMap', table: 'sbtest1', timestamp: 99 });
    expect(decoded[0]).not.toBe(decoded[2]);
    expect(decoded[4]).toMatchObject({ kind: 'tableMap', table: 'sbtest2' });
    expect(decoded[5]).toMatchObject({ kind: 'writeRows', rows: [[3, 3]] });
  });

  it('an encoder reuses the bytes of a table map for the same column list only when every field matches', () => {
    const map = sbtestMap(10);
    const fresh = (m: typeof map): string => Buffer.from(new BinlogEventEncoder().encode(m, 0, defaults)).toString('hex');
    const encoder = new BinlogEventEncoder();
    const once = Buffer.from(encoder.encode(map, 0, defaults)).toString('hex');
    const twice = Buffer.from(encoder.encode(map, 0, defaults)).toString('hex');
    expect(twice).toBe(once);
    expect(once).toBe(fresh(map));
    const renamed = { ...map, table: 'other' };
    expect(Buffer.from(encoder.encode(renamed, 0, defaults)).toString('hex')).toBe(fresh(renamed));
    const moved = { ...map, tableId: 11 };
    expect(Buffer.from(encoder.encode(moved, 0, defaults)).toString('hex')).toBe(fresh(moved));
  });

  it('bound: a decoder remembers at most maxTableMaps table maps (the oldest is forgotten)', () => {
    const encoder = new BinlogEventEncoder({ maxTableMaps: 100 });
    const events: EventInput[] = [sbtestMap(1), sbtestMap(2), sbtestMap(3), { kind: 'writeRows', tableId: 1, rowsFlags: 1, columnCount: 4, rows: [sbRow(1, 1)] }];
    const bytes = encoder.encodeMany(events, 0, defaults);
    const decoder = new BinlogEventDecoder({ maxTableMaps: 2 });
    let at = 0;
    for (let i = 0; i < 3; i++) at += decoder.decode(bytes, at).size;
    expect(decoder.tableMap(1)).toBeUndefined();
    expect(decoder.tableMap(3)).toBeDefined();
    expect(() => decoder.decode(bytes, at)).toThrow(BinlogCorruptError);
  });

  it('encodeMany positions: each header log position is the offset past the event', () => {
    const encoder = new BinlogEventEncoder();
    const bytes = encoder.encodeMany([sbtestMap(1), { kind: 'xid', xid: 5n }], 1000, defaults);
    const decoder = new BinlogEventDecoder();
    const first = decoder.decode(bytes, 0, 1000);
    const second = decoder.decode(bytes, first.size, 1000 + first.size);
    expect(first.event.logPos).toBe(1000 + first.size);
    expect(second.event.logPos).toBe(1000 + bytes.length);
  });
});
