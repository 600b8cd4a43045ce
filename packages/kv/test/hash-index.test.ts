import { Random } from '@lockstep/base';
import { describe, expect, it } from 'vitest';
import { HashIndex, hashKey } from '../src/internal/hash-index.js';
import { KeyRecord } from '../src/internal/key-record.js';
import { MAX_SLAB_VALUE_BYTES, SLAB_BYTES, ValueArena } from '../src/internal/value-arena.js';

describe('HashIndex', () => {
  it('finds exactly the records added through growth and removals (colliding buckets included)', () => {
    const random = new Random(5);
    const index = new HashIndex();
    const model = new Map<string, KeyRecord>();
    for (let step = 0; step < 8000; step++) {
      const key = random.bytes(random.int(0, 4));
      const id = Buffer.from(key).toString('hex');
      const existing = index.get(key, hashKey(key));
      expect(existing).toBe(model.get(id));
      if (existing === undefined) {
        const record = new KeyRecord(key, key, 1, hashKey(key));
        index.add(record);
        model.set(id, record);
      } else if (random.bool(0.4)) {
        index.remove(existing);
        model.delete(id);
      }
      expect(index.size).toBe(model.size);
    }
    for (const [id, record] of model) expect(index.get(Buffer.from(id, 'hex'), record.hash)).toBe(record);
  });
});

describe('ValueArena', () => {
  it('copies values exactly, small ones into shared slabs, large ones alone', () => {
    const arena = new ValueArena();
    const random = new Random(6);
    const copies: [Uint8Array, Uint8Array][] = [];
    for (let i = 0; i < 3000; i++) {
      const value = random.bytes(random.int(0, 300));
      copies.push([value, arena.copy(value)]);
    }
    for (const [original, copy] of copies) expect(Buffer.compare(copy, original)).toBe(0);
    expect(copies[1]![1].buffer.byteLength).toBe(SLAB_BYTES);
    const big = random.bytes(MAX_SLAB_VALUE_BYTES + 1);
    const copy = arena.copy(big);
    expect(copy).toEqual(big);
    expect(copy.buffer.byteLength).toBe(big.length);
    big[0] = big[0]! ^ 1;
    expect(copy[0]).not.toBe(big[0]);
  });
});
