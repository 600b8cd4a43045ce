import { LockstepError } from '@lockstep/base';

/** A payload larger than the configured maximum; it was refused before it was buffered. */
export class PacketTooLargeError extends LockstepError {
  readonly limitBytes: number;
  readonly sizeBytes: number;

  constructor(sizeBytes: number, limitBytes: number) {
    super('WIRE_PACKET_TOO_LARGE', `Got a packet bigger than 'max_allowed_packet' bytes (${sizeBytes} > ${limitBytes})`, {
      errno: 1153,
      sqlState: '08S01',
    });
    this.limitBytes = limitBytes;
    this.sizeBytes = sizeBytes;
  }
}
