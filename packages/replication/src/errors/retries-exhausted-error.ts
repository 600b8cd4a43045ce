import { LockstepError } from '@lockstep/base';

/** A transaction kept hitting temporary errors (lock wait timeout, deadlock, kill) beyond the retry limit. */
export class RetriesExhaustedError extends LockstepError {
  readonly gtid: string;
  readonly attempts: number;

  constructor(gtid: string, attempts: number, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super('REPL_RETRIES_EXHAUSTED', `Transaction ${gtid} was retried ${attempts - 1} time(s) in vain, giving up: ${detail}`, { cause });
    this.gtid = gtid;
    this.attempts = attempts;
  }
}
