import { MAX_KEY, MIN_KEY, type Bound } from '@lockstep/locktree';
import { KeyLayoutError } from '../errors/key-layout-error.js';
import { indexIdOf, keySuccessor } from '../key-layout.js';
import type { KeyRange } from '../types.js';

/**
 * Lock-tree bounds of a range of `indexId`: inclusive, with the index's ends as the
 * infinities of its tree. `gt k` becomes `k ‖ 0x00` (the next byte string, exact); `lt k`
 * becomes `k` (one extra point: the tree has no exclusive bounds). Throws KeyLayoutError
 * for a bound outside the index or two bounds on one side.
 */
export function lockBounds(indexId: number, range: KeyRange): { left: Bound; right: Bound } {
  if (range.gt !== undefined && range.gte !== undefined) throw new KeyLayoutError('both gt and gte given');
  if (range.lt !== undefined && range.lte !== undefined) throw new KeyLayoutError('both lt and lte given');
  for (const key of [range.gt, range.gte, range.lt, range.lte]) {
    if (key !== undefined && indexIdOf(key) !== indexId) throw new KeyLayoutError(`bound key belongs to index ${indexIdOf(key)}, not ${indexId}`);
  }
  const left: Bound = range.gte ?? (range.gt !== undefined ? keySuccessor(range.gt) : MIN_KEY);
  const right: Bound = range.lte ?? range.lt ?? MAX_KEY;
  return { left, right };
}
