import { LockstepError } from '@lockstep/base';

/** Another live server process holds the datadir (its pid file names a running process). */
export class DatadirLockedError extends LockstepError {
  readonly datadir: string;
  readonly pid: number;

  constructor(datadir: string, pid: number) {
    super('SERVER_DATADIR_LOCKED', `${datadir} is in use by the running process ${String(pid)} (its lockstep.pid); stop it first`, { errno: 1105, sqlState: 'HY000' });
    this.datadir = datadir;
    this.pid = pid;
  }
}
