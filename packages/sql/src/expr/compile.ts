import { NotSupportedError } from '../errors/not-supported-error.js';
import type { Expr } from '../parser/ast.js';
import { exprToSql } from '../parser/expr-sql.js';
import { formatNumber } from '../types/coerce.js';
import { compareSqlValues, toDouble } from '../types/compare.js';
import { SqlDateTime } from '../types/datetime.js';
import { codePointLength, type SqlValue, utf8DecodeStrict, utf8Length } from '../types/sql-value.js';
import { arithmetic, bitNot, negate } from './arithmetic.js';
import { compileLikePattern, LIKE_PATTERN_CACHE_SIZE } from './like.js';
import { sqlBool, truth } from './truth.js';

/** What a session supplies to expressions (the executor implements it). */
export interface SessionValues {
  currentDatabase(): string | null;
  connectionId(): number;
  lastInsertId(): number | bigint;
  version(): string;
  user(): string;
  systemVariable(name: string, scope: 'global' | 'session' | undefined): SqlValue;
  userVariable(name: string): SqlValue;
}

/**
 * Per-execution inputs of compiled expressions. `now` is the statement's start time (NOW()
 * is constant within a statement, as in MySQL); `insertedRow` is the row an INSERT tried to
 * insert, for VALUES(col) in ON DUPLICATE KEY UPDATE.
 */
export interface EvalContext {
  readonly params: readonly SqlValue[];
  readonly now: SqlDateTime;
  readonly session: SessionValues;
  readonly insertedRow?: readonly SqlValue[];
}

export type CompiledExpr = (row: readonly SqlValue[], ctx: EvalContext) => SqlValue;

/**
 * Resolves column references to row slots at compile time. `context` names the clause for
 * MySQL's 1054 message ('field list', 'where clause', ...). `aggregate` maps an aggregate
 * expression to the slot where the executor put its result (absent: aggregates are refused).
 */
export interface ColumnResolver {
  column(table: string | undefined, name: string): number;
  aggregate?(expr: Extract<Expr, { kind: 'aggregate' }>): number;
  /** Slot of a column of the inserted row, for VALUES(col). */
  insertedColumn?(name: string): number;
}

/**
 * Compiles an expression once into a closure tree; evaluation then does no lookups by
 * name and no re-dispatch on the AST. Semantics are MySQL's: three-valued logic, 1/0 for
 * true/false, the comparison and arithmetic rules of compareSqlValues and arithmetic().
 */
export function compileExpr(expr: Expr, resolver: ColumnResolver): CompiledExpr {
  switch (expr.kind) {
    case 'literal': {
      const v = expr.value;
      return () => v;
    }
    case 'param': {
      const i = expr.index;
      return (_row, ctx) => ctx.params[i] ?? null;
    }
    case 'column': {
      const slot = resolver.column(expr.table, expr.name);
      return (row) => row[slot] ?? null;
    }
    case 'sysvar': {
      const { name, scope } = expr;
      return (_row, ctx) => ctx.session.systemVariable(name, scope);
    }
    case 'uservar': {
      const name = expr.name;
      return (_row, ctx) => ctx.session.userVariable(name);
    }
    case 'insertedValue': {
      if (resolver.insertedColumn === undefined) throw new NotSupportedError('VALUES() outside ON DUPLICATE KEY UPDATE');
      const slot = resolver.insertedColumn(expr.column);
      return (_row, ctx) => ctx.insertedRow?.[slot] ?? null;
    }
    case 'default':
      throw new NotSupportedError('DEFAULT inside an expression');
    case 'aggregate': {
      if (resolver.aggregate === undefined) throw new NotSupportedError(`${expr.fn}() here (Invalid use of group function)`);
      const slot = resolver.aggregate(expr);
      return (row) => row[slot] ?? null;
    }
    case 'unary': {
      const operand = compileExpr(expr.operand, resolver);
      if (expr.op === 'NOT') return (row, ctx) => notOf(operand(row, ctx));
      if (expr.op === '~') return (row, ctx) => bitNot(operand(row, ctx));
      const text = lazyText(expr);
      return (row, ctx) => negate(operand(row, ctx), text);
    }
    case 'binary':
      return compileBinary(expr, resolver);
    case 'in':
      return compileIn(expr, resolver);
    case 'between': {
      const operand = compileExpr(expr.operand, resolver);
      const low = compileExpr(expr.low, resolver);
      const high = compileExpr(expr.high, resolver);
      const negated = expr.negated;
      return (row, ctx) => {
        const v = operand(row, ctx);
        const lo = compareSqlValues(v, low(row, ctx));
        const hi = compareSqlValues(v, high(row, ctx));
        const geLow = lo === null ? null : lo >= 0;
        const leHigh = hi === null ? null : hi <= 0;
        const both = geLow === false || leHigh === false ? false : geLow === null || leHigh === null ? null : true;
        return sqlBool(both === null ? null : negated ? !both : both);
      };
    }
    case 'isNull': {
      const operand = compileExpr(expr.operand, resolver);
      const negated = expr.negated;
      return (row, ctx) => ((operand(row, ctx) === null) !== negated ? 1 : 0);
    }
    case 'like':
      return compileLike(expr, resolver);
    case 'call':
      return compileCall(expr, resolver);
  }
}

