import { KeyLayoutError } from './errors/key-layout-error.js';

/**
 * The key layout every kv key written through @lockstep/txn follows:
 *
 *   kv key = index id (4 bytes, unsigned big-endian) ‖ key bytes within the index
 *
 * So an index is a key prefix, the keys of one index are contiguous in the engine, and
 * bytewise order within an index is the order of the key bytes (the SQL layer makes those
 * memcomparable). The lock tree of an index has the same id as the index and holds full kv
 * keys; every key it sees starts with that index's prefix, so "the whole index" is the
 * lock range [-inf, +inf] of its tree.
 */
export const INDEX_ID_BYTES = 4;
export const MAX_INDEX_ID = 0xffff_ffff;

function checkIndexId(indexId: number): void {
  if (!Number.isInteger(indexId) || indexId < 0 || indexId > MAX_INDEX_ID) throw new KeyLayoutError(`index id ${indexId} is not an integer in [0, ${MAX_INDEX_ID}]`);
}

/** The 4-byte prefix of `indexId`. */
export function indexPrefix(indexId: number): Uint8Array {
  checkIndexId(indexId);
  const out = new Uint8Array(INDEX_ID_BYTES);
  new DataView(out.buffer).setUint32(0, indexId);
  return out;
}

/** The kv key of `keyBytes` in index `indexId`. */
export function indexKey(indexId: number, keyBytes: Uint8Array): Uint8Array {
  checkIndexId(indexId);
  const out = new Uint8Array(INDEX_ID_BYTES + keyBytes.length);
  new DataView(out.buffer).setUint32(0, indexId);
  out.set(keyBytes, INDEX_ID_BYTES);
  return out;
}

/** The index id a kv key belongs to. Throws KeyLayoutError for a key shorter than the prefix. */
export function indexIdOf(key: Uint8Array): number {
  if (key.length < INDEX_ID_BYTES) throw new KeyLayoutError(`key of ${key.length} bytes is shorter than the ${INDEX_ID_BYTES}-byte index id prefix`);
  return ((key[0]! << 24) >>> 0) + (key[1]! << 16) + (key[2]! << 8) + key[3]!;
}

/** The key bytes within the index (a view, not a copy). */
export function keyWithinIndex(key: Uint8Array): Uint8Array {
  indexIdOf(key);
  return key.subarray(INDEX_ID_BYTES);
}

/**
 * The engine bounds that hold exactly the keys of `indexId`: `gte` its prefix, `lt` the
 * next index's prefix (absent for the last index id).
 */
export function indexRange(indexId: number): { readonly gte: Uint8Array; readonly lt: Uint8Array | undefined } {
  return { gte: indexPrefix(indexId), lt: indexId === MAX_INDEX_ID ? undefined : indexPrefix(indexId + 1) };
}

/** The smallest byte string greater than `key` (`key ‖ 0x00`): turns an exclusive lower bound into an inclusive one. */
export function keySuccessor(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out.set(key);
  return out;
}
