import { LockstepError } from '@lockstep/base';

/** The connection phase went wrong: a malformed handshake response, an SSL request (SSL is not offered), a missing capability. */
export class HandshakeError extends LockstepError {
  constructor(detail: string, cause?: unknown) {
    super('WIRE_BAD_HANDSHAKE', `Bad handshake: ${detail}`, { errno: 1043, sqlState: '08S01', cause });
  }
}
