import { invariant } from '@lockstep/base';
import type { IndexDef, TableSchema } from '../catalog/table-schema.js';
import type { IndexKeyCodec } from '../keys/index-key.js';
import { prefixSuccessor } from '../keys/index-key.js';
import type { Expr } from '../parser/ast.js';
import { compareBytes, type SqlValue } from '../types/sql-value.js';
import { convertForKey } from './key-value-conversion.js';

/** Most key points one lookup may expand to (IN lists multiply); past it fewer key columns are used. */
export const MAX_ACCESS_POINTS = 4096;

/** A half-open key range [gte, lt) of one index, in encoded key bytes. */
export interface KeyRange {
  readonly gte: Uint8Array;
  readonly lt: Uint8Array;
  /** Set when the range holds exactly one primary key: the executor can use a point get. */
  readonly exactKey?: Uint8Array;
}

export type AccessKind = 'primaryPoint' | 'primaryRange' | 'indexPoint' | 'indexRange' | 'fullScan';

export interface ResolvedAccess {
  /** Sorted, non-overlapping. Empty when no row can match. */
  readonly ranges: readonly KeyRange[];
  /**
   * True when the ranges enforce their conjuncts exactly, so `residual` is the whole
   * remaining filter; false when a constant needed a conversion the planner does not trust
   * fully: then apply the whole WHERE to what the ranges return.
   */
  readonly exact: boolean;
}

/**
 * The chosen access path for a WHERE over one table. Made once per statement (the
 * statement is cached with it); `resolve(params)` turns it into key ranges per execution.
 */
export interface AccessPlan {
  readonly kind: AccessKind;
  /** The index read: the primary key, or a secondary index (its keys end with the primary key). */
  readonly index: IndexDef;
  readonly codec: IndexKeyCodec;
  readonly primary: boolean;
  /** The conjuncts the ranges enforce (when `exact`). */
  readonly usedConjuncts: readonly Expr[];
  /** The WHERE without the used conjuncts; undefined when nothing is left. */
  readonly residual: Expr | undefined;
  /** The whole WHERE (apply it when a resolution is not exact). */
  readonly where: Expr | undefined;
  resolve(params: readonly SqlValue[]): ResolvedAccess;
  /** e.g. "primaryRange PRIMARY(id) eq=0 range=id" for tests and EXPLAIN-like output. */
  describe(): string;
}

type ValueSource = { readonly kind: 'literal'; readonly value: SqlValue } | { readonly kind: 'param'; readonly index: number };

type ColumnPredicate =
  | { readonly op: 'eq'; readonly column: number; readonly values: readonly ValueSource[]; readonly conjunct: Expr }
  | { readonly op: 'isNull'; readonly column: number; readonly conjunct: Expr }
  | { readonly op: 'lt' | 'le' | 'gt' | 'ge'; readonly column: number; readonly value: ValueSource; readonly conjunct: Expr }
  | { readonly op: 'between'; readonly column: number; readonly low: ValueSource; readonly high: ValueSource; readonly conjunct: Expr };

/** Splits a condition into its top-level AND operands. */
export function conjunctsOf(expr: Expr | undefined, out: Expr[] = []): Expr[] {
  if (expr === undefined) return out;
  if (expr.kind === 'binary' && expr.op === 'AND') {
    conjunctsOf(expr.left, out);
    conjunctsOf(expr.right, out);
  } else out.push(expr);
  return out;
}

function andOf(exprs: readonly Expr[]): Expr | undefined {
  if (exprs.length === 0) return undefined;
  return exprs.reduce((l, r) => ({ kind: 'binary', op: 'AND', left: l, right: r }));
}

function sourceOf(e: Expr): ValueSource | undefined {
  if (e.kind === 'literal') return { kind: 'literal', value: e.value };
  if (e.kind === 'param') return { kind: 'param', index: e.index };
  return undefined;
}

