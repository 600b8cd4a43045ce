import { invariant } from '@lockstep/base';
import { compareBytes, keyPrefix } from './compare-bytes.js';
import type { KeyRecord } from './key-record.js';

/**
 * An in-memory B+ tree of key records ordered bytewise by key.
 *
 * Why a B+ tree: a lookup is a few binary searches over small arrays (few cache misses,
 * no per-level pointer chase as in a skip list), and leaves linked both ways make range
 * scans in either direction a walk over arrays.
 *
 * Invariants:
 * - Every leaf's entries are strictly ascending; every key in `children[i]` of an inner
 *   node is `< keys[i]` and every key in `children[i + 1]` is `>= keys[i]`.
 * - Leaves are linked in key order (`prev`/`next`); no leaf but a root leaf is empty.
 * - `structureVersion` changes whenever an entry is inserted or removed, so a cursor
 *   (leaf + index) taken at another version must be re-found by key.
 */
export const MAX_LEAF_ENTRIES = 64;
const MIN_LEAF_ENTRIES = 16;
const MAX_INNER_CHILDREN = 64;
const MIN_INNER_CHILDREN = 16;
const BULK_FILL = 48;

export class Leaf {
  readonly isLeaf = true;
  entries: KeyRecord[] = [];
  /** keyPrefix of each entry's key, same indexes. */
  prefixes: number[] = [];
  next: Leaf | undefined = undefined;
  prev: Leaf | undefined = undefined;
}

class Inner {
  readonly isLeaf = false;
  keys: Uint8Array[] = [];
  /** keyPrefix of each separator, same indexes. */
  prefixes: number[] = [];
  children: TreeNode[] = [];
}

type TreeNode = Leaf | Inner;

/** A position in the tree; `leaf === undefined` means past either end. */
export interface Cursor {
  leaf: Leaf | undefined;
  index: number;
}

