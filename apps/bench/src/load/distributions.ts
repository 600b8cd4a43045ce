// Key distributions for the OLTP mixes: uniform, and a hot spot like sysbench's default
// `--rand-type=special` (`--rand-spec-pct=1 --rand-spec-res=75`: 75% of accesses go to 1%
// of the keys). This is our own formulation, not sysbench's exact algorithm: the hot keys
// are the first `hotPct`% of the id range, each access picks the hot set with probability
// `hotRes`% and a uniform key of the whole range otherwise.
import type { SeededRandom } from './prng.js';

export type KeyDistribution = { readonly kind: 'uniform' } | { readonly kind: 'hot-spot'; readonly hotPct: number; readonly hotRes: number };

export const UNIFORM: KeyDistribution = { kind: 'uniform' };
/** sysbench 1.0's default: special with 1% of the keys taking 75% of the accesses. */
export const SYSBENCH_SPECIAL: KeyDistribution = { kind: 'hot-spot', hotPct: 1, hotRes: 75 };

/** A key in [1, size] drawn from `distribution`. */
export function drawKey(random: SeededRandom, size: number, distribution: KeyDistribution): number {
  if (distribution.kind === 'uniform') return random.int(1, size);
  const hotSize = Math.max(1, Math.floor((size * distribution.hotPct) / 100));
  if (random.next() * 100 < distribution.hotRes) return random.int(1, hotSize);
  return random.int(1, size);
}

/** The number of keys `drawKey` treats as hot for a range of `size`. */
export function hotKeyCount(size: number, distribution: KeyDistribution): number {
  return distribution.kind === 'uniform' ? 0 : Math.max(1, Math.floor((size * distribution.hotPct) / 100));
}
