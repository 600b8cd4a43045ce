/** Slab size: values are carved from ArrayBuffers of this size. */
export const SLAB_BYTES = 256 * 1024;
/** Values longer than this get their own buffer. */
export const MAX_SLAB_VALUE_BYTES = 4096;

/**
 * Copies values into shared slabs instead of one ArrayBuffer each.
 *
 * Why: a million values as a million ArrayBuffers means a million off-heap allocations,
 * frees and GC-tracked backing stores; as views into 256 KiB slabs each is one small heap
 * object. The cost: a slab stays alive while any value in it does. Checkpoints copy every
 * live value into fresh slabs (`compact`), so slab garbage is bounded by what was written
 * since the last checkpoint.
 */
export class ValueArena {
  #slab = new ArrayBuffer(SLAB_BYTES);
  #offset = 0;

  copy(source: Uint8Array): Uint8Array {
    const n = source.length;
    if (n > MAX_SLAB_VALUE_BYTES) return source.slice();
    if (this.#offset + n > SLAB_BYTES) {
      this.#slab = new ArrayBuffer(SLAB_BYTES);
      this.#offset = 0;
    }
    const out = new Uint8Array(this.#slab, this.#offset, n);
    // A plain loop beats TypedArray.prototype.set (a runtime call) for short values.
    if (n <= 128) for (let i = 0; i < n; i++) out[i] = source[i]!;
    else out.set(source);
    this.#offset += n;
    return out;
  }
}