function lazyText(expr: Expr): () => string {
  return () => exprToSql(expr);
}

function notOf(v: SqlValue): SqlValue {
  const t = truth(v);
  return t === null ? null : t ? 0 : 1;
}

function compileBinary(expr: Extract<Expr, { kind: 'binary' }>, resolver: ColumnResolver): CompiledExpr {
  const left = compileExpr(expr.left, resolver);
  const right = compileExpr(expr.right, resolver);
  switch (expr.op) {
    case 'AND':
      return (row, ctx) => {
        const a = truth(left(row, ctx));
        if (a === false) return 0;
        const b = truth(right(row, ctx));
        if (b === false) return 0;
        return a === null || b === null ? null : 1;
      };
    case 'OR':
      return (row, ctx) => {
        const a = truth(left(row, ctx));
        if (a === true) return 1;
        const b = truth(right(row, ctx));
        if (b === true) return 1;
        return a === null || b === null ? null : 0;
      };
    case 'XOR':
      return (row, ctx) => {
        const a = truth(left(row, ctx));
        const b = truth(right(row, ctx));
        return a === null || b === null ? null : a !== b ? 1 : 0;
      };
    case '=':
      return (row, ctx) => {
        const c = compareSqlValues(left(row, ctx), right(row, ctx));
        return c === null ? null : c === 0 ? 1 : 0;
      };
    case '<>':
      return (row, ctx) => {
        const c = compareSqlValues(left(row, ctx), right(row, ctx));
        return c === null ? null : c !== 0 ? 1 : 0;
      };
    case '<':
      return (row, ctx) => {
        const c = compareSqlValues(left(row, ctx), right(row, ctx));
        return c === null ? null : c < 0 ? 1 : 0;
      };
    case '<=':
      return (row, ctx) => {
        const c = compareSqlValues(left(row, ctx), right(row, ctx));
        return c === null ? null : c <= 0 ? 1 : 0;
      };
    case '>':
      return (row, ctx) => {
        const c = compareSqlValues(left(row, ctx), right(row, ctx));
        return c === null ? null : c > 0 ? 1 : 0;
      };
    case '>=':
      return (row, ctx) => {
        const c = compareSqlValues(left(row, ctx), right(row, ctx));
        return c === null ? null : c >= 0 ? 1 : 0;
      };
    case '<=>':
      return (row, ctx) => {
        const a = left(row, ctx);
        const b = right(row, ctx);
        if (a === null || b === null) return a === null && b === null ? 1 : 0;
        return compareSqlValues(a, b) === 0 ? 1 : 0;
      };
    default: {
      const op = expr.op;
      const text = lazyText(expr);
      return (row, ctx) => arithmetic(op, left(row, ctx), right(row, ctx), text);
    }
  }
}

