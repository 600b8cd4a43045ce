import { LockstepError } from '@lockstep/base';

/** An event or row value that cannot be written: out of range, wrong type, too long. */
export class BinlogEncodeError extends LockstepError {
  constructor(detail: string) {
    super('BINLOG_ENCODE', `cannot encode binlog event: ${detail}`);
  }
}
