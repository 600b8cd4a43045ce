import { LockstepError } from '@lockstep/base';

/** A key or key range that breaks the key layout (shorter than the index id prefix, outside the index it was used with, an index id out of range). */
export class KeyLayoutError extends LockstepError {
  constructor(detail: string) {
    super('KEY_LAYOUT', `Bad key: ${detail}`);
  }
}
