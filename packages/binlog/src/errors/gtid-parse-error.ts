import { LockstepError } from '@lockstep/base';

/** Text that is not a GTID (`domain-server-seq`) or a GTID list (`0-1-100,1-2-7`). */
export class GtidParseError extends LockstepError {
  readonly text: string;

  constructor(text: string, detail: string) {
    super('BINLOG_GTID_PARSE', `invalid GTID ${JSON.stringify(text)}: ${detail}`, { errno: 1941, sqlState: 'HY000' });
    this.text = text;
  }
}
