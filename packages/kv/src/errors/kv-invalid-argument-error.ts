import { LockstepError } from '@lockstep/base';

/** A call was given something the engine cannot take (a non-Uint8Array key, an over-long value, a bad option). */
export class KvInvalidArgumentError extends LockstepError {
  constructor(detail: string) {
    super('KV_INVALID_ARGUMENT', `invalid argument: ${detail}`);
  }
}
