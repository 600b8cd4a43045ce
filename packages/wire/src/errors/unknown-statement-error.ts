import { LockstepError } from '@lockstep/base';

/** A statement id the connection never prepared, or already closed. */
export class UnknownStatementError extends LockstepError {
  constructor(id: number, where: string) {
    super('WIRE_UNKNOWN_STATEMENT', `Unknown prepared statement handler (${id}) given to ${where}`, { errno: 1243, sqlState: 'HY000' });
  }
}
