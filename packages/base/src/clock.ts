/**
 * Time as an injected dependency. Production code takes a `Clock`; tests pass a
 * `ManualClock` whose timers fire only when the test advances it.
 */
export interface TimerHandle {
  /** Stops the timer if it has not fired; safe to call more than once. */
  cancel(): void;
}

export interface Clock {
  /** Monotonic milliseconds (fractional), for durations and deadlines. */
  now(): number;
  /** Wall-clock milliseconds since the Unix epoch, for timestamps users see. */
  wallNow(): number;
  /** Runs `callback` once after `delayMs`. */
  setTimer(delayMs: number, callback: () => void): TimerHandle;
  /** Resolves after `delayMs`. */
  sleep(delayMs: number): Promise<void>;
}

class SystemClock implements Clock {
  now(): number {
    return performance.now();
  }

  wallNow(): number {
    return Date.now();
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    return { cancel: () => { clearTimeout(timer); } };
  }

  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, delayMs)));
  }
}

/** The real clock: `performance.now()`, `Date.now()` and `setTimeout`. */
export const systemClock: Clock = new SystemClock();

interface ManualTimer {
  readonly dueMs: number;
  readonly order: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/**
 * A clock that moves only when told to. Timers due at the same instant fire in the
 * order they were set. Invariants: `now()` never decreases; a timer fires at most once,
 * never before its due time, and never after it was cancelled.
 */
export class ManualClock implements Clock {
  #nowMs: number;
  #wallOffsetMs: number;
  #order = 0;
  #timers: ManualTimer[] = [];

  constructor(options: { startMs?: number; wallStartMs?: number } = {}) {
    this.#nowMs = options.startMs ?? 0;
    this.#wallOffsetMs = (options.wallStartMs ?? Date.UTC(2026, 0, 1)) - this.#nowMs;
  }

  now(): number {
    return this.#nowMs;
  }

  wallNow(): number {
    return this.#nowMs + this.#wallOffsetMs;
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const timer: ManualTimer = { dueMs: this.#nowMs + Math.max(0, delayMs), order: this.#order++, callback, cancelled: false };
    this.#timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
        this.#timers = this.#timers.filter((t) => t !== timer);
      },
    };
  }

  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      this.setTimer(delayMs, resolve);
    });
  }

  /** Number of timers that have neither fired nor been cancelled. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Due time of the earliest pending timer, or undefined when none is pending. */
  nextDueMs(): number | undefined {
    let earliest: number | undefined;
    for (const t of this.#timers) if (earliest === undefined || t.dueMs < earliest) earliest = t.dueMs;
    return earliest;
  }

  /**
   * Moves time forward by `deltaMs`, firing every timer that falls due, in due order.
   * Timers set by callbacks fire too if they fall due within the window. Returns the
   * number of timers fired.
   */
  advance(deltaMs: number): number {
    if (deltaMs < 0) throw new RangeError(`ManualClock.advance: negative delta ${deltaMs}`);
    const targetMs = this.#nowMs + deltaMs;
    let fired = 0;
    for (;;) {
      const next = this.#earliest();
      if (next === undefined || next.dueMs > targetMs) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#nowMs = Math.max(this.#nowMs, next.dueMs);
      fired += 1;
      next.callback();
    }
    this.#nowMs = targetMs;
    return fired;
  }

  /** Advances exactly to the next timer's due time and fires what is due then. */
  advanceToNextTimer(): number {
    const due = this.nextDueMs();
    if (due === undefined) return 0;
    return this.advance(due - this.#nowMs);
  }

  #earliest(): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    for (const t of this.#timers) {
      if (best === undefined || t.dueMs < best.dueMs || (t.dueMs === best.dueMs && t.order < best.order)) best = t;
    }
    return best;
  }
}