function compileIn(expr: Extract<Expr, { kind: 'in' }>, resolver: ColumnResolver): CompiledExpr {
  const operand = compileExpr(expr.operand, resolver);
  const negated = expr.negated;
  const constants = expr.list.every((e) => e.kind === 'literal') ? expr.list.map((e) => (e as { value: SqlValue }).value) : undefined;
  // Fast path: a constant list of safe integers (or of strings) checked with a Set when the
  // operand has the same JS type; other operand types take the general loop.
  if (constants !== undefined && constants.length > 0) {
    const allInts = constants.every((v) => typeof v === 'number' && Number.isSafeInteger(v));
    const allStrings = constants.every((v) => typeof v === 'string');
    if (allInts || allStrings) {
      const set = new Set(constants);
      const kind = allInts ? 'number' : 'string';
      return (row, ctx) => {
        const v = operand(row, ctx);
        if (v === null) return null;
        if (typeof v === kind) return set.has(v) !== negated ? 1 : 0;
        return inLoop(v, constants, negated);
      };
    }
  }
  const items = expr.list.map((e) => compileExpr(e, resolver));
  return (row, ctx) => {
    const v = operand(row, ctx);
    if (v === null) return null;
    return inLoop(
      v,
      items.map((f) => f(row, ctx)),
      negated,
    );
  };
}

function inLoop(v: SqlValue, values: readonly SqlValue[], negated: boolean): SqlValue {
  let sawNull = false;
  for (const item of values) {
    const c = compareSqlValues(v, item);
    if (c === null) sawNull = true;
    else if (c === 0) return negated ? 0 : 1;
  }
  return sawNull ? null : negated ? 1 : 0;
}

/** A value in string context, MySQL style. */
export function toText(v: Exclude<SqlValue, null>): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof SqlDateTime) return v.toString();
  return utf8DecodeStrict(v) ?? Buffer.from(v).toString('latin1');
}

function compileLike(expr: Extract<Expr, { kind: 'like' }>, resolver: ColumnResolver): CompiledExpr {
  const operand = compileExpr(expr.operand, resolver);
  const negated = expr.negated;
  const escapeExpr = expr.escape;
  let escape = '\\';
  if (escapeExpr !== undefined) {
    if (escapeExpr.kind !== 'literal' || typeof escapeExpr.value !== 'string' || Array.from(escapeExpr.value).length > 1) throw new NotSupportedError('LIKE ... ESCAPE other than one constant character');
    escape = escapeExpr.value === '' ? '\\' : escapeExpr.value;
  }
  const match = (v: SqlValue, re: RegExp): SqlValue => (v === null ? null : re.test(toText(v)) !== negated ? 1 : 0);
  if (expr.pattern.kind === 'literal') {
    const p = expr.pattern.value;
    if (p === null) return () => null;
    const re = compileLikePattern(toText(p), escape);
    return (row, ctx) => match(operand(row, ctx), re);
  }
  const pattern = compileExpr(expr.pattern, resolver);
  const cache = new Map<string, RegExp>();
  return (row, ctx) => {
    const p = pattern(row, ctx);
    if (p === null) return null;
    const text = toText(p);
    let re = cache.get(text);
    if (re === undefined) {
      if (cache.size >= LIKE_PATTERN_CACHE_SIZE) cache.clear();
      re = compileLikePattern(text, escape);
      cache.set(text, re);
    }
    return match(operand(row, ctx), re);
  };
}

function arity(expr: Extract<Expr, { kind: 'call' }>, min: number, max = min): void {
  if (expr.args.length < min || expr.args.length > max) throw new NotSupportedError(`${expr.name}() with ${expr.args.length} arguments`);
}

