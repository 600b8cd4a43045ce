import type { Clock, TimerHandle } from '@lockstep/base';

interface Entry<T> {
  readonly deadlineMs: number;
  readonly seq: number;
  readonly item: T;
}

/**
 * The deadlines of every waiting request behind ONE clock timer, armed for the earliest.
 * A wait that ends early is not removed (that would cost a heap search on the hot path):
 * it stays until it reaches the top or until the heap holds more than twice the live
 * waits, when it is rebuilt from the live ones. So memory stays O(live waits) and a grant
 * costs nothing here.
 *
 * Invariants: heap order on (deadlineMs, seq) — equal deadlines expire in arrival order,
 * as separate timers on a ManualClock would; the timer, when armed, is due at `armedMs`,
 * which is no later than the earliest live deadline.
 */
export class WaitDeadlines<T> {
  readonly #clock: Clock;
  readonly #isLive: (item: T) => boolean;
  readonly #expire: (item: T) => void;
  #heap: Entry<T>[] = [];
  #seq = 0;
  #timer: TimerHandle | undefined;
  #armedMs = Infinity;

  /** `expire` is called for a live item whose deadline has passed; it must end the wait. */
  constructor(clock: Clock, isLive: (item: T) => boolean, expire: (item: T) => void) {
    this.#clock = clock;
    this.#isLive = isLive;
    this.#expire = expire;
  }

  add(item: T, timeoutMs: number, liveCount: number): void {
    if (this.#heap.length > 2 * liveCount + 64) this.#compact();
    const entry: Entry<T> = { deadlineMs: this.#clock.now() + timeoutMs, seq: this.#seq++, item };
    this.#push(entry);
    if (entry.deadlineMs < this.#armedMs) this.#arm(entry.deadlineMs);
  }

  /** Forgets every deadline and disarms the timer (call when no wait is left, so an idle manager holds no timer). */
  clear(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#armedMs = Infinity;
    this.#heap = [];
  }

  #arm(deadlineMs: number): void {
    this.#timer?.cancel();
    this.#armedMs = deadlineMs;
    this.#timer = this.#clock.setTimer(Math.max(0, deadlineMs - this.#clock.now()), () => {
      this.#timer = undefined;
      this.#armedMs = Infinity;
      this.#fire();
    });
  }

  #fire(): void {
    const now = this.#clock.now();
    for (;;) {
      const top = this.#heap[0];
      if (top === undefined) return;
      if (!this.#isLive(top.item)) {
        this.#pop();
        continue;
      }
      if (top.deadlineMs > now) {
        this.#arm(top.deadlineMs);
        return;
      }
      this.#pop();
      this.#expire(top.item);
    }
  }

  #compact(): void {
    const live = this.#heap.filter((e) => this.#isLive(e.item));
    live.sort(before);
    this.#heap = live; // a sorted array is a valid heap
  }

  #push(entry: Entry<T>): void {
    const heap = this.#heap;
    let i = heap.push(entry) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (before(heap[parent]!, entry) <= 0) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) break;
      const r = l + 1;
      const child = r < heap.length && before(heap[r]!, heap[l]!) < 0 ? r : l;
      if (before(last, heap[child]!) <= 0) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
  }
}

function before<T>(a: Entry<T>, b: Entry<T>): number {
  return a.deadlineMs !== b.deadlineMs ? a.deadlineMs - b.deadlineMs : a.seq - b.seq;
}
