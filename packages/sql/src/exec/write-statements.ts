import type { Catalog } from '../catalog/catalog.js';
import { buildInsertRow, type InsertRowResult, type InsertValue, resolveInsertColumns, USE_DEFAULT } from '../catalog/insert-row.js';
import type { TableSchema } from '../catalog/table-schema.js';
import { NoDefaultValueError } from '../errors/no-default-value-error.js';
import { NotSupportedError } from '../errors/not-supported-error.js';
import { type ColumnResolver, compileCondition, compileExpr, type CompiledExpr, type EvalContext } from '../expr/compile.js';
import { tableColumnResolver } from '../expr/table-resolver.js';
import type { Assignment, Expr, Statement } from '../parser/ast.js';
import { type AccessPlan, planAccess, type ResolvedAccess } from '../plan/access-path.js';
import { coerceToColumn } from '../types/coerce.js';
import type { SqlValue } from '../types/sql-value.js';

type RowPredicate = (row: readonly SqlValue[], ctx: EvalContext) => boolean;

/** What UPDATE and DELETE share: the table, its access path, and the filter to apply to what the path reads. */
export interface CompiledRowSelection {
  readonly table: TableSchema;
  readonly access: AccessPlan;
  /** The filter for rows read through `resolved` (the residual when exact, else the whole WHERE). */
  filterFor(resolved: ResolvedAccess): RowPredicate;
}

export interface CompiledUpdate extends CompiledRowSelection {
  /** Positions of the assigned columns. */
  readonly assignedColumns: readonly number[];
  /** True when an assigned column is part of the primary key (the row moves to a new key). */
  readonly changesPrimaryKey: boolean;
  /** Indexes into `table.def.secondaryIndexes` whose keys may change. */
  readonly changedIndexes: readonly number[];
  /**
   * The new row for `oldRow`: assignments run left to right, each seeing the ones before
   * (MySQL's single-table rule), values coerced to the columns (strict mode errors).
   */
  apply(oldRow: readonly SqlValue[], ctx: EvalContext, rowNumber: number): SqlValue[];
}

function columnOfFor(table: TableSchema, alias: string | undefined) {
  return (e: Expr): number | undefined => {
    if (e.kind !== 'column' || (e.table !== undefined && e.table !== table.name && e.table !== alias)) return undefined;
    const i = table.findColumn(e.name);
    return i < 0 ? undefined : i;
  };
}

function compileSelection(table: TableSchema, where: Expr | undefined): CompiledRowSelection {
  const access = planAccess(table, where, columnOfFor(table, undefined));
  const resolver = tableColumnResolver(table, undefined, 'where clause');
  const residual = access.residual === undefined ? undefined : compileCondition(access.residual, resolver);
  const full = where === undefined ? undefined : compileCondition(where, resolver);
  const always: RowPredicate = () => true;
  return {
    table,
    access,
    filterFor: (resolved) => (resolved.exact ? residual : full) ?? always,
  };
}

/** Compiled assignments (UPDATE SET, ON DUPLICATE KEY UPDATE) over a table row. */
function compileAssignments(table: TableSchema, assignments: readonly Assignment[], withInserted: boolean): { positions: number[]; apply: (row: readonly SqlValue[], ctx: EvalContext, rowNumber: number) => SqlValue[] } {
  const base = tableColumnResolver(table, undefined, 'field list');
  const resolver: ColumnResolver = withInserted ? base : { column: (t, name) => base.column(t, name) };
  const steps = assignments.map((a) => {
    const position = table.columnPosition(a.column, 'field list');
    const column = table.columns[position]!;
    let value: CompiledExpr;
    if (a.value.kind === 'default') {
      const d = column.default;
      if (d.kind === 'value') {
        const v = d.value;
        value = () => v;
      } else if (d.kind === 'currentTimestamp') value = (_row, ctx) => ctx.now;
      else if (column.nullable) value = () => null;
      else throw new NoDefaultValueError(column.name);
    } else value = compileExpr(a.value, resolver);
    return { position, column, value };
  });
  return {
    positions: steps.map((s) => s.position),
    apply(row, ctx, rowNumber) {
      const next = row.slice();
      for (const s of steps) next[s.position] = coerceToColumn(s.value(next, ctx), s.column, rowNumber);
      return next;
    },
  };
}

