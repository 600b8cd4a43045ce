import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BinlogEventDecoder, BinlogEventEncoder } from '../src/index.js';
import { headerArb, simpleBodyArb, tableWithRowsArb, withHeader } from './arbitraries.js';
import { FUZZ_RUNS } from './helpers.js';

describe('round trip of random events (fast-check)', () => {
  for (const checksum of [true, false]) {
    it(`every non-rows event kind, checksum ${checksum ? 'CRC32' : 'none'}`, () => {
      fc.assert(
        fc.property(headerArb, simpleBodyArb(checksum), (header, body) => {
          const event = withHeader(header, body);
          const bytes = new BinlogEventEncoder({ checksum }).encode(event);
          const decoded = new BinlogEventDecoder({ checksum }).decode(bytes);
          expect(decoded.event).toEqual(event);
          expect(decoded.size).toBe(bytes.length);
        }),
        { numRuns: FUZZ_RUNS },
      );
    });

    it(`table maps and rows events of every column type, checksum ${checksum ? 'CRC32' : 'none'}`, () => {
      fc.assert(
        fc.property(headerArb, tableWithRowsArb, (header, [tableMap, rowsEvents]) => {
          const encoder = new BinlogEventEncoder({ checksum });
          const events = [withHeader(header, tableMap), ...rowsEvents.map((r) => withHeader(header, r))];
          const parts = events.map((e) => encoder.encode(e));
          const stream = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
          let at = 0;
          for (const p of parts) {
            stream.set(p, at);
            at += p.length;
          }
          const decoder = new BinlogEventDecoder({ checksum });
          const decoded = [];
          for (let pos = 0; pos < stream.length; ) {
            const d = decoder.decode(stream, pos);
            decoded.push(d.event);
            pos += d.size;
          }
          expect(decoded).toEqual(events);
        }),
        { numRuns: FUZZ_RUNS },
      );
    });
  }
});
