/** The last `capacity` latencies, for p50/p99 without unbounded memory. */
export class LatencyWindow {
  readonly #samples: Float64Array;
  #count = 0;
  #next = 0;

  constructor(capacity = 1024) {
    this.#samples = new Float64Array(capacity);
  }

  add(ms: number): void {
    this.#samples[this.#next] = ms;
    this.#next = (this.#next + 1) % this.#samples.length;
    this.#count = Math.min(this.#count + 1, this.#samples.length);
  }

  /** The q-quantile (0..1) of the samples held, or 0 with none. */
  quantile(q: number): number {
    if (this.#count === 0) return 0;
    const sorted = Array.from(this.#samples.subarray(0, this.#count)).sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  }
}
