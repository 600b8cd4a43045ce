import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GtidParseError, GtidPosition, compareGtids, formatGtid, formatGtidList, parseGtid, parseGtidList } from '../src/index.js';

describe('GTIDs', () => {
  it('parses and formats domain-server-seq', () => {
    expect(parseGtid('0-1-100')).toEqual({ domainId: 0, serverId: 1, seqNo: 100n });
    expect(formatGtid({ domainId: 4294967295, serverId: 2, seqNo: 18446744073709551615n })).toBe('4294967295-2-18446744073709551615');
    expect(parseGtid(' 1-2-3 ')).toEqual({ domainId: 1, serverId: 2, seqNo: 3n });
  });

  it('rejects malformed text with a typed error', () => {
    for (const bad of ['', '1-2', '1-2-3-4', 'a-1-2', '-1-2-3', '4294967296-1-1', '1-4294967296-1', '1-1-18446744073709551616', '1.0-1-1']) {
      expect(() => parseGtid(bad), bad).toThrow(GtidParseError);
    }
    expect(() => parseGtidList('0-1-1,0-2-5')).toThrow(/domain 0 appears twice/);
  });

  it('parses and formats lists, sorted by domain', () => {
    const list = parseGtidList('1-2-7,0-1-100');
    expect(formatGtidList(list)).toBe('0-1-100,1-2-7');
    expect(parseGtidList('  ')).toEqual([]);
  });

  it('format/parse round trip (fast-check)', () => {
    const gtid = fc.record({ domainId: fc.integer({ min: 0, max: 0xffffffff }), serverId: fc.integer({ min: 0, max: 0xffffffff }), seqNo: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) });
    fc.assert(
      fc.property(gtid, (g) => {
        expect(parseGtid(formatGtid(g))).toEqual(g);
      }),
    );
    fc.assert(
      fc.property(fc.uniqueArray(gtid, { selector: (g) => g.domainId, maxLength: 6 }), (gs) => {
        expect(parseGtidList(formatGtidList(gs))).toEqual([...gs].sort(compareGtids));
      }),
    );
  });

  it('compares within a domain by sequence number', () => {
    expect(compareGtids(parseGtid('0-1-5'), parseGtid('0-9-6'))).toBeLessThan(0);
    expect(compareGtids(parseGtid('0-1-5'), parseGtid('0-1-5'))).toBe(0);
    expect(compareGtids(parseGtid('1-1-1'), parseGtid('0-1-9'))).toBeGreaterThan(0);
  });

  it('positions: contains, with, covers, equals', () => {
    const pos = GtidPosition.parse('0-1-100,1-2-7');
    expect(pos.contains(parseGtid('0-1-100'))).toBe(true);
    expect(pos.contains(parseGtid('0-1-101'))).toBe(false);
    expect(pos.contains(parseGtid('2-1-1'))).toBe(false);
    const later = pos.with(parseGtid('0-1-101'));
    expect(later.toString()).toBe('0-1-101,1-2-7');
    expect(pos.toString()).toBe('0-1-100,1-2-7');
    expect(later.covers(pos)).toBe(true);
    expect(pos.covers(later)).toBe(false);
    expect(GtidPosition.parse('1-2-7,0-1-100').equals(pos)).toBe(true);
    expect(pos.with(parseGtid('0-1-50')).toString()).toBe('0-1-100,1-2-7');
  });
});
