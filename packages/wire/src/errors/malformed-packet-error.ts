import { LockstepError } from '@lockstep/base';

/** A packet is shorter than its contents say, or a field in it is out of range; `detail` names the field and offset. */
export class MalformedPacketError extends LockstepError {
  constructor(detail: string, cause?: unknown) {
    super('WIRE_MALFORMED_PACKET', `Malformed communication packet: ${detail}`, { errno: 1835, sqlState: 'HY000', cause });
  }
}
