import { Random } from '@lockstep/base';
import { forEachSeed } from '@lockstep/base/testing';
import { describe, expect, it } from 'vitest';
import { BPlusTree, type Cursor } from '../src/internal/bplus-tree.js';
import { compareBytes } from '../src/internal/compare-bytes.js';
import { KeyRecord } from '../src/internal/key-record.js';

const SEEDS = Number(process.env.KV_TREE_SEEDS ?? 6);

let longKeys = false;

function keyOf(n: number): Uint8Array {
  // Big-endian so numeric order is byte order; variable length to exercise prefixes. With
  // longKeys every key shares its first 7 bytes, so the 6-byte prefix always ties.
  const bytes = [(n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  const tail = n % 7 === 0 ? bytes.slice(0, 2) : bytes;
  return new Uint8Array(longKeys ? [9, 9, 9, 9, 9, 9, 9, ...tail] : tail);
}

function scan(tree: BPlusTree, reverse: boolean): string[] {
  const cursor: Cursor = { leaf: undefined, index: 0 };
  if (reverse) tree.seekLast(cursor);
  else tree.seekFirst(cursor);
  const out: string[] = [];
  while (cursor.leaf !== undefined) {
    out.push(Buffer.from(cursor.leaf.entries[cursor.index]!.key).toString('hex'));
    if (reverse) {
      if (--cursor.index < 0) {
        cursor.leaf = cursor.leaf.prev;
        cursor.index = cursor.leaf === undefined ? 0 : cursor.leaf.entries.length - 1;
      }
    } else if (++cursor.index >= cursor.leaf.entries.length) {
      cursor.leaf = cursor.leaf.next;
      cursor.index = 0;
    }
  }
  return out;
}

describe('B+ tree', () => {
  it('keeps its invariants and matches a sorted model through random inserts and removals (grow, shrink, regrow)', async () => {
    await forEachSeed(SEEDS, async (seed) => {
      longKeys = seed % 2 === 0;
      const random = new Random(seed);
      const tree = new BPlusTree();
      const model = new Map<string, Uint8Array>();
      const present: string[] = [];
      const position = new Map<string, number>();
      for (let phase = 0; phase < 3; phase++) {
        const inserting = phase !== 1;
        for (let step = 0; step < 6000; step++) {
          const n = random.int(0, 20000);
          const key = keyOf(n);
          const id = Buffer.from(key).toString('hex');
          if ((inserting ? random.bool(0.8) : random.bool(0.1)) && !model.has(id)) {
            tree.insert(new KeyRecord(key, key, 1, 0));
            model.set(id, key);
            position.set(id, present.length);
            present.push(id);
          } else if (!inserting || random.bool(0.5)) {
            // Remove a present key most of the time (present ids kept in an array for O(1) picks).
            const victim = present.length > 0 && random.bool(0.9) ? present[random.int(0, present.length - 1)]! : id;
            const removed = model.delete(victim);
            expect(tree.remove(Buffer.from(victim, 'hex'))).toBe(removed);
            if (removed) {
              const at = position.get(victim)!;
              const last = present.pop()!;
              if (last !== victim) {
                present[at] = last;
                position.set(last, at);
              }
              position.delete(victim);
            }
          }
          if (step % 1000 === 0) tree.checkInvariants();
        }
        tree.checkInvariants();
        const sorted = [...model.keys()].sort();
        expect(scan(tree, false)).toEqual(sorted);
        expect(scan(tree, true)).toEqual([...sorted].reverse());
        expect(tree.size).toBe(model.size);
        // Seeks agree with the model in both directions.
        const all = [...model.values()].sort(compareBytes);
        for (let probe = 0; probe < 200; probe++) {
          const target = keyOf(random.int(0, 20000));
          const exclusive = random.bool(0.5);
          const cursor: Cursor = { leaf: undefined, index: 0 };
          tree.seekForward(cursor, target, exclusive);
          const forward = all.find((k) => (exclusive ? compareBytes(k, target) > 0 : compareBytes(k, target) >= 0));
          expect(cursor.leaf?.entries[cursor.index]?.key).toEqual(forward);
          tree.seekBackward(cursor, target, exclusive);
          const backward = [...all].reverse().find((k) => (exclusive ? compareBytes(k, target) < 0 : compareBytes(k, target) <= 0));
          expect(cursor.leaf?.entries[cursor.index]?.key).toEqual(backward);
        }
      }
      // Remove everything: the tree collapses back to an empty root leaf.
      for (const key of [...model.values()]) expect(tree.remove(key)).toBe(true);
      tree.checkInvariants();
      expect(scan(tree, false)).toEqual([]);
      await Promise.resolve();
    });
  });

  it('bulk-loads sorted records into a valid tree', () => {
    for (const count of [0, 1, 47, 48, 49, 2304, 2305, 120_000]) {
      const tree = new BPlusTree();
      const records = Array.from({ length: count }, (_, i) => new KeyRecord(new Uint8Array([i >>> 16, (i >>> 8) & 0xff, i & 0xff]), new Uint8Array(0), 1, 0));
      tree.bulkLoad(records);
      tree.checkInvariants();
      expect(tree.size).toBe(count);
      if (count > 0) expect(tree.get(records[count >>> 1]!.key)).toBe(records[count >>> 1]);
      tree.insert(new KeyRecord(new Uint8Array([255]), new Uint8Array(0), 2, 0));
      tree.checkInvariants();
    }
  });
});
