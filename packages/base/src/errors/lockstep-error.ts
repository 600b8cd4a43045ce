/**
 * The base of every error Lockstep throws on purpose.
 *
 * `code` is a stable, machine-readable string (never reworded once released); `errno` and
 * `sqlState` carry the MySQL error number and SQLSTATE where MySQL has one, so the wire
 * layer can send them to clients unchanged.
 */
export interface LockstepErrorOptions {
  readonly errno?: number;
  readonly sqlState?: string;
  readonly cause?: unknown;
}

const LOCKSTEP_ERROR_BRAND = Symbol.for('@lockstep/base/LockstepError');

export class LockstepError extends Error {
  readonly code: string;
  readonly errno: number | undefined;
  readonly sqlState: string | undefined;

  constructor(code: string, message: string, options: LockstepErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.errno = options.errno;
    this.sqlState = options.sqlState;
    Object.defineProperty(this, LOCKSTEP_ERROR_BRAND, { value: true, enumerable: false });
  }
}

/**
 * True for any LockstepError, including one created by another copy of this package
 * (a second bundle, a worker realm): the check uses a global symbol brand, not
 * `instanceof` alone.
 */
export function isLockstepError(value: unknown): value is LockstepError {
  if (value instanceof LockstepError) return true;
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[LOCKSTEP_ERROR_BRAND] === true &&
    typeof (value as { code?: unknown }).code === 'string'
  );
}
