import type { Catalog } from '../catalog/catalog.js';
import type { ColumnDef, TableSchema } from '../catalog/table-schema.js';
import { NotSupportedError } from '../errors/not-supported-error.js';
import { UnknownColumnError } from '../errors/unknown-column-error.js';
import { createAggregator } from '../expr/aggregate.js';
import { collectAggregates, compileCondition, compileExpr, type ColumnResolver, type CompiledExpr, type EvalContext } from '../expr/compile.js';
import type { Expr, LockMode, SelectStatement } from '../parser/ast.js';
import { type AccessPlan, planAccess, type ResolvedAccess } from '../plan/access-path.js';
import { compareSqlValues } from '../types/compare.js';
import { SqlDateTime } from '../types/datetime.js';
import type { SqlValue } from '../types/sql-value.js';

/** A result column: its name, and the table column it shows when it is a plain column reference (for wire metadata). */
export interface ResultColumn {
  readonly name: string;
  readonly column: ColumnDef | undefined;
}

/**
 * Reads the rows the access path selects: full table rows, in the index's key order,
 * already past nothing else (the query applies the filter). The executor implements it
 * over txn/kv (locking as `lock` says); tests implement it over arrays.
 */
export type RowSource = (plan: AccessPlan, resolved: ResolvedAccess) => Iterable<readonly SqlValue[]>;

export interface CompiledSelect {
  readonly columns: readonly ResultColumn[];
  readonly table: TableSchema | undefined;
  readonly access: AccessPlan | undefined;
  readonly lock: LockMode;
  /** Runs the query: reads through `source`, filters, aggregates, sorts, de-duplicates, limits. */
  execute(source: RowSource, ctx: EvalContext): SqlValue[][];
}

/** Bound on the rows a SELECT with ORDER BY, DISTINCT or aggregates holds in memory before answering. */
export const MAX_SORT_ROWS = 1_000_000;

/**
 * Compiles a SELECT once (the statement cache can keep the result per catalog version):
 * resolves the table, plans the access path, compiles the filter, the select list, ORDER BY
 * and aggregates. Supported: one table or none, `*`, expressions, WHERE, COUNT/SUM/MIN/MAX/AVG
 * over the whole result or per GROUP BY group (expressions, aliases, positions; groups come
 * out in group-key order when there is no ORDER BY, as MariaDB), HAVING, DISTINCT, ORDER BY (expressions, select
 * aliases, positions; NULLs first ascending as MySQL), LIMIT/OFFSET (constants or `?`).
 */
export interface CompileSelectOptions {
  /** Rows held for ORDER BY/DISTINCT/aggregates before the query fails with 1235 (default MAX_SORT_ROWS). */
  readonly maxSortRows?: number;
}

