import type { KvSnapshot } from '../types.js';

/** A snapshot as handed to callers: a pinned sequence released once. */
export class SnapshotHandle implements KvSnapshot {
  readonly seq: number;
  readonly owner: object;
  #released = false;
  readonly #onRelease: (handle: SnapshotHandle) => void;

  constructor(owner: object, seq: number, onRelease: (handle: SnapshotHandle) => void) {
    this.owner = owner;
    this.seq = seq;
    this.#onRelease = onRelease;
  }

  get sequence(): bigint {
    return BigInt(this.seq);
  }

  get released(): boolean {
    return this.#released;
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#onRelease(this);
  }

  /** Marks released without calling back (the store is closing). */
  detach(): void {
    this.#released = true;
  }
}
