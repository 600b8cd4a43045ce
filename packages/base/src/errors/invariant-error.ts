import { LockstepError } from './lockstep-error.js';

/** A broken internal promise: a bug, never an expected outcome. */
export class InvariantError extends LockstepError {
  constructor(message: string) {
    super('INVARIANT_VIOLATION', `invariant violated: ${message}`);
  }
}
