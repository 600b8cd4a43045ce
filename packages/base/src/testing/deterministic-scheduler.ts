import type { ManualClock } from '../clock.js';
import { Random, type Seed } from '../random.js';

/**
 * Runs a set of async tasks one step at a time, choosing which ready task resumes next
 * from a seeded PRNG, so that an interleaving that breaks something can be replayed
 * exactly from its seed.
 *
 * A task is an async function that receives a `TaskContext` and calls `await ctx.step()`
 * wherever another task may run in between (around every await of the code under test).
 * Between scheduling decisions the scheduler lets every microtask and immediate run, so
 * "ready" means: parked at a step. A task waiting on something else (a lock, a commit
 * order) is blocked; when no task is ready and some are blocked, the scheduler advances
 * the manual clock to the next timer if it has one, and otherwise reports a stall —
 * exactly the lost-wakeup symptom the lock and replication layers must never show.
 *
 * Invariants: at most one task runs between two decisions; the trace is a pure function
 * of the seed and the tasks' own behaviour; a run is bounded by `maxSteps`.
 */
export interface TaskContext {
  readonly name: string;
  /** A scheduling point: parks the task until the scheduler picks it. */
  step(label?: string): Promise<void>;
}

export interface SchedulerOptions {
  readonly seed: Seed;
  /** A run that takes more decisions than this fails (default 100 000). */
  readonly maxSteps?: number;
  /** When every unfinished task is blocked, advance this clock to its next timer. */
  readonly clock?: ManualClock;
}

export interface TaskOutcome {
  readonly name: string;
  readonly status: 'fulfilled' | 'rejected';
  readonly value?: unknown;
  readonly error?: unknown;
}

export interface ScheduleResult {
  readonly seed: Seed;
  /** One entry per decision: `task:label`, or `clock:+Nms` when time was advanced. */
  readonly trace: readonly string[];
  readonly outcomes: readonly TaskOutcome[];
  /** Names of tasks left blocked with nothing able to wake them; empty when all finished. */
  readonly stalled: readonly string[];
}

interface TaskState {
  readonly name: string;
  readonly body: (ctx: TaskContext) => Promise<unknown>;
  parked: { resume: () => void; label: string } | undefined;
  done: boolean;
  outcome: TaskOutcome | undefined;
}

/** Lets every queued microtask and immediate run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class DeterministicScheduler {
  readonly seed: Seed;
  readonly #random: Random;
  readonly #maxSteps: number;
  readonly #clock: ManualClock | undefined;
  readonly #tasks: TaskState[] = [];
  #started = false;

  constructor(options: SchedulerOptions) {
    this.seed = options.seed;
    this.#random = new Random(options.seed);
    this.#maxSteps = options.maxSteps ?? 100_000;
    this.#clock = options.clock;
  }

  /** Adds a task; it first runs when the scheduler picks it. Tasks may spawn tasks while running. */
  spawn(name: string, body: (ctx: TaskContext) => Promise<unknown>): void {
    const task: TaskState = { name, body, parked: undefined, done: false, outcome: undefined };
    this.#tasks.push(task);
    if (this.#started) this.#launch(task);
  }

  /** Runs every task to completion (or stall). Never rejects for a task's error: see `outcomes`. */
  async run(): Promise<ScheduleResult> {
    if (this.#started) throw new Error('DeterministicScheduler.run: already running');
    this.#started = true;
    for (const task of this.#tasks) this.#launch(task);
    const trace: string[] = [];
    let steps = 0;
    for (;;) {
      await settle();
      const ready = this.#tasks.filter((t) => t.parked !== undefined);
      if (ready.length === 0) {
        if (this.#tasks.every((t) => t.done)) break;
        if (this.#clock !== undefined && this.#clock.pendingTimers > 0) {
          const before = this.#clock.now();
          this.#clock.advanceToNextTimer();
          trace.push(`clock:+${this.#clock.now() - before}ms`);
          continue;
        }
        const stalled = this.#tasks.filter((t) => !t.done).map((t) => t.name);
        return { seed: this.seed, trace, outcomes: this.#outcomes(), stalled };
      }
      if (++steps > this.#maxSteps) {
        throw new Error(`DeterministicScheduler: more than ${this.#maxSteps} steps (seed ${String(this.seed)})`);
      }
      const chosen = ready[this.#random.int(0, ready.length - 1)]!;
      const parked = chosen.parked!;
      chosen.parked = undefined;
      trace.push(`${chosen.name}:${parked.label}`);
      parked.resume();
    }
    return { seed: this.seed, trace, outcomes: this.#outcomes(), stalled: [] };
  }

  #launch(task: TaskState): void {
    const ctx: TaskContext = {
      name: task.name,
      step: (label = 'step') =>
        new Promise<void>((resume) => {
          task.parked = { resume, label };
        }),
    };
    // Every task starts parked, so even its first synchronous section is scheduled.
    const started = ctx.step('start').then(() => task.body(ctx));
    started.then(
      (value: unknown) => {
        task.done = true;
        task.outcome = { name: task.name, status: 'fulfilled', value };
      },
      (error: unknown) => {
        task.done = true;
        task.outcome = { name: task.name, status: 'rejected', error };
      },
    );
  }

  #outcomes(): TaskOutcome[] {
    return this.#tasks.filter((t) => t.outcome !== undefined).map((t) => t.outcome!);
  }
}

/**
 * Runs `body` once per seed (`count` seeds from `firstSeed`, or only `LOCKSTEP_SEED` when
 * that environment variable is set), and on failure rethrows with the seed in the message
 * so the failing interleaving can be replayed.
 */
export async function forEachSeed(count: number, body: (seed: number) => Promise<void>, firstSeed = 1): Promise<void> {
  const fixed = process.env.LOCKSTEP_SEED;
  const seeds = fixed !== undefined && fixed !== '' ? [Number(fixed)] : Array.from({ length: count }, (_, i) => firstSeed + i);
  for (const seed of seeds) {
    try {
      await body(seed);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`failed with seed ${seed} (replay: LOCKSTEP_SEED=${seed}): ${message}`, { cause: error });
    }
  }
}