export function compileSelect(statement: SelectStatement, catalog: Catalog, currentDatabase: string | undefined, options: CompileSelectOptions = {}): CompiledSelect {
  const maxSortRows = options.maxSortRows ?? MAX_SORT_ROWS;
  const table = statement.from === undefined ? undefined : catalog.getTable(catalog.resolveDatabase(statement.from, currentDatabase), statement.from.name);
  const alias = statement.tableAlias;
  const tableName = table?.name;

  // Select items, with `*` expanded to the table's columns.
  const items: { expr: Expr; name: string; column: ColumnDef | undefined }[] = [];
  for (const item of statement.items) {
    if (item.star) {
      if (table === undefined) throw new NotSupportedError('SELECT * without a table');
      for (const c of table.columns) items.push({ expr: { kind: 'column', table: undefined, name: c.name }, name: c.name, column: c });
      continue;
    }
    const expr = item.expr!;
    const column = expr.kind === 'column' && table !== undefined ? table.columns[table.findColumn(expr.name)] : undefined;
    items.push({ expr, name: item.label, column });
  }

  const width = table?.columns.length ?? 0;
  const aggregates = items.flatMap((i) => collectAggregates(i.expr));
  const orderExprs = statement.orderBy.map((o) => o.expr);
  for (const e of orderExprs) aggregates.push(...collectAggregates(e));
  if (statement.having !== undefined) aggregates.push(...collectAggregates(statement.having));
  const grouped = aggregates.length > 0 || statement.groupBy.length > 0;
  const resolver = (context: string, allowAggregates = true): ColumnResolver => {
    const column = (qualifier: string | undefined, name: string): number => {
      if (table === undefined) throw new UnknownColumnError(name, context);
      if (qualifier !== undefined && qualifier !== tableName && qualifier !== alias) throw new UnknownColumnError(`${qualifier}.${name}`, context);
      const i = table.findColumn(name);
      if (i < 0) throw new UnknownColumnError(name, context);
      return i;
    };
    return grouped && allowAggregates ? { column, aggregate: (a) => width + aggregates.indexOf(a) } : { column };
  };

  const itemFns = items.map((i) => compileExpr(i.expr, resolver('field list')));
  // ORDER BY: a position, a select alias, or an expression over the row.
  const orderFns: CompiledExpr[] = statement.orderBy.map((o) => {
    const e = o.expr;
    if (e.kind === 'literal' && typeof e.value === 'number' && Number.isInteger(e.value)) {
      const f = itemFns[e.value - 1];
      if (f === undefined) throw new UnknownColumnError(String(e.value), 'order clause');
      return f;
    }
    if (e.kind === 'column' && e.table === undefined) {
      const byAlias = statement.items.findIndex((it) => it.alias?.toLowerCase() === e.name.toLowerCase());
      if (byAlias >= 0) return itemFns[byAlias]!;
    }
    return compileExpr(e, resolver('order clause'));
  });
  const descending = statement.orderBy.map((o) => o.descending);
  // GROUP BY: a position, a select alias, or an expression, evaluated on the source rows.
  const groupFns: CompiledExpr[] = statement.groupBy.map((e) => {
    let target = e;
    if (e.kind === 'literal' && typeof e.value === 'number' && Number.isInteger(e.value)) {
      const item = items[e.value - 1];
      if (item === undefined) throw new UnknownColumnError(String(e.value), 'group statement');
      target = item.expr;
    } else if (e.kind === 'column' && e.table === undefined && (table === undefined || table.findColumn(e.name) < 0)) {
      const byAlias = statement.items.findIndex((it) => it.alias?.toLowerCase() === e.name.toLowerCase());
      if (byAlias >= 0 && statement.items[byAlias]!.expr !== undefined) target = statement.items[byAlias]!.expr!;
    }
    return compileExpr(target, resolver('group statement', false));
  });
  const havingFn = statement.having === undefined ? undefined : compileCondition(statement.having, resolver('having clause'));

  const access = table === undefined ? undefined : planAccess(table, statement.where, (e) => (e.kind === 'column' && (e.table === undefined || e.table === tableName || e.table === alias) ? (table.findColumn(e.name) >= 0 ? table.findColumn(e.name) : undefined) : undefined));
  const residual = access?.residual === undefined ? undefined : compileCondition(access.residual, resolver('where clause', false));
  const fullWhere = statement.where === undefined ? undefined : compileCondition(statement.where, resolver('where clause', false));
  const limitFn = statement.limit === undefined ? undefined : compileExpr(statement.limit.count, resolver('limit', false));
  const offsetFn = statement.limit?.offset === undefined ? undefined : compileExpr(statement.limit.offset, resolver('limit', false));
  const needsAll = grouped || statement.distinct || orderFns.length > 0;

  const execute = (source: RowSource, ctx: EvalContext): SqlValue[][] => {
    const empty: SqlValue[] = [];
    const limit = limitFn === undefined ? Infinity : limitValue(limitFn(empty, ctx));
    const offset = offsetFn === undefined ? 0 : limitValue(offsetFn(empty, ctx));
    // 1. Source rows that pass the filter.
    const rows: (readonly SqlValue[])[] = [];
    if (table === undefined || access === undefined) {
      if (fullWhere === undefined || fullWhere(empty, ctx)) rows.push(empty);
    } else {
      const resolved = access.resolve(ctx.params);
      const filter = resolved.exact ? residual : fullWhere;
      const stopAfter = needsAll ? Infinity : offset + limit;
      if (resolved.ranges.length > 0 && stopAfter > 0) {
        for (const row of source(access, resolved)) {
          if (filter !== undefined && !filter(row, ctx)) continue;
          rows.push(row);
          if (rows.length >= stopAfter) break;
          if (rows.length > maxSortRows) throw new NotSupportedError(`SELECT holding more than ${maxSortRows} rows for ORDER BY/DISTINCT/aggregates`);
        }
      }
    }
    // 2. Aggregates: one output row per group (the whole input without GROUP BY), with the
    //    group's first row's columns beside them, as MariaDB without ONLY_FULL_GROUP_BY.
    let evalRows: (readonly SqlValue[])[] = rows;
    if (grouped) {
      const args = aggregates.map((a) => (a.arg === undefined ? undefined : compileExpr(a.arg, resolver('field list', false))));
      const groups: (readonly SqlValue[])[][] = [];
      if (groupFns.length === 0) groups.push(rows);
      else {
        const byKey = new Map<string, (readonly SqlValue[])[]>();
        for (const row of rows) {
          const key = rowKey(groupFns.map((f) => f(row, ctx)));
          let group = byKey.get(key);
          if (group === undefined) {
            group = [];
            byKey.set(key, group);
            groups.push(group);
          }
          group.push(row);
        }
        if (orderFns.length === 0) {
          const keyed = groups.map((g) => ({ g, k: groupFns.map((f) => f(g[0]!, ctx)) }));
          keyed.sort((a, b) => {
            for (let i = 0; i < a.k.length; i++) {
              const c = compareForSort(a.k[i]!, b.k[i]!);
              if (c !== 0) return c;
            }
            return 0;
          });
          groups.splice(0, groups.length, ...keyed.map((x) => x.g));
        }
      }
      evalRows = groups.map((group) => {
        const groupStates = aggregates.map((a) => createAggregator(a.fn, a.distinct));
        for (const row of group) {
          for (let i = 0; i < groupStates.length; i++) {
            const arg = args[i];
            groupStates[i]!.add(arg === undefined ? 1 : arg(row, ctx));
          }
        }
        const base: SqlValue[] = group[0] === undefined ? new Array<SqlValue>(width).fill(null) : [...group[0]];
        for (const st of groupStates) base.push(st.result());
        return base;
      });
      if (havingFn !== undefined) evalRows = evalRows.filter((row) => havingFn(row, ctx));
    }
    // 3. Project, with sort keys taken from the same row.
    let out = evalRows.map((row) => ({ values: itemFns.map((f) => f(row, ctx)), keys: orderFns.map((f) => f(row, ctx)) }));
    if (orderFns.length > 0) {
      out.sort((a, b) => {
        for (let i = 0; i < orderFns.length; i++) {
          const c = compareForSort(a.keys[i]!, b.keys[i]!);
          if (c !== 0) return descending[i] ? -c : c;
        }
        return 0;
      });
    }
    if (statement.distinct) {
      const seen = new Set<string>();
      out = out.filter((r) => {
        const key = rowKey(r.values);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    }
    const end = limit === Infinity ? undefined : offset + limit;
    return out.slice(offset, end).map((r) => r.values);
  };

  return {
    columns: items.map((i) => ({ name: i.name, column: i.column })),
    table,
    access,
    lock: statement.lock,
    execute,
  };
}

/** ORDER BY order: NULL first, then SQL comparison. */
function compareForSort(a: SqlValue, b: SqlValue): number {
  if (a === null || b === null) return a === null ? (b === null ? 0 : -1) : 1;
  return compareSqlValues(a, b)!;
}

function limitValue(v: SqlValue): number {
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new NotSupportedError(`LIMIT/OFFSET of ${String(v)}`);
  return n;
}

/** Equal for values DISTINCT treats as equal (binary collation; 1 and 1.0 and 1n alike). */
function rowKey(values: readonly SqlValue[]): string {
  return values
    .map((v) => {
      if (v === null) return 'n';
      if (typeof v === 'number' || typeof v === 'bigint') return `i${String(v)}`;
      if (typeof v === 'string') return `s${v.length}:${v}`;
      if (v instanceof SqlDateTime) return `t${v.toString()}`;
      return `b${Buffer.from(v).toString('hex')}`;
    })
    .join('\u0000');
}
