import { LockstepError } from '@lockstep/base';

/** Valid SQL that Lockstep does not implement: MySQL ER_NOT_SUPPORTED_YET, naming what. */
export class NotSupportedError extends LockstepError {
  /** What is not supported, e.g. 'GROUP BY' or 'ALTER TABLE'. */
  readonly feature: string;

  constructor(feature: string) {
    super('SQL_NOT_SUPPORTED', `This version of Lockstep doesn't yet support '${feature}'`, { errno: 1235, sqlState: '42000' });
    this.feature = feature;
  }
}
