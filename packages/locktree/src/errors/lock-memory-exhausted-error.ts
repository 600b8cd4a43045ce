import { LockstepError } from '@lockstep/base';

/** Held locks exceed the memory limit even after escalation. MySQL ER_LOCK_TABLE_FULL. */
export class LockMemoryExhaustedError extends LockstepError {
  constructor(usedBytes: number, limitBytes: number) {
    super('LOCK_MEMORY_EXHAUSTED', `The total number of locks exceeds the lock table size (${usedBytes} of ${limitBytes} bytes after escalation)`, {
      errno: 1206,
      sqlState: 'HY000',
    });
  }
}
