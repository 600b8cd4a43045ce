/**
 * One key's version chain. The record itself is the newest version; `older` links to
 * strictly older ones (descending sequence numbers). A value of `undefined` is a tombstone.
 *
 * Invariants: `seq` values strictly decrease along the chain; the record is in the tree
 * iff it is reachable from a key lookup; `dirty` is true iff the record is in the store's
 * set of records that may hold garbage (older versions, or a tombstone at the head).
 */
export interface Version {
  value: Uint8Array | undefined;
  seq: number;
  older: Version | undefined;
}

export class KeyRecord implements Version {
  readonly key: Uint8Array;
  value: Uint8Array | undefined;
  seq: number;
  older: Version | undefined = undefined;
  dirty = false;
  /** hashKey(key), and the next record in the same hash bucket (see HashIndex). */
  readonly hash: number;
  nextInBucket: KeyRecord | undefined = undefined;

  constructor(key: Uint8Array, value: Uint8Array | undefined, seq: number, hash: number) {
    this.key = key;
    this.value = value;
    this.seq = seq;
    this.hash = hash;
  }
}

/** The newest version with `seq <= at`, or undefined when the key did not exist then. */
export function versionAt(record: KeyRecord, at: number): Version | undefined {
  if (record.seq <= at) return record;
  let v = record.older;
  while (v !== undefined && v.seq > at) v = v.older;
  return v;
}
