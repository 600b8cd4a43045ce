import { LockstepError } from '@lockstep/base';

/** The users file cannot be read or a line of it is malformed; names the file and line. */
export class UsersFileError extends LockstepError {
  readonly file: string;

  constructor(file: string, detail: string) {
    super('SERVER_USERS_FILE', `${file}: ${detail}`, { errno: 1210, sqlState: 'HY000' });
    this.file = file;
  }
}
