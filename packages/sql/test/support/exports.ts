export * from '../../src/index.js';
/** What tests read from any LockstepError. */
export interface LockstepErrorLike {
  readonly errno: number | undefined;
  readonly code: string;
}
