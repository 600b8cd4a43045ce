// Per-transaction latencies in a fixed-size log-bucket histogram: bounded memory whatever
// the run length, quantiles within 1% of the true value.
// Invariants: count equals the number of `record` calls; every recorded value lies in its
// bucket's [lower, upper) bound, values below MIN go to bucket 0 and above MAX to the last.

const MIN_MS = 0.001;
const MAX_MS = 600_000;
/** Each bucket is this factor wider than the one before (1% resolution). */
const GROWTH = 1.01;
export const LATENCY_BUCKETS = Math.ceil(Math.log(MAX_MS / MIN_MS) / Math.log(GROWTH)) + 1;

export class LatencyHistogram {
  private readonly counts = new Float64Array(LATENCY_BUCKETS);
  private total = 0;
  private maxMs = 0;
  private sumMs = 0;

  record(ms: number): void {
    const index = ms <= MIN_MS ? 0 : Math.min(LATENCY_BUCKETS - 1, Math.floor(Math.log(ms / MIN_MS) / Math.log(GROWTH)) + 1);
    this.counts[index]! += 1;
    this.total += 1;
    this.sumMs += ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  get count(): number {
    return this.total;
  }

  get max(): number {
    return this.maxMs;
  }

  get mean(): number {
    return this.total === 0 ? Number.NaN : this.sumMs / this.total;
  }

  /** The upper bound of the bucket holding the q-quantile (nearest rank); NaN when empty. */
  quantile(q: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < LATENCY_BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(this.maxMs, i === 0 ? MIN_MS : MIN_MS * GROWTH ** i);
    }
    return this.maxMs;
  }

  merge(other: LatencyHistogram): void {
    for (let i = 0; i < LATENCY_BUCKETS; i++) this.counts[i]! += other.counts[i]!;
    this.total += other.total;
    this.sumMs += other.sumMs;
    if (other.maxMs > this.maxMs) this.maxMs = other.maxMs;
  }
}