/** Index of the first entry >= key. */
function leafLowerBound(leaf: Leaf, key: Uint8Array, prefix: number): number {
  const prefixes = leaf.prefixes;
  let lo = 0;
  let hi = prefixes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const p = prefixes[mid]!;
    if (p < prefix || (p === prefix && compareBytes(leaf.entries[mid]!.key, key) < 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class BPlusTree {
  #root: TreeNode = new Leaf();
  #size = 0;
  structureVersion = 0;
  // Descent path, reused by every call (no allocation per operation).
  readonly #pathNodes: Inner[] = [];
  readonly #pathIndex: number[] = [];
  #depth = 0;

  get size(): number {
    return this.#size;
  }

  #descend(key: Uint8Array, prefix: number): Leaf {
    let node = this.#root;
    let depth = 0;
    while (!node.isLeaf) {
      const prefixes = node.prefixes;
      let lo = 0;
      let hi = prefixes.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const p = prefixes[mid]!;
        if (p < prefix || (p === prefix && compareBytes(node.keys[mid]!, key) <= 0)) lo = mid + 1;
        else hi = mid;
      }
      this.#pathNodes[depth] = node;
      this.#pathIndex[depth] = lo;
      depth++;
      node = node.children[lo]!;
    }
    this.#depth = depth;
    return node;
  }

  get(key: Uint8Array): KeyRecord | undefined {
    const prefix = keyPrefix(key);
    const leaf = this.#descend(key, prefix);
    const entries = leaf.entries;
    const i = leafLowerBound(leaf, key, prefix);
    if (i < entries.length) {
      const record = entries[i]!;
      if (compareBytes(record.key, key) === 0) return record;
    }
    return undefined;
  }

  /** REQUIRES: no record with this key is in the tree. */
  insert(record: KeyRecord): void {
    const prefix = keyPrefix(record.key);
    const leaf = this.#descend(record.key, prefix);
    const entries = leaf.entries;
    const i = leafLowerBound(leaf, record.key, prefix);
    invariant(i >= entries.length || compareBytes(entries[i]!.key, record.key) !== 0, 'B+ tree insert of a key already present');
    entries.splice(i, 0, record);
    leaf.prefixes.splice(i, 0, prefix);
    this.#size++;
    this.structureVersion++;
    if (entries.length > MAX_LEAF_ENTRIES) this.#splitLeaf(leaf);
  }

  /** Removes the record with this key; returns whether one was there. */
  remove(key: Uint8Array): boolean {
    const prefix = keyPrefix(key);
    const leaf = this.#descend(key, prefix);
    const entries = leaf.entries;
    const i = leafLowerBound(leaf, key, prefix);
    if (i >= entries.length || compareBytes(entries[i]!.key, key) !== 0) return false;
    entries.splice(i, 1);
    leaf.prefixes.splice(i, 1);
    this.#size--;
    this.structureVersion++;
    if (entries.length < MIN_LEAF_ENTRIES && this.#depth > 0) this.#rebalanceLeaf(leaf);
    return true;
  }

  /** REQUIRES: an empty tree and records strictly ascending by key. */
  bulkLoad(records: readonly KeyRecord[]): void {
    invariant(this.#size === 0, 'bulkLoad into a non-empty tree');
    if (records.length === 0) return;
    let level: TreeNode[] = [];
    let firstKeys: Uint8Array[] = [];
    let previous: Leaf | undefined;
    for (let start = 0; start < records.length; start += BULK_FILL) {
      const leaf = new Leaf();
      leaf.entries = records.slice(start, start + BULK_FILL);
      leaf.prefixes = leaf.entries.map((r) => keyPrefix(r.key));
      leaf.prev = previous;
      if (previous !== undefined) previous.next = leaf;
      previous = leaf;
      level.push(leaf);
      firstKeys.push(leaf.entries[0]!.key);
    }
    while (level.length > 1) {
      const parents: TreeNode[] = [];
      const parentFirstKeys: Uint8Array[] = [];
      for (let start = 0; start < level.length; start += BULK_FILL) {
        const inner = new Inner();
        inner.children = level.slice(start, start + BULK_FILL);
        inner.keys = firstKeys.slice(start + 1, start + inner.children.length);
        inner.prefixes = inner.keys.map(keyPrefix);
        parents.push(inner);
        parentFirstKeys.push(firstKeys[start]!);
      }
      level = parents;
      firstKeys = parentFirstKeys;
    }
    this.#root = level[0]!;
    this.#size = records.length;
    this.structureVersion++;
  }

  // ---- cursors -------------------------------------------------------------------

  /** Moves `cursor` to the first record with key >= `key` (> when `exclusive`). */
  seekForward(cursor: Cursor, key: Uint8Array, exclusive: boolean): void {
    const prefix = keyPrefix(key);
    const leaf = this.#descend(key, prefix);
    const entries = leaf.entries;
    let i = leafLowerBound(leaf, key, prefix);
    if (exclusive && i < entries.length && compareBytes(entries[i]!.key, key) === 0) i++;
    cursor.leaf = leaf;
    cursor.index = i;
    if (i >= entries.length) {
      cursor.leaf = leaf.next;
      cursor.index = 0;
    }
  }

  /** Moves `cursor` to the last record with key <= `key` (< when `exclusive`). */
  seekBackward(cursor: Cursor, key: Uint8Array, exclusive: boolean): void {
    const prefix = keyPrefix(key);
    const leaf = this.#descend(key, prefix);
    const entries = leaf.entries;
    let i = leafLowerBound(leaf, key, prefix);
    if (exclusive || i >= entries.length || compareBytes(entries[i]!.key, key) !== 0) i--;
    cursor.leaf = leaf;
    cursor.index = i;
    if (i < 0) {
      cursor.leaf = leaf.prev;
      cursor.index = cursor.leaf === undefined ? 0 : cursor.leaf.entries.length - 1;
    }
  }

  seekFirst(cursor: Cursor): void {
    let node = this.#root;
    while (!node.isLeaf) node = node.children[0]!;
    cursor.leaf = node.entries.length === 0 ? undefined : node;
    cursor.index = 0;
  }

  seekLast(cursor: Cursor): void {
    let node = this.#root;
    while (!node.isLeaf) node = node.children[node.children.length - 1]!;
    cursor.leaf = node.entries.length === 0 ? undefined : node;
    cursor.index = node.entries.length - 1;
  }

  /** Check of every structural invariant; for tests (O(n)). */
  checkInvariants(): void {
    let count = 0;
    let last: Uint8Array | undefined;
    const cursor: Cursor = { leaf: undefined, index: 0 };
    this.seekFirst(cursor);
    let leaf = cursor.leaf;
    let prev: Leaf | undefined;
    while (leaf !== undefined) {
      invariant(leaf.prev === prev, 'leaf prev link broken');
      invariant(leaf.entries.length > 0, 'empty leaf in a non-empty tree');
      invariant(leaf.prefixes.length === leaf.entries.length && leaf.entries.every((r, i) => leaf!.prefixes[i] === keyPrefix(r.key)), 'leaf prefixes out of step');
      for (const record of leaf.entries) {
        invariant(last === undefined || compareBytes(last, record.key) < 0, 'leaf keys not ascending');
        last = record.key;
        count++;
      }
      prev = leaf;
      leaf = leaf.next;
    }
    invariant(count === this.#size, () => `tree size ${this.#size} but ${count} entries linked`);
    const check = (node: TreeNode, low: Uint8Array | undefined, high: Uint8Array | undefined): void => {
      if (node.isLeaf) {
        for (const record of node.entries) {
          invariant(low === undefined || compareBytes(record.key, low) >= 0, 'key below its separator');
          invariant(high === undefined || compareBytes(record.key, high) < 0, 'key above its separator');
        }
        return;
      }
      invariant(node.keys.length === node.children.length - 1, 'inner node keys/children mismatch');
      invariant(node.prefixes.length === node.keys.length && node.keys.every((k, i) => node.prefixes[i] === keyPrefix(k)), 'inner prefixes out of step');
      invariant(node.children.length >= 1, 'inner node without children');
      for (let i = 0; i < node.children.length; i++) {
        check(node.children[i]!, i === 0 ? low : node.keys[i - 1], i === node.keys.length ? high : node.keys[i]);
      }
    };
    check(this.#root, undefined, undefined);
  }

  // ---- structure changes -----------------------------------------------------------

  #splitLeaf(leaf: Leaf): void {
    const right = new Leaf();
    const half = leaf.entries.length >>> 1;
    right.entries = leaf.entries.splice(half);
    right.prefixes = leaf.prefixes.splice(half);
    right.next = leaf.next;
    right.prev = leaf;
    if (leaf.next !== undefined) leaf.next.prev = right;
    leaf.next = right;
    this.#insertIntoParent(this.#depth - 1, leaf, right.entries[0]!.key, right);
  }

  #insertIntoParent(level: number, left: TreeNode, separator: Uint8Array, right: TreeNode): void {
    if (level < 0) {
      const root = new Inner();
      root.keys = [separator];
      root.prefixes = [keyPrefix(separator)];
      root.children = [left, right];
      this.#root = root;
      return;
    }
    const parent = this.#pathNodes[level]!;
    const index = this.#pathIndex[level]!;
    parent.keys.splice(index, 0, separator);
    parent.prefixes.splice(index, 0, keyPrefix(separator));
    parent.children.splice(index + 1, 0, right);
    if (parent.children.length > MAX_INNER_CHILDREN) {
      const mid = parent.children.length >>> 1;
      const sibling = new Inner();
      sibling.children = parent.children.splice(mid);
      sibling.keys = parent.keys.splice(mid);
      sibling.prefixes = parent.prefixes.splice(mid);
      parent.prefixes.pop();
      const up = parent.keys.pop()!;
      this.#insertIntoParent(level - 1, parent, up, sibling);
    }
  }

  #unlinkLeaf(leaf: Leaf): void {
    if (leaf.prev !== undefined) leaf.prev.next = leaf.next;
    if (leaf.next !== undefined) leaf.next.prev = leaf.prev;
    leaf.prev = undefined;
    leaf.next = undefined;
  }

  #rebalanceLeaf(leaf: Leaf): void {
    const level = this.#depth - 1;
    const parent = this.#pathNodes[level]!;
    const index = this.#pathIndex[level]!;
    if (leaf.entries.length === 0) {
      this.#unlinkLeaf(leaf);
      this.#removeChild(level, index);
      return;
    }
    if (index + 1 < parent.children.length) {
      const right = parent.children[index + 1] as Leaf;
      if (leaf.entries.length + right.entries.length <= MAX_LEAF_ENTRIES) {
        for (const record of right.entries) leaf.entries.push(record);
        for (const prefix of right.prefixes) leaf.prefixes.push(prefix);
        this.#unlinkLeaf(right);
        this.#removeChild(level, index + 1);
        return;
      }
    }
    if (index > 0) {
      const left = parent.children[index - 1] as Leaf;
      if (leaf.entries.length + left.entries.length <= MAX_LEAF_ENTRIES) {
        for (const record of leaf.entries) left.entries.push(record);
        for (const prefix of leaf.prefixes) left.prefixes.push(prefix);
        this.#unlinkLeaf(leaf);
        this.#removeChild(level, index);
      }
    }
  }

  #removeChild(level: number, index: number): void {
    const node = this.#pathNodes[level]!;
    node.children.splice(index, 1);
    node.keys.splice(index > 0 ? index - 1 : 0, 1);
    node.prefixes.splice(index > 0 ? index - 1 : 0, 1);
    if (level === 0) {
      if (node.children.length === 1) this.#root = node.children[0]!;
      else if (node.children.length === 0) this.#root = new Leaf();
      return;
    }
    if (node.children.length >= MIN_INNER_CHILDREN) return;
    const parent = this.#pathNodes[level - 1]!;
    const parentIndex = this.#pathIndex[level - 1]!;
    if (node.children.length === 0) {
      this.#removeChild(level - 1, parentIndex);
      return;
    }
    if (parentIndex + 1 < parent.children.length) {
      const right = parent.children[parentIndex + 1] as Inner;
      if (node.children.length + right.children.length <= MAX_INNER_CHILDREN) {
        node.keys.push(parent.keys[parentIndex]!, ...right.keys);
        node.prefixes.push(parent.prefixes[parentIndex]!, ...right.prefixes);
        node.children.push(...right.children);
        this.#removeChild(level - 1, parentIndex + 1);
        return;
      }
    }
    if (parentIndex > 0) {
      const left = parent.children[parentIndex - 1] as Inner;
      if (node.children.length + left.children.length <= MAX_INNER_CHILDREN) {
        left.keys.push(parent.keys[parentIndex - 1]!, ...node.keys);
        left.prefixes.push(parent.prefixes[parentIndex - 1]!, ...node.prefixes);
        left.children.push(...node.children);
        this.#removeChild(level - 1, parentIndex);
      }
    }
  }
}