const FLIP: Readonly<Record<'<' | '<=' | '>' | '>=', 'lt' | 'le' | 'gt' | 'ge'>> = { '<': 'gt', '<=': 'ge', '>': 'lt', '>=': 'le' };
const DIRECT: Readonly<Record<'<' | '<=' | '>' | '>=', 'lt' | 'le' | 'gt' | 'ge'>> = { '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' };

/** Recognizes `col op const`, `const op col`, BETWEEN, IN, IS NULL, and ORs of `col = const` on one column. */
function predicateOf(conjunct: Expr, columnOf: (e: Expr) => number | undefined): ColumnPredicate | undefined {
  switch (conjunct.kind) {
    case 'binary': {
      const op = conjunct.op;
      if (op === 'OR') {
        const leaves: Expr[] = [];
        const collect = (e: Expr): boolean => {
          if (e.kind === 'binary' && e.op === 'OR') return collect(e.left) && collect(e.right);
          leaves.push(e);
          return true;
        };
        collect(conjunct);
        let column: number | undefined;
        const values: ValueSource[] = [];
        for (const leaf of leaves) {
          const p = predicateOf(leaf, columnOf);
          if (p?.op !== 'eq' || (column !== undefined && p.column !== column)) return undefined;
          column = p.column;
          values.push(...p.values);
        }
        return column === undefined ? undefined : { op: 'eq', column, values, conjunct };
      }
      if (op !== '=' && op !== '<' && op !== '<=' && op !== '>' && op !== '>=') return undefined;
      const lc = columnOf(conjunct.left);
      const rc = columnOf(conjunct.right);
      if (lc !== undefined) {
        const v = sourceOf(conjunct.right);
        if (v === undefined) return undefined;
        return op === '=' ? { op: 'eq', column: lc, values: [v], conjunct } : { op: DIRECT[op], column: lc, value: v, conjunct };
      }
      if (rc !== undefined) {
        const v = sourceOf(conjunct.left);
        if (v === undefined) return undefined;
        return op === '=' ? { op: 'eq', column: rc, values: [v], conjunct } : { op: FLIP[op], column: rc, value: v, conjunct };
      }
      return undefined;
    }
    case 'between': {
      if (conjunct.negated) return undefined;
      const column = columnOf(conjunct.operand);
      const low = sourceOf(conjunct.low);
      const high = sourceOf(conjunct.high);
      if (column === undefined || low === undefined || high === undefined) return undefined;
      return { op: 'between', column, low, high, conjunct };
    }
    case 'in': {
      if (conjunct.negated) return undefined;
      const column = columnOf(conjunct.operand);
      const values = conjunct.list.map(sourceOf);
      if (column === undefined || values.some((v) => v === undefined)) return undefined;
      return { op: 'eq', column, values: values as ValueSource[], conjunct };
    }
    case 'isNull': {
      if (conjunct.negated) return undefined;
      const column = columnOf(conjunct.operand);
      return column === undefined ? undefined : { op: 'isNull', column, conjunct };
    }
    default:
      return undefined;
  }
}

interface Candidate {
  readonly index: IndexDef;
  readonly codec: IndexKeyCodec;
  readonly primary: boolean;
  readonly eqPredicates: readonly (Extract<ColumnPredicate, { op: 'eq' | 'isNull' }>)[];
  readonly rangePredicates: readonly (Extract<ColumnPredicate, { op: 'lt' | 'le' | 'gt' | 'ge' | 'between' }>)[];
  readonly point: boolean;
  readonly cost: number;
}

/**
 * Chooses how to read `table` for `where`: a primary-key point (or IN list of points),
 * a primary-key range, a secondary-index point or range, or a full scan of the primary
 * key. Pure: no data is read, no statistics are used. Costs (lower wins, primary first on
 * ties): a primary point 1 per point, a unique secondary point 2 per point; a range
 * 1000 (primary) or 2000 (secondary) divided by 10 per equality column and by 5 for a
 * range column, times the number of points; a full scan 10000.
 *
 * `columnOf` maps a column reference to its table position (undefined or -1 for anything
 * that is not a column of this table).
 */
