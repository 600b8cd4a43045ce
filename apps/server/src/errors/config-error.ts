import { LockstepError } from '@lockstep/base';

/** A configuration value is missing, unknown or malformed; names the option and where it came from. */
export class ConfigError extends LockstepError {
  readonly option: string;
  readonly source: string;

  constructor(option: string, source: string, detail: string) {
    super('CONFIG_INVALID', `${source}: ${option}: ${detail}`, { errno: 1210, sqlState: 'HY000' });
    this.option = option;
    this.source = source;
  }
}
