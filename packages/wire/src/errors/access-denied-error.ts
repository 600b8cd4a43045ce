import { LockstepError } from '@lockstep/base';

/** Unknown user or wrong password. */
export class AccessDeniedError extends LockstepError {
  constructor(user: string, host: string, usingPassword: boolean, cause?: unknown) {
    super('WIRE_ACCESS_DENIED', `Access denied for user '${user}'@'${host}' (using password: ${usingPassword ? 'YES' : 'NO'})`, { errno: 1045, sqlState: '28000', cause });
  }
}