export function planAccess(table: TableSchema, where: Expr | undefined, columnOf: (e: Expr) => number | undefined): AccessPlan {
  const conjuncts = conjunctsOf(where);
  // A negative position (findColumn's "not found") means "not a column of this table" too.
  const columnPosition = (e: Expr): number | undefined => {
    const p = columnOf(e);
    return p !== undefined && p >= 0 && p < table.columns.length ? p : undefined;
  };
  const predicates = conjuncts.map((c) => predicateOf(c, columnPosition));
  const indexes: { index: IndexDef; codec: IndexKeyCodec; primary: boolean }[] = [];
  if (!table.def.hiddenPrimaryKey) indexes.push({ index: table.def.primaryKey, codec: table.primaryCodec, primary: true });
  table.def.secondaryIndexes.forEach((index, i) => indexes.push({ index, codec: table.secondaryCodecs[i]!, primary: false }));

  let best: Candidate = {
    index: table.def.primaryKey,
    codec: table.primaryCodec,
    primary: true,
    eqPredicates: [],
    rangePredicates: [],
    point: false,
    cost: 10_000,
  };
  for (const { index, codec, primary } of indexes) {
    const eqPredicates: Extract<ColumnPredicate, { op: 'eq' | 'isNull' }>[] = [];
    let points = 1;
    let rangePredicates: Extract<ColumnPredicate, { op: 'lt' | 'le' | 'gt' | 'ge' | 'between' }>[] = [];
    for (const column of index.columns) {
      const eq = predicates.find((p): p is Extract<ColumnPredicate, { op: 'eq' | 'isNull' }> => p?.column === column && (p.op === 'eq' || p.op === 'isNull'));
      if (eq !== undefined) {
        const n = eq.op === 'eq' ? eq.values.length : 1;
        if (points * n <= MAX_ACCESS_POINTS) {
          eqPredicates.push(eq);
          points *= n;
          continue;
        }
      }
      rangePredicates = predicates.filter((p): p is Extract<ColumnPredicate, { op: 'lt' | 'le' | 'gt' | 'ge' | 'between' }> => p?.column === column && p.op !== 'eq' && p.op !== 'isNull');
      break;
    }
    if (eqPredicates.length === 0 && rangePredicates.length === 0) continue;
    const fullKey = eqPredicates.length === index.columns.length;
    const point = fullKey && index.unique && eqPredicates.every((p) => p.op === 'eq');
    const cost = point
      ? (primary ? 1 : 2) * points
      : ((primary ? 1000 : 2000) / (10 ** eqPredicates.length * (rangePredicates.length > 0 ? 5 : 1))) * points;
    if (cost < best.cost) best = { index, codec, primary, eqPredicates, rangePredicates, point, cost };
  }
  return buildPlan(table, best, conjuncts, where);
}

