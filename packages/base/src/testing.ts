export { DeterministicScheduler, forEachSeed } from './testing/deterministic-scheduler.js';
export type { SchedulerOptions, ScheduleResult, TaskContext, TaskOutcome } from './testing/deterministic-scheduler.js';
