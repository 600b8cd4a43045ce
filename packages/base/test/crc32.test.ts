import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc32, crc32Bytewise } from '../src/index.js';

describe('crc32', () => {
  it('matches the standard check values', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(new TextEncoder().encode('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
  });

  it('continues across chunks and honours start/end', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), (bytes, cutSeed) => {
        const cut = bytes.length === 0 ? 0 : cutSeed % bytes.length;
        const whole = crc32(bytes);
        expect(crc32(bytes.subarray(cut), crc32(bytes.subarray(0, cut)))).toBe(whole);
        expect(crc32(bytes, 0, 0, cut)).toBe(crc32(bytes.subarray(0, cut)));
      }),
    );
  });

  it('equals the byte-at-a-time definition on every length, offset and starting crc', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 0xffffffff }), (bytes, a, b, seed) => {
        const start = bytes.length === 0 ? 0 : a % bytes.length;
        const end = start + (bytes.length === start ? 0 : b % (bytes.length - start + 1));
        expect(crc32(bytes, seed, start, end)).toBe(crc32Bytewise(bytes, seed, start, end));
      }),
      { numRuns: 500 },
    );
  });

  it('detects a single flipped bit', () => {
    const bytes = new TextEncoder().encode('binlog event body');
    const before = crc32(bytes);
    bytes[3]! ^= 0x10;
    expect(crc32(bytes)).not.toBe(before);
  });
});