function buildPlan(table: TableSchema, chosen: Candidate, conjuncts: readonly Expr[], where: Expr | undefined): AccessPlan {
  const used = new Set<Expr>([...chosen.eqPredicates.map((p) => p.conjunct), ...chosen.rangePredicates.map((p) => p.conjunct)]);
  const usedConjuncts = conjuncts.filter((c) => used.has(c));
  const residual = andOf(conjuncts.filter((c) => !used.has(c)));
  const kind: AccessKind =
    chosen.eqPredicates.length === 0 && chosen.rangePredicates.length === 0
      ? 'fullScan'
      : chosen.primary
        ? chosen.point
          ? 'primaryPoint'
          : 'primaryRange'
        : chosen.point
          ? 'indexPoint'
          : 'indexRange';
  const codec = chosen.codec;
  const columns = table.columns;
  const eqColumns = chosen.eqPredicates.map((p) => p.column);
  const rangeColumn = chosen.rangePredicates[0]?.column;
  const fullIndexRange = (): KeyRange => {
    const prefix = codec.indexPrefix();
    return { gte: prefix, lt: prefixSuccessor(prefix)! };
  };

  const resolve = (params: readonly SqlValue[]): ResolvedAccess => {
    if (kind === 'fullScan') return { ranges: [fullIndexRange()], exact: true };
    const valueOf = (s: ValueSource): SqlValue => (s.kind === 'literal' ? s.value : (params[s.index] ?? null));
    let exact = true;
    // Equality columns: the list of key values per column (values that cannot match are dropped).
    const eqValues: SqlValue[][] = [];
    for (const p of chosen.eqPredicates) {
      const type = columns[p.column]!.type;
      if (p.op === 'isNull') {
        if (!columns[p.column]!.nullable) return { ranges: [], exact: true }; // NOT NULL column IS NULL: nothing
        eqValues.push([null]);
        continue;
      }
      const values: SqlValue[] = [];
      for (const s of p.values) {
        const c = convertForKey(type, valueOf(s));
        if (c.kind === 'unusable') return { ranges: [fullIndexRange()], exact: false };
        if (c.kind !== 'value' || c.fraction !== undefined) continue; // NULL, out of range, between integers: equals nothing
        if (!c.exact) exact = false;
        values.push(c.value);
      }
      if (values.length === 0) return { ranges: [], exact: true };
      eqValues.push(values);
    }
    // Range column: the tightest lower and upper bound, compared as encoded bytes.
    let lower: { key: SqlValue; inclusive: boolean } | undefined;
    let upper: { key: SqlValue; inclusive: boolean } | undefined;
    let rangeEmpty = false;
    if (rangeColumn !== undefined) {
      const eqSample = eqValues.map((vs) => vs[0]!);
      const prefixLength = codec.encode(eqSample).length;
      // Bounds of one column compare by the bytes of that column's encoding alone.
      const encodeBound = (v: SqlValue): Uint8Array => codec.encode([...eqSample, v]).subarray(prefixLength);
      const type = columns[rangeColumn]!.type;
      const bounds: { side: 'lower' | 'upper'; inclusive: boolean; source: ValueSource }[] = [];
      for (const p of chosen.rangePredicates) {
        if (p.op === 'between') {
          bounds.push({ side: 'lower', inclusive: true, source: p.low }, { side: 'upper', inclusive: true, source: p.high });
        } else bounds.push({ side: p.op === 'gt' || p.op === 'ge' ? 'lower' : 'upper', inclusive: p.op === 'ge' || p.op === 'le', source: p.value });
      }
      for (const b of bounds) {
        const c = convertForKey(type, valueOf(b.source));
        if (c.kind === 'unusable') return { ranges: [fullIndexRange()], exact: false };
        if (c.kind === 'null') {
          rangeEmpty = true; // comparing with NULL is never true
          continue;
        }
        if (c.kind === 'belowAll') {
          if (b.side === 'upper') rangeEmpty = true;
          continue;
        }
        if (c.kind === 'aboveAll') {
          if (b.side === 'lower') rangeEmpty = true;
          continue;
        }
        if (!c.exact) exact = false;
        // A constant between two stored values: `> x.5` is `>= x+1` i.e. `> x`; `< x.5` is `<= x`.
        let inclusive = b.inclusive;
        if (c.fraction === 'up') inclusive = b.side === 'upper';
        else if (c.fraction === 'down') inclusive = b.side === 'lower';
        const candidate = { key: c.value, inclusive };
        if (b.side === 'lower') lower = tighter(lower, candidate, 'lower', encodeBound);
        else upper = tighter(upper, candidate, 'upper', encodeBound);
      }
    }
    if (rangeEmpty) return { ranges: [], exact: true };

    const ranges: KeyRange[] = [];
    const rangeNullable = rangeColumn !== undefined && columns[rangeColumn]!.nullable;
    for (const combo of cartesian(eqValues)) {
      const prefix = codec.encode(combo);
      let gte: Uint8Array;
      let lt: Uint8Array;
      if (lower !== undefined) {
        const key = codec.encode([...combo, lower.key]);
        gte = lower.inclusive ? key : prefixSuccessor(key)!;
      } else if (rangeNullable) {
        gte = concat(prefix, 0x01); // skip NULLs: a range comparison is never true for them
      } else gte = prefix;
      if (upper !== undefined) {
        const key = codec.encode([...combo, upper.key]);
        lt = upper.inclusive ? prefixSuccessor(key)! : key;
      } else lt = prefixSuccessor(prefix)!;
      if (compareBytes(gte, lt) >= 0) continue;
      const isPoint = kind === 'primaryPoint' && rangeColumn === undefined;
      ranges.push(isPoint ? { gte, lt, exactKey: prefix } : { gte, lt });
    }
    return { ranges: mergeRanges(ranges), exact };
  };

  const describe = (): string => {
    const name = (p: number) => columns[p]!.name;
    const indexColumns = chosen.index.columns.map(name).join(',');
    return `${kind} ${chosen.index.name}(${indexColumns})${eqColumns.length > 0 ? ` eq=${eqColumns.map(name).join(',')}` : ''}${rangeColumn !== undefined ? ` range=${name(rangeColumn)}` : ''}`;
  };

  return { kind, index: chosen.index, codec, primary: chosen.primary, usedConjuncts, residual, where, resolve, describe };
}

