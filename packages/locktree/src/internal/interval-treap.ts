import { MAX_KEY, MIN_KEY, compareBytes, type Bound, type KeyComparator } from '../bounds.js';

/**
 * An interval tree as a treap: nodes ordered by (left, seq), each node keeping the
 * largest right bound of its subtree, so "every range overlapping [l, r]" visits only the
 * subtrees that can hold one. Expected O(log n) insert and delete, O(log n + k) overlap
 * search.
 *
 * Invariants: in-order traversal is sorted by (left, seq); `maxRight` of a node is the
 * maximum right bound in its subtree; heap order on `priority`.
 */
export class RangeNode<V> {
  left: Bound;
  right: Bound;
  readonly seq: number;
  readonly priority: number;
  value: V;
  maxRight: Bound;
  lo: RangeNode<V> | undefined = undefined;
  hi: RangeNode<V> | undefined = undefined;

  constructor(left: Bound, right: Bound, seq: number, priority: number, value: V) {
    this.left = left;
    this.right = right;
    this.seq = seq;
    this.priority = priority;
    this.value = value;
    this.maxRight = right;
  }
}

export class IntervalTreap<V> {
  readonly #compare: KeyComparator;
  /** The default comparator: compared by an inlined byte loop instead of a call per comparison. */
  readonly #bytewise: boolean;
  #root: RangeNode<V> | undefined;
  #size = 0;
  #seq = 0;
  // xorshift32 for priorities: deterministic, cheap, good enough for balance.
  #rng = 0x9e3779b9;

  constructor(compare: KeyComparator) {
    this.#compare = compare;
    this.#bytewise = compare === compareBytes;
  }

  get size(): number {
    return this.#size;
  }

  insert(left: Bound, right: Bound, value: V): RangeNode<V> {
    let x = this.#rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#rng = x >>> 0;
    const node = new RangeNode(left, right, ++this.#seq, this.#rng, value);
    this.#root = this.#insert(this.#root, node);
    this.#size += 1;
    return node;
  }

  /** Removes exactly this node (found by its left bound and sequence number). */
  delete(node: RangeNode<V>): boolean {
    const before = this.#size;
    this.#root = this.#delete(this.#root, node);
    return this.#size < before;
  }

  /** Calls `visit` for every node overlapping [left, right], in key order. Stops early when visit returns false. */
  forEachOverlapping(left: Bound, right: Bound, visit: (node: RangeNode<V>) => boolean | undefined): void {
    this.#overlap(this.#root, left, right, visit);
  }

  /**
   * Appends every node overlapping [left, right] to `out`, in key order: the walk of
   * `forEachOverlapping` without a callback per node (the hot paths use this).
   */
  collectOverlapping(left: Bound, right: Bound, out: RangeNode<V>[]): void {
    this.#collect(this.#root, left, right, out);
  }

  /** Every node in (left, seq) order. */
  *[Symbol.iterator](): IterableIterator<RangeNode<V>> {
    const stack: RangeNode<V>[] = [];
    let node = this.#root;
    while (node !== undefined || stack.length > 0) {
      while (node !== undefined) {
        stack.push(node);
        node = node.lo;
      }
      const next = stack.pop()!;
      yield next;
      node = next.hi;
    }
  }

  /** After changing a node's right bound in place (escalation), restore `maxRight` along the whole tree. */
  recomputeAll(): void {
    const fix = (n: RangeNode<V> | undefined): void => {
      if (n === undefined) return;
      fix(n.lo);
      fix(n.hi);
      this.#update(n);
    };
    fix(this.#root);
  }

  /** `compareBounds` with the tree's comparator; the bytewise order compared in place. */
  #cmp(a: Bound, b: Bound): number {
    if (a === b) return 0;
    if (a === MIN_KEY || b === MAX_KEY) return -1;
    if (a === MAX_KEY || b === MIN_KEY) return 1;
    if (!this.#bytewise) return this.#compare(a, b);
    const n = a.length < b.length ? a.length : b.length;
    for (let i = 0; i < n; i++) {
      const d = a[i]! - b[i]!;
      if (d !== 0) return d;
    }
    return a.length - b.length;
  }

  #order(a: RangeNode<V>, b: RangeNode<V>): number {
    const c = this.#cmp(a.left, b.left);
    return c !== 0 ? c : a.seq - b.seq;
  }

  #update(n: RangeNode<V>): void {
    let max = n.right;
    if (n.lo !== undefined && this.#cmp(n.lo.maxRight, max) > 0) max = n.lo.maxRight;
    if (n.hi !== undefined && this.#cmp(n.hi.maxRight, max) > 0) max = n.hi.maxRight;
    n.maxRight = max;
  }

  #rotateRight(n: RangeNode<V>): RangeNode<V> {
    const l = n.lo!;
    n.lo = l.hi;
    l.hi = n;
    this.#update(n);
    this.#update(l);
    return l;
  }

  #rotateLeft(n: RangeNode<V>): RangeNode<V> {
    const r = n.hi!;
    n.hi = r.lo;
    r.lo = n;
    this.#update(n);
    this.#update(r);
    return r;
  }

  #insert(root: RangeNode<V> | undefined, node: RangeNode<V>): RangeNode<V> {
    if (root === undefined) return node;
    if (this.#order(node, root) < 0) {
      root.lo = this.#insert(root.lo, node);
      if (root.lo.priority > root.priority) return this.#rotateRight(root);
    } else {
      root.hi = this.#insert(root.hi, node);
      if (root.hi.priority > root.priority) return this.#rotateLeft(root);
    }
    this.#update(root);
    return root;
  }

  #delete(root: RangeNode<V> | undefined, node: RangeNode<V>): RangeNode<V> | undefined {
    if (root === undefined) return undefined;
    if (root === node) {
      this.#size -= 1;
      return this.#merge(root.lo, root.hi);
    }
    if (this.#order(node, root) < 0) root.lo = this.#delete(root.lo, node);
    else root.hi = this.#delete(root.hi, node);
    this.#update(root);
    return root;
  }

  #merge(a: RangeNode<V> | undefined, b: RangeNode<V> | undefined): RangeNode<V> | undefined {
    if (a === undefined) return b;
    if (b === undefined) return a;
    if (a.priority > b.priority) {
      a.hi = this.#merge(a.hi, b);
      this.#update(a);
      return a;
    }
    b.lo = this.#merge(a, b.lo);
    this.#update(b);
    return b;
  }

  #overlap(n: RangeNode<V> | undefined, left: Bound, right: Bound, visit: (node: RangeNode<V>) => boolean | undefined): boolean {
    if (n === undefined) return true;
    // Nothing in this subtree reaches `left`.
    if (this.#cmp(n.maxRight, left) < 0) return true;
    if (!this.#overlap(n.lo, left, right, visit)) return false;
    // Every node from here on starts after `right`.
    if (this.#cmp(n.left, right) > 0) return true;
    if (this.#cmp(n.right, left) >= 0 && visit(n) === false) return false;
    return this.#overlap(n.hi, left, right, visit);
  }

  #collect(n: RangeNode<V> | undefined, left: Bound, right: Bound, out: RangeNode<V>[]): void {
    while (n !== undefined) {
      // Nothing in this subtree reaches `left`.
      if (this.#cmp(n.maxRight, left) < 0) return;
      this.#collect(n.lo, left, right, out);
      // Every node from here on starts after `right`.
      if (this.#cmp(n.left, right) > 0) return;
      if (this.#cmp(n.right, left) >= 0) out.push(n);
      n = n.hi;
    }
  }
}
