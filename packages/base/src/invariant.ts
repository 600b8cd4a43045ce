import { InvariantError } from './errors/invariant-error.js';

/**
 * Throws an InvariantError unless `condition` holds. Kept on in production: use it for
 * cheap checks on state transitions; put costly checks behind a debug flag at the caller.
 * `message` may be a function so that building it costs nothing on the happy path.
 */
export function invariant(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new InvariantError(typeof message === 'string' ? message : message());
}