export function compileUpdate(statement: Extract<Statement, { kind: 'update' }>, catalog: Catalog, currentDatabase: string | undefined): CompiledUpdate {
  if (statement.orderBy.length > 0 || statement.limit !== undefined) throw new NotSupportedError('UPDATE ... ORDER BY / LIMIT');
  const table = catalog.getTable(catalog.resolveDatabase(statement.table, currentDatabase), statement.table.name);
  const selection = compileSelection(table, statement.where);
  const { positions, apply } = compileAssignments(table, statement.assignments, false);
  const assigned = new Set(positions);
  return {
    ...selection,
    assignedColumns: [...assigned],
    changesPrimaryKey: table.def.primaryKey.columns.some((p) => assigned.has(p)),
    changedIndexes: table.def.secondaryIndexes.flatMap((ix, i) => (ix.columns.some((p) => assigned.has(p)) || table.def.primaryKey.columns.some((p) => assigned.has(p)) ? [i] : [])),
    apply,
  };
}

export type CompiledDelete = CompiledRowSelection;

export function compileDelete(statement: Extract<Statement, { kind: 'delete' }>, catalog: Catalog, currentDatabase: string | undefined): CompiledDelete {
  if (statement.orderBy.length > 0 || statement.limit !== undefined) throw new NotSupportedError('DELETE ... ORDER BY / LIMIT');
  const table = catalog.getTable(catalog.resolveDatabase(statement.table, currentDatabase), statement.table.name);
  return compileSelection(table, statement.where);
}

export interface CompiledInsert {
  readonly table: TableSchema;
  readonly replace: boolean;
  readonly ignore: boolean;
  /** Builds the rows (values evaluated, defaults and AUTO_INCREMENT filled, coerced). Row numbers in errors start at 1. */
  rows(ctx: EvalContext): InsertRowResult[];
  /** ON DUPLICATE KEY UPDATE: the updated existing row (VALUES(col) reads `ctx.insertedRow`), or undefined when the statement has none. */
  readonly onDuplicate: ((existing: readonly SqlValue[], ctx: EvalContext, rowNumber: number) => SqlValue[]) | undefined;
}

export function compileInsert(statement: Extract<Statement, { kind: 'insert' }>, catalog: Catalog, currentDatabase: string | undefined): CompiledInsert {
  const table = catalog.getTable(catalog.resolveDatabase(statement.table, currentDatabase), statement.table.name);
  const positions = resolveInsertColumns(table, statement.columns);
  // MySQL lets a value name a column (the value already set in this row); we take constants, parameters and functions.
  const valueResolver = {
    column(_t: string | undefined, name: string): number {
      table.columnPosition(name, 'field list'); // 1054 for an unknown name first
      throw new NotSupportedError('column references in INSERT values');
    },
  };
  const rowFns = statement.rows.map((r) => r.map((e): CompiledExpr | typeof USE_DEFAULT => (e.kind === 'default' ? USE_DEFAULT : compileExpr(e, valueResolver))));
  const empty: SqlValue[] = [];
  const onDuplicate = statement.onDuplicateKeyUpdate === undefined ? undefined : compileAssignments(table, statement.onDuplicateKeyUpdate, true).apply;
  return {
    table,
    replace: statement.replace,
    ignore: statement.ignore,
    rows(ctx) {
      return rowFns.map((fns, i) => {
        const values: InsertValue[] = fns.map((f) => (f === USE_DEFAULT ? USE_DEFAULT : f(empty, ctx)));
        return buildInsertRow(table, positions, values, i + 1, () => ctx.now);
      });
    },
    onDuplicate,
  };
}
