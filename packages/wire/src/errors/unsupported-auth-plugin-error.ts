import { LockstepError } from '@lockstep/base';

/** An authentication plugin other than mysql_native_password was required and could not be switched away from. */
export class UnsupportedAuthPluginError extends LockstepError {
  constructor(plugin: string, detail: string, cause?: unknown) {
    super('WIRE_UNSUPPORTED_AUTH_PLUGIN', `Authentication plugin '${plugin}' is not supported (only mysql_native_password is): ${detail}`, { errno: 1251, sqlState: '08004', cause });
  }
}
