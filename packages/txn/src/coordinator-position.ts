import { CoordinatorPositionError } from './errors/coordinator-position-error.js';

/**
 * Where a coordinator (@lockstep/tc) recorded a commit. Structurally the same as tc's
 * `CoordinatorPosition`; declared here because txn does not depend on tc.
 */
export interface CoordinatorPosition {
  readonly logNumber: number;
  readonly offset: number;
}

/** Bytes of an encoded position: log number then offset, each an unsigned 64-bit big-endian integer. */
export const COORDINATOR_POSITION_BYTES = 16;

/** The bytes txn hands to the kv engine as `coordinatorPosition`; they sort like the positions. */
export function encodeCoordinatorPosition(position: CoordinatorPosition): Uint8Array {
  for (const [name, value] of [['logNumber', position.logNumber], ['offset', position.offset]] as const) {
    if (!Number.isSafeInteger(value) || value < 0) throw new CoordinatorPositionError(`${name} ${value} is not a non-negative safe integer`);
  }
  const out = new Uint8Array(COORDINATOR_POSITION_BYTES);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(position.logNumber));
  view.setBigUint64(8, BigInt(position.offset));
  return out;
}

/** The inverse of `encodeCoordinatorPosition` (for the engine's `durableCoordinatorPosition()`). */
export function decodeCoordinatorPosition(bytes: Uint8Array): CoordinatorPosition {
  if (bytes.length !== COORDINATOR_POSITION_BYTES) throw new CoordinatorPositionError(`${bytes.length} bytes, expected ${COORDINATOR_POSITION_BYTES}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const logNumber = view.getBigUint64(0);
  const offset = view.getBigUint64(8);
  if (logNumber > BigInt(Number.MAX_SAFE_INTEGER) || offset > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new CoordinatorPositionError(`log number ${logNumber} or offset ${offset} is beyond 2^53 - 1`);
  }
  return { logNumber: Number(logNumber), offset: Number(offset) };
}
