export { DeterministicScheduler, forEachSeed } from './testing/deterministic-scheduler.js';
export type { SchedulerOptions, ScheduleResult, TaskContext, TaskOutcome } from './testing/deterministic-scheduler.js';
export { benchMachine } from './testing/bench-machine.js';
export type { BenchMachine } from './testing/bench-machine.js';