function tighter(
  current: { key: SqlValue; inclusive: boolean } | undefined,
  candidate: { key: SqlValue; inclusive: boolean },
  side: 'lower' | 'upper',
  encode: (v: SqlValue) => Uint8Array,
): { key: SqlValue; inclusive: boolean } {
  if (current === undefined) return candidate;
  const c = compareBytes(encode(candidate.key), encode(current.key));
  if (c === 0) return candidate.inclusive ? current : candidate; // exclusive is tighter
  return side === 'lower' ? (c > 0 ? candidate : current) : c < 0 ? candidate : current;
}

/** Every combination of one value per list (the lists are small: their product is bounded by MAX_ACCESS_POINTS). */
function cartesian(lists: readonly (readonly SqlValue[])[]): SqlValue[][] {
  let out: SqlValue[][] = [[]];
  for (const list of lists) {
    if (list.length === 1) {
      for (const combo of out) combo.push(list[0]!);
      continue;
    }
    const next: SqlValue[][] = [];
    for (const combo of out) for (const v of list) next.push([...combo, v]);
    out = next;
  }
  return out;
}

function concat(prefix: Uint8Array, byte: number): Uint8Array {
  const out = new Uint8Array(prefix.length + 1);
  out.set(prefix);
  out[prefix.length] = byte;
  return out;
}

/** Sorts ranges and merges overlapping ones (IN lists may repeat a value); touching ranges stay apart (points keep their exact key). */
export function mergeRanges(ranges: readonly KeyRange[]): KeyRange[] {
  if (ranges.length <= 1) return [...ranges];
  const sorted = [...ranges].sort((a, b) => compareBytes(a.gte, b.gte));
  const out: KeyRange[] = [sorted[0]!];
  for (let i = 1; i < sorted.length; i++) {
    const r = sorted[i]!;
    const last = out[out.length - 1]!;
    if (compareBytes(r.gte, last.lt) < 0) {
      if (r.exactKey !== undefined && last.exactKey !== undefined && compareBytes(r.exactKey, last.exactKey) === 0) continue;
      out[out.length - 1] = { gte: last.gte, lt: compareBytes(r.lt, last.lt) > 0 ? r.lt : last.lt };
    } else out.push(r);
  }
  invariant(out.every((r, i) => i === 0 || compareBytes(out[i - 1]!.lt, r.gte) <= 0), 'merged ranges are disjoint and sorted');
  return out;
}
