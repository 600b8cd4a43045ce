import { crc32, Random } from '@lockstep/base';
import { describe, expect, it } from 'vitest';
import { crc32Sliced } from '../src/internal/crc32-sliced.js';

describe('crc32Sliced', () => {
  it('equals @lockstep/base crc32 on every length and offset', () => {
    const random = new Random(3);
    for (let n = 0; n < 300; n++) {
      const data = random.bytes(n);
      const start = n === 0 ? 0 : random.int(0, n);
      expect(crc32Sliced(data, start)).toBe(crc32(data, 0, start));
    }
    expect(crc32Sliced(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});
