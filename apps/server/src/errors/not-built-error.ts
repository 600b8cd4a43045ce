import { LockstepError } from '@lockstep/base';

/** A statement this server parses but whose feature is not built yet (replication: issue 11). ER_NOT_SUPPORTED_YET. */
export class NotBuiltError extends LockstepError {
  readonly statement: string;

  constructor(statement: string, detail: string) {
    super('SERVER_NOT_BUILT', `${statement} is not supported yet: ${detail}`, { errno: 1235, sqlState: '42000' });
    this.statement = statement;
  }
}
