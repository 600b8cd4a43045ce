/** Bytewise order of two keys (negative, zero, positive), without allocating. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/**
 * The first 6 bytes of a key as a number (big-endian, missing bytes as 0; exact in a double).
 * If `keyPrefix(a) < keyPrefix(b)` then `a < b` bytewise; equal prefixes need a full compare.
 * The tree keeps these beside its keys in flat arrays, so a binary search reads one
 * contiguous array instead of dereferencing a key object per probe.
 */
export function keyPrefix(key: Uint8Array): number {
  if (key.length >= 6) {
    return key[0]! * 0x10000000000 + key[1]! * 0x100000000 + (((key[2]! << 24) | (key[3]! << 16) | (key[4]! << 8) | key[5]!) >>> 0);
  }
  let prefix = 0;
  for (let i = 0; i < 6; i++) prefix = prefix * 256 + (i < key.length ? key[i]! : 0);
  return prefix;
}