function compileCall(expr: Extract<Expr, { kind: 'call' }>, resolver: ColumnResolver): CompiledExpr {
  const args = expr.args.map((a) => compileExpr(a, resolver));
  const a0 = args[0]!;
  switch (expr.name) {
    case 'CONCAT':
      arity(expr, 1, 1024);
      return (row, ctx) => {
        let out = '';
        for (const f of args) {
          const v = f(row, ctx);
          if (v === null) return null;
          out += toText(v);
        }
        return out;
      };
    case 'LENGTH':
      arity(expr, 1);
      return (row, ctx) => {
        const v = a0(row, ctx);
        return v === null ? null : v instanceof Uint8Array ? v.length : utf8Length(toText(v));
      };
    case 'CHAR_LENGTH':
      arity(expr, 1);
      return (row, ctx) => {
        const v = a0(row, ctx);
        return v === null ? null : v instanceof Uint8Array ? v.length : codePointLength(toText(v));
      };
    case 'COALESCE':
      arity(expr, 1, 1024);
      return (row, ctx) => {
        for (const f of args) {
          const v = f(row, ctx);
          if (v !== null) return v;
        }
        return null;
      };
    case 'IFNULL': {
      arity(expr, 2);
      const a1 = args[1]!;
      return (row, ctx) => a0(row, ctx) ?? a1(row, ctx);
    }
    case 'NULLIF': {
      arity(expr, 2);
      const a1 = args[1]!;
      return (row, ctx) => {
        const v = a0(row, ctx);
        return compareSqlValues(v, a1(row, ctx)) === 0 ? null : v;
      };
    }
    case 'IF': {
      arity(expr, 3);
      const a1 = args[1]!;
      const a2 = args[2]!;
      return (row, ctx) => (truth(a0(row, ctx)) === true ? a1(row, ctx) : a2(row, ctx));
    }
    case 'UPPER':
    case 'LOWER': {
      arity(expr, 1);
      const upper = expr.name === 'UPPER';
      return (row, ctx) => {
        const v = a0(row, ctx);
        if (v === null) return null;
        if (v instanceof Uint8Array) return v; // binary strings have no case, as in MySQL
        const t = toText(v);
        return upper ? t.toUpperCase() : t.toLowerCase();
      };
    }
    case 'ABS': {
      arity(expr, 1);
      const text = lazyText(expr);
      return (row, ctx) => {
        const v = a0(row, ctx);
        if (v === null) return null;
        if (typeof v === 'number') return Math.abs(v);
        if (typeof v === 'bigint') return v < 0n ? negate(v, text) : v;
        return Math.abs(toDouble(v));
      };
    }
    case 'NOW': {
      arity(expr, 0, 1);
      const fspArg = expr.args[0];
      let fsp = 0;
      if (fspArg !== undefined) {
        if (fspArg.kind !== 'literal' || typeof fspArg.value !== 'number' || !Number.isInteger(fspArg.value) || fspArg.value < 0 || fspArg.value > 6) throw new NotSupportedError('NOW() with this precision');
        fsp = fspArg.value;
      }
      return (_row, ctx) => ctx.now.withFsp(fsp);
    }
    case 'VERSION':
      arity(expr, 0);
      return (_row, ctx) => ctx.session.version();
    case 'DATABASE':
      arity(expr, 0);
      return (_row, ctx) => ctx.session.currentDatabase();
    case 'CONNECTION_ID':
      arity(expr, 0);
      return (_row, ctx) => ctx.session.connectionId();
    case 'LAST_INSERT_ID':
      arity(expr, 0);
      return (_row, ctx) => ctx.session.lastInsertId();
    case 'USER':
    case 'CURRENT_USER':
      arity(expr, 0);
      return (_row, ctx) => ctx.session.user();
    default:
      throw new NotSupportedError(`function ${expr.name}`);
  }
}

/** Compiles a WHERE/HAVING condition: the closure answers whether a row qualifies (NULL does not). */
export function compileCondition(expr: Expr, resolver: ColumnResolver): (row: readonly SqlValue[], ctx: EvalContext) => boolean {
  const f = compileExpr(expr, resolver);
  return (row, ctx) => truth(f(row, ctx)) === true;
}

/** The aggregates inside an expression (not inside other aggregates), in evaluation order. */
export function collectAggregates(expr: Expr, out: Extract<Expr, { kind: 'aggregate' }>[] = []): Extract<Expr, { kind: 'aggregate' }>[] {
  switch (expr.kind) {
    case 'aggregate':
      out.push(expr);
      break;
    case 'unary':
      collectAggregates(expr.operand, out);
      break;
    case 'binary':
      collectAggregates(expr.left, out);
      collectAggregates(expr.right, out);
      break;
    case 'in':
      collectAggregates(expr.operand, out);
      for (const e of expr.list) collectAggregates(e, out);
      break;
    case 'between':
      collectAggregates(expr.operand, out);
      collectAggregates(expr.low, out);
      collectAggregates(expr.high, out);
      break;
    case 'isNull':
      collectAggregates(expr.operand, out);
      break;
    case 'like':
      collectAggregates(expr.operand, out);
      collectAggregates(expr.pattern, out);
      break;
    case 'call':
      for (const e of expr.args) collectAggregates(e, out);
      break;
    default:
      break;
  }
  return out;
}
