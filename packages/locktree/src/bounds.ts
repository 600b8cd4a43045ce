/**
 * Range endpoints: a key (bytes) or one of the two infinities. Keys compare with the
 * tree's comparator; the infinities compare below / above every key.
 */
export const MIN_KEY: unique symbol = Symbol('-infinity');
export const MAX_KEY: unique symbol = Symbol('+infinity');

export type Bound = Uint8Array | typeof MIN_KEY | typeof MAX_KEY;

/** Orders two keys; negative, zero or positive. */
export type KeyComparator = (a: Uint8Array, b: Uint8Array) => number;

/** Bytewise (memcmp) order, shorter first on a common prefix. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export function compareBounds(a: Bound, b: Bound, compare: KeyComparator): number {
  if (a === b) return 0;
  if (a === MIN_KEY || b === MAX_KEY) return -1;
  if (a === MAX_KEY || b === MIN_KEY) return 1;
  return compare(a, b);
}

/** Printable form for status output and errors. */
export function formatBound(bound: Bound): string {
  if (bound === MIN_KEY) return '-inf';
  if (bound === MAX_KEY) return '+inf';
  let hex = '';
  for (let i = 0; i < bound.length && i < 32; i++) hex += bound[i]!.toString(16).padStart(2, '0');
  return bound.length > 32 ? `${hex}…` : hex;
}

/** Bytes a bound occupies, for lock memory accounting. */
export function boundBytes(bound: Bound): number {
  return bound === MIN_KEY || bound === MAX_KEY ? 0 : bound.length;
}
