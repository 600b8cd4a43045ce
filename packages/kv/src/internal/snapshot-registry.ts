/**
 * The sequence numbers pinned by open snapshots and iterators, as a sorted multiset.
 *
 * New pins are almost always the newest sequence (a snapshot is taken at the last applied
 * batch), so `add` is an append in the common case. `hasInRange` answers the garbage
 * collector's question: does any reader need a version that was newest during [from, to)?
 */
export class SnapshotRegistry {
  readonly #seqs: number[] = [];

  get count(): number {
    return this.#seqs.length;
  }

  add(seq: number): void {
    const seqs = this.#seqs;
    let i = seqs.length;
    while (i > 0 && seqs[i - 1]! > seq) i--;
    if (i === seqs.length) seqs.push(seq);
    else seqs.splice(i, 0, seq);
  }

  /** Removes one pin of `seq`; returns whether the oldest pin changed. */
  remove(seq: number): boolean {
    const seqs = this.#seqs;
    const i = this.#lowerBound(seq);
    if (i >= seqs.length || seqs[i] !== seq) return false;
    seqs.splice(i, 1);
    return i === 0;
  }

  /** True if some pin `s` has `from <= s < to`. */
  hasInRange(from: number, to: number): boolean {
    const seqs = this.#seqs;
    const i = this.#lowerBound(from);
    return i < seqs.length && seqs[i]! < to;
  }

  /** True if some pin is below `seq`. */
  hasBelow(seq: number): boolean {
    return this.#seqs.length > 0 && this.#seqs[0]! < seq;
  }

  #lowerBound(seq: number): number {
    const seqs = this.#seqs;
    let lo = 0;
    let hi = seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (seqs[mid]! < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
