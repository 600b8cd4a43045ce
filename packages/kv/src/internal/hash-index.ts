import type { KeyRecord } from './key-record.js';

const INITIAL_BUCKETS = 1024;

/** FNV-1a over the key's bytes (32-bit). */
export function hashKey(key: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key[i]!, 0x01000193);
  return h >>> 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A hash table over the tree's key records (intrusive chaining through
 * `KeyRecord.nextInBucket`), so a point lookup costs a hash and one or two record visits
 * instead of a tree descent: the B+ tree still owns order (iterators, checkpoints), this
 * index only answers "which record has exactly this key".
 *
 * Invariants: a record is in the index iff it is in the tree; `record.hash === hashKey(record.key)`;
 * the bucket count is a power of two and at least the record count (it doubles in one
 * step when exceeded: a pause of roughly 30-60 ms per million keys).
 */
export class HashIndex {
  #buckets: (KeyRecord | undefined)[] = new Array<KeyRecord | undefined>(INITIAL_BUCKETS).fill(undefined);
  #mask = INITIAL_BUCKETS - 1;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  get(key: Uint8Array, hash: number): KeyRecord | undefined {
    let record = this.#buckets[hash & this.#mask];
    while (record !== undefined) {
      if (record.hash === hash && sameBytes(record.key, key)) return record;
      record = record.nextInBucket;
    }
    return undefined;
  }

  /** REQUIRES: the record's key is not in the index; `record.hash` is set. */
  add(record: KeyRecord): void {
    if (this.#size >= this.#buckets.length) this.#grow();
    const slot = record.hash & this.#mask;
    record.nextInBucket = this.#buckets[slot];
    this.#buckets[slot] = record;
    this.#size++;
  }

  remove(record: KeyRecord): void {
    const slot = record.hash & this.#mask;
    let current = this.#buckets[slot];
    if (current === record) {
      this.#buckets[slot] = record.nextInBucket;
    } else {
      while (current !== undefined && current.nextInBucket !== record) current = current.nextInBucket;
      if (current === undefined) return;
      current.nextInBucket = record.nextInBucket;
    }
    record.nextInBucket = undefined;
    this.#size--;
  }

  #grow(): void {
    const old = this.#buckets;
    const buckets = new Array<KeyRecord | undefined>(old.length * 2).fill(undefined);
    const mask = buckets.length - 1;
    for (let record of old) {
      while (record !== undefined) {
        const next = record.nextInBucket;
        const slot = record.hash & mask;
        record.nextInBucket = buckets[slot];
        buckets[slot] = record;
        record = next;
      }
    }
    this.#buckets = buckets;
    this.#mask = mask;
  }
}
