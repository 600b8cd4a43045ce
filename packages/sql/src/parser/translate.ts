import { NotSupportedError } from '../errors/not-supported-error.js';
import type { ColumnType, IntegerBytes, LobSize } from '../types/column-type.js';
import type { SqlValue } from '../types/sql-value.js';
import type {
  Assignment,
  BinaryOperator,
  ColumnDefault,
  ColumnSpec,
  Expr,
  IndexSpec,
  Limit,
  OrderByItem,
  SelectItem,
  SelectStatement,
  Statement,
  TableName,
} from './ast.js';
import { exprToSql } from './expr-sql.js';
import { numberLiteral } from './recognizer.js';
import { unescapeString } from './scanner.js';

/**
 * node-sql-parser's output is untyped JSON; this module is the only place that reads it.
 * Every shape we do not understand becomes NotSupportedError naming it, never a crash.
 */
type Node = Readonly<Record<string, unknown>>;

function isNode(x: unknown): x is Node {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function asNode(x: unknown, what: string): Node {
  if (!isNode(x)) throw new NotSupportedError(what);
  return x;
}

function list(x: unknown): readonly unknown[] {
  return Array.isArray(x) ? x : [];
}

function text(x: unknown): string | undefined {
  return typeof x === 'string' ? x : undefined;
}

/** A name that node-sql-parser gives as a string or as `{ value }` / `{ expr: { value } }`. */
function nameOf(x: unknown): string | undefined {
  if (typeof x === 'string') return x;
  if (isNode(x)) {
    if (typeof x.value === 'string') return x.value;
    if (isNode(x.expr) && typeof x.expr.value === 'string') return x.expr.value;
  }
  return undefined;
}

export class Translator {
  private params = 0;
  /** The text node-sql-parser parsed, for labels taken from its locations. */
  private readonly sourceText: string | undefined;

  constructor(sourceText?: string) {
    this.sourceText = sourceText;
  }

  get paramCount(): number {
    return this.params;
  }

  nextParam(): number {
    return this.params++;
  }

  statement(ast: unknown): Statement {
    const root: unknown = Array.isArray(ast) ? (ast.length === 1 ? (ast[0] as unknown) : undefined) : ast;
    if (root === undefined) throw new NotSupportedError('multiple statements in one query');
    const n = asNode(root, 'this statement');
    const type = text(n.type);
    switch (type) {
      case 'select':
        return this.select(n);
      case 'insert':
      case 'replace':
        return this.insert(n, type === 'replace');
      case 'update':
        return this.update(n);
      case 'delete':
        return this.delete(n);
      case 'create':
        return this.create(n);
      case 'drop':
        return this.drop(n);
      case 'use': {
        const db = nameOf(n.db);
        if (db === undefined) throw new NotSupportedError('USE');
        return { kind: 'use', database: db };
      }
      default:
        throw new NotSupportedError(`${(type ?? 'this statement').toUpperCase()}${isNode(n) && typeof n.keyword === 'string' ? ` ${n.keyword.toUpperCase()}` : ''}`);
    }
  }

  private tableName(x: unknown): TableName {
    const n = asNode(x, 'this table reference');
    if (n.expr !== undefined) throw new NotSupportedError('subqueries');
    if (n.join !== undefined) throw new NotSupportedError('JOIN');
    const name = nameOf(n.table);
    if (name === undefined) throw new NotSupportedError('this table reference');
    return { database: nameOf(n.db) ?? undefined, name };
  }

  private singleTable(x: unknown, statement: string): { table: TableName; alias: string | undefined } {
    const tables = list(x);
    if (tables.length !== 1) throw new NotSupportedError(tables.length === 0 ? `${statement} without a table` : `${statement} of several tables (JOIN)`);
    const n = asNode(tables[0], 'this table reference');
    return { table: this.tableName(n), alias: nameOf(n.as) };
  }

  select(n: Node): SelectStatement {
    if (n._next !== undefined || n.set_op !== undefined) throw new NotSupportedError('UNION');
    if (list(n.with).length > 0) throw new NotSupportedError('WITH');
    if (isNode(n.into) && n.into.position !== undefined && n.into.position !== null) throw new NotSupportedError('SELECT ... INTO');
    if (list(n.window).length > 0 || isNode(n.window)) throw new NotSupportedError('WINDOW');
    const fromList = list(n.from);
    // FROM DUAL is no table at all.
    const hasFrom = fromList.length > 0 && !(fromList.length === 1 && isNode(fromList[0]) && fromList[0].type === 'dual');
    const from = hasFrom ? this.singleTable(n.from, 'SELECT') : undefined;
    const items: SelectItem[] = list(n.columns).map((c) => this.selectItem(c));
    const where = n.where === null || n.where === undefined ? undefined : this.expr(n.where);
    const groupBy = isNode(n.groupby) ? list(n.groupby.columns).map((g) => this.expr(g)) : [];
    const having = n.having === null || n.having === undefined ? undefined : this.expr(n.having);
    const orderBy = this.orderBy(n.orderby);
    const limit = this.limit(n.limit);
    const locking = text(n.locking_read)?.toUpperCase();
    const lock = locking === undefined ? 'none' : locking.startsWith('FOR UPDATE') ? 'forUpdate' : locking.includes('SHARE') ? 'shared' : undefined;
    if (lock === undefined) throw new NotSupportedError(locking ?? 'locking read');
    return {
      kind: 'select',
      distinct: text(n.distinct)?.toUpperCase() === 'DISTINCT',
      items,
      from: from?.table,
      tableAlias: from?.alias,
      where,
      groupBy,
      having,
      orderBy,
      limit,
      lock,
    };
  }

  private selectItem(x: unknown): SelectItem {
    if (x === '*') return { expr: undefined, star: true, alias: undefined, label: '*' };
    const n = asNode(x, 'this select item');
    const e = asNode(n.expr, 'this select item');
    if (e.type === 'column_ref' && nameOf(e.column) === '*') return { expr: undefined, star: true, alias: undefined, label: '*' };
    const expr = this.expr(e);
    const alias = nameOf(n.as);
    // MySQL labels a column by its name and a string literal by its value; anything else by its text.
    const label = expr.kind === 'column' ? expr.name : expr.kind === 'literal' && typeof expr.value === 'string' ? expr.value : (this.sourceOf(e) ?? exprToSql(expr));
    return { expr, star: false, alias, label: alias ?? label };
  }

  /** The original text of a node, when node-sql-parser reported its location. */
  private sourceOf(n: Node): string | undefined {
    if (this.sourceText === undefined || !isNode(n.loc)) return undefined;
    const start = isNode(n.loc.start) ? n.loc.start.offset : undefined;
    const end = isNode(n.loc.end) ? n.loc.end.offset : undefined;
    if (typeof start !== 'number' || typeof end !== 'number' || end <= start) return undefined;
    return this.sourceText.slice(start, end).trim();
  }

  private orderBy(x: unknown): OrderByItem[] {
    return list(x).map((o) => {
      const n = asNode(o, 'this ORDER BY item');
      return { expr: this.expr(n.expr), descending: text(n.type)?.toUpperCase() === 'DESC' };
    });
  }

  private limit(x: unknown): Limit | undefined {
    if (!isNode(x)) return undefined;
    const values = list(x.value);
    if (values.length === 0) return undefined;
    const sep = text(x.seperator) ?? '';
    if (values.length === 1) return { count: this.expr(values[0]), offset: undefined };
    // node-sql-parser evaluates both in text order, so placeholders keep their order.
    const a = this.expr(values[0]);
    const b = this.expr(values[1]);
    return sep.toLowerCase() === 'offset' ? { count: a, offset: b } : { count: b, offset: a };
  }

  private insert(n: Node, replace: boolean): Statement {
    const { table } = this.singleTable(n.table, replace ? 'REPLACE' : 'INSERT');
    const prefix = text(n.prefix)?.toLowerCase() ?? '';
    const ignore = prefix.includes('ignore');
    let columns: string[] | undefined = n.columns === null || n.columns === undefined ? undefined : list(n.columns).map((c) => nameOf(c) ?? '');
    let rows: Expr[][];
    if (list(n.set).length > 0) {
      const set = this.assignments(n.set);
      columns = set.map((a) => a.column);
      rows = [set.map((a) => a.value)];
    } else {
      const values = asNode(n.values, 'INSERT without VALUES');
      if (values.type !== 'values') throw new NotSupportedError('INSERT ... SELECT');
      rows = list(values.values).map((r) => list(asNode(r, 'this VALUES row').value).map((v) => this.insertValue(v)));
    }
    let onDuplicateKeyUpdate: Assignment[] | undefined;
    if (isNode(n.on_duplicate_update)) {
      if (replace) throw new NotSupportedError('REPLACE ... ON DUPLICATE KEY UPDATE');
      onDuplicateKeyUpdate = this.assignments(n.on_duplicate_update.set);
    }
    return { kind: 'insert', table, columns, rows, replace, ignore, onDuplicateKeyUpdate };
  }

  private insertValue(v: unknown): Expr {
    if (isNode(v) && v.type === 'column_ref' && nameOf(v.column)?.toUpperCase() === 'DEFAULT' && (v.table === undefined || v.table === null)) return { kind: 'default' };
    return this.expr(v);
  }

  private assignments(x: unknown): Assignment[] {
    return list(x).map((s) => {
      const n = asNode(s, 'this assignment');
      const column = nameOf(n.column);
      if (column === undefined) throw new NotSupportedError('this assignment');
      return { column, value: this.insertValue(n.value) };
    });
  }

  private update(n: Node): Statement {
    const { table } = this.singleTable(n.table, 'UPDATE');
    if (list(n.from).length > 0) throw new NotSupportedError('UPDATE ... FROM');
    const assignments = this.assignments(n.set);
    const where = n.where === null || n.where === undefined ? undefined : this.expr(n.where);
    return { kind: 'update', table, assignments, where, orderBy: this.orderBy(n.orderby), limit: this.limit(n.limit) };
  }

  private delete(n: Node): Statement {
    const from = list(n.from);
    const targets = list(n.table);
    if (from.length !== 1 || targets.length > 1) throw new NotSupportedError('DELETE of several tables');
    const { table } = this.singleTable(from, 'DELETE');
    const where = n.where === null || n.where === undefined ? undefined : this.expr(n.where);
    return { kind: 'delete', table, where, orderBy: this.orderBy(n.orderby), limit: this.limit(n.limit) };
  }

  private drop(n: Node): Statement {
    const keyword = text(n.keyword)?.toLowerCase();
    const ifExists = text(n.prefix)?.toLowerCase() === 'if exists';
    if (keyword === 'table') {
      if (n.temporary !== undefined && n.temporary !== null) throw new NotSupportedError('DROP TEMPORARY TABLE');
      return { kind: 'dropTable', tables: list(n.name).map((t) => this.tableName(t)), ifExists };
    }
    if (keyword === 'database' || keyword === 'schema') {
      const name = nameOf(n.name) ?? nameOf(list(n.name)[0]);
      if (name === undefined) throw new NotSupportedError('DROP DATABASE');
      return { kind: 'dropDatabase', name, ifExists };
    }
    throw new NotSupportedError(`DROP ${(keyword ?? '').toUpperCase()}`.trim());
  }

  private create(n: Node): Statement {
    const keyword = text(n.keyword)?.toLowerCase();
    if (keyword === 'database' || keyword === 'schema') {
      const db = isNode(n.database) ? nameOf(list(n.database.schema)[0]) : nameOf(n.database);
      if (db === undefined) throw new NotSupportedError('CREATE DATABASE');
      return { kind: 'createDatabase', name: db, ifNotExists: n.if_not_exists !== null && n.if_not_exists !== undefined };
    }
    if (keyword === 'index') {
      const indexType = text(n.index_type)?.toLowerCase();
      if (indexType !== undefined && indexType !== 'unique') throw new NotSupportedError(`CREATE ${indexType.toUpperCase()} INDEX`);
      const name = nameOf(n.index);
      return {
        kind: 'createIndex',
        table: this.tableName(n.table),
        index: { name, columns: this.keyColumns(n.index_columns), unique: indexType === 'unique' },
      };
    }
    if (keyword === 'table') return this.createTable(n);
    throw new NotSupportedError(`CREATE ${(keyword ?? '').toUpperCase()}`.trim());
  }

  private keyColumns(x: unknown): string[] {
    return list(x).map((c) => {
      const n = asNode(c, 'this key column');
      if (n.suffix !== undefined && n.suffix !== null) throw new NotSupportedError('index prefix lengths');
      const name = nameOf(n.column);
      if (name === undefined) throw new NotSupportedError('this key column');
      return name;
    });
  }

  private createTable(n: Node): Statement {
    if (n.temporary !== null && n.temporary !== undefined) throw new NotSupportedError('CREATE TEMPORARY TABLE');
    if (n.like !== undefined && n.like !== null) throw new NotSupportedError('CREATE TABLE ... LIKE');
    if (n.as !== undefined && n.as !== null) throw new NotSupportedError('CREATE TABLE ... AS SELECT');
    if (n.query_expr !== undefined && n.query_expr !== null) throw new NotSupportedError('CREATE TABLE ... SELECT');
    const table = this.tableName(list(n.table)[0]);
    const columns: ColumnSpec[] = [];
    const indexes: IndexSpec[] = [];
    let primaryKey: string[] | undefined;
    for (const d of list(n.create_definitions)) {
      const def = asNode(d, 'this table element');
      const resource = text(def.resource);
      if (resource === 'column') columns.push(this.columnSpec(def));
      else if (resource === 'constraint' || resource === 'index') {
        const kind = (text(def.constraint_type) ?? text(def.keyword) ?? '').toLowerCase();
        const cols = this.keyColumns(def.definition);
        if (kind === 'primary key') {
          if (primaryKey !== undefined) primaryKey = [...primaryKey, '\u0000duplicate'];
          else primaryKey = cols;
        } else if (kind.startsWith('unique')) indexes.push({ name: nameOf(def.index) ?? nameOf(def.constraint), columns: cols, unique: true });
        else if (kind === 'key' || kind === 'index') indexes.push({ name: nameOf(def.index), columns: cols, unique: false });
        else throw new NotSupportedError(kind === '' ? 'this table element' : kind.toUpperCase());
      } else throw new NotSupportedError(`table element ${resource ?? ''}`.trim());
    }
    let engine: string | undefined;
    let comment: string | undefined;
    for (const o of list(n.table_options)) {
      const opt = asNode(o, 'this table option');
      const key = text(opt.keyword)?.toLowerCase();
      if (key === 'engine') engine = nameOf(opt.value);
      else if (key === 'comment') comment = nameOf(opt.value);
    }
    if (primaryKey?.includes('\u0000duplicate') === true) {
      // Two PRIMARY KEY clauses: let the catalog report 1068 by also marking a column.
      return {
        kind: 'createTable',
        table,
        ifNotExists: n.if_not_exists !== null && n.if_not_exists !== undefined,
        columns: columns.map((c, i) => (i === 0 ? { ...c, primaryKey: true } : c)),
        primaryKey: primaryKey.filter((p) => p !== '\u0000duplicate'),
        indexes,
        engine,
        comment,
      };
    }
    return { kind: 'createTable', table, ifNotExists: n.if_not_exists !== null && n.if_not_exists !== undefined, columns, primaryKey, indexes, engine, comment };
  }

  private columnSpec(def: Node): ColumnSpec {
    const name = nameOf(asNode(def.column, 'this column').column);
    if (name === undefined) throw new NotSupportedError('this column');
    const type = columnType(asNode(def.definition, `the type of column ${name}`));
    const nullableNode = isNode(def.nullable) ? text(def.nullable.type)?.toLowerCase() : undefined;
    let dflt: ColumnDefault = { kind: 'none' };
    if (isNode(def.default_val)) {
      const v = def.default_val.value;
      if (isNode(v) && v.type === 'function') {
        const fn = nameOf(list(asNode(v.name, 'default').name)[0])?.toUpperCase();
        if (fn === 'CURRENT_TIMESTAMP' || fn === 'NOW' || fn === 'LOCALTIME' || fn === 'LOCALTIMESTAMP') dflt = { kind: 'currentTimestamp' };
        else throw new NotSupportedError(`DEFAULT ${fn ?? 'expression'}`);
      } else {
        const e = this.expr(v);
        const value = constantValue(e);
        if (value === undefined) throw new NotSupportedError('DEFAULT expression');
        dflt = value === null ? { kind: 'null' } : { kind: 'value', value };
      }
    }
    if (isNode(def.generated)) throw new NotSupportedError('generated columns');
    const pk = text(def.primary_key)?.toLowerCase();
    const unique = text(def.unique)?.toLowerCase();
    return {
      name,
      type,
      nullable: nullableNode === undefined ? undefined : nullableNode === 'null',
      default: dflt,
      autoIncrement: text(def.auto_increment) !== undefined,
      primaryKey: pk !== undefined,
      unique: unique !== undefined,
      comment: isNode(def.comment) ? nameOf(def.comment.value) : undefined,
    };
  }

  /** Translates an expression node into our Expr. */
  expr(x: unknown): Expr {
    const n = asNode(x, 'this expression');
    const type = text(n.type);
    switch (type) {
      case 'number': {
        const v = n.value;
        if (typeof v === 'number') return { kind: 'literal', value: v };
        if (typeof v === 'string') return numberLiteral(v);
        throw new NotSupportedError('this number');
      }
      case 'bigint': {
        const v = String(n.value);
        return /^-?\d+$/.test(v) ? numberLiteral(v) : { kind: 'literal', value: Number(v) };
      }
      case 'single_quote_string':
      case 'string':
        return { kind: 'literal', value: unescapeString(String(n.value), "'") };
      case 'double_quote_string':
        return { kind: 'literal', value: unescapeString(String(n.value), '"') };
      case 'hex_string':
      case 'full_hex_string': {
        const hex = String(n.value);
        return { kind: 'literal', value: Uint8Array.from(Buffer.from(hex.length % 2 === 1 ? `0${hex}` : hex, 'hex')) };
      }
      case 'bool':
        return { kind: 'literal', value: n.value === true ? 1 : 0 };
      case 'null':
        return { kind: 'literal', value: null };
      case 'origin':
        if (n.value === '?') return { kind: 'param', index: this.nextParam() };
        throw new NotSupportedError(String(n.value));
      case 'param':
        throw new NotSupportedError('named parameters');
      case 'column_ref': {
        const column = nameOf(n.column);
        if (column === undefined) throw new NotSupportedError('this column reference');
        const table = nameOf(n.table) ?? undefined;
        // node-sql-parser reads an exponent literal without a fraction (1e3) as a column name.
        if (table === undefined && /^\d+[eE]\d+$/.test(column)) return { kind: 'literal', value: Number(column) };
        return { kind: 'column', table, name: column };
      }
      case 'var': {
        const prefix = text(n.prefix);
        const name = String(n.name);
        const members = list(n.members).map((m) => String(m));
        if (prefix === '@@') {
          const scoped = members.length > 0 && ['global', 'session', 'local'].includes(name.toLowerCase());
          const scope = scoped ? (name.toLowerCase() === 'global' ? 'global' : 'session') : undefined;
          const varName = (scoped ? members.join('.') : [name, ...members].join('.')).toLowerCase();
          return { kind: 'sysvar', scope, name: varName };
        }
        if (prefix === '@') return { kind: 'uservar', name: [name, ...members].join('.') };
        throw new NotSupportedError('this variable');
      }
      case 'unary_expr': {
        const op = text(n.operator)?.toUpperCase();
        if (op === 'NOT') return this.rebuildOperators(n);
        const operand = this.expr(n.expr);
        if (op === '-') return operand.kind === 'literal' && (typeof operand.value === 'number' || typeof operand.value === 'bigint') ? negateLiteral(operand.value) : { kind: 'unary', op: '-', operand };
        if (op === '+') return operand;
        if (op === 'NOT' || op === '!') return { kind: 'unary', op: 'NOT', operand };
        if (op === '~') return { kind: 'unary', op: '~', operand };
        throw new NotSupportedError(`operator ${op ?? '?'}`);
      }
      case 'binary_expr':
        return REBUILT_OPERATORS.has(text(n.operator)?.toUpperCase() ?? '') ? this.rebuildOperators(n) : this.binary(n);
      case 'function':
        return this.call(n);
      case 'aggr_func': {
        const name = text(n.name)?.toUpperCase();
        if (name !== 'COUNT' && name !== 'SUM' && name !== 'MIN' && name !== 'MAX' && name !== 'AVG') throw new NotSupportedError(`aggregate ${name ?? '?'}`);
        const args = asNode(n.args, 'aggregate arguments');
        const argNode = asNode(args.expr, 'aggregate argument');
        const star = argNode.type === 'star' || (argNode.type === 'column_ref' && nameOf(argNode.column) === '*');
        if (star && name !== 'COUNT') throw new NotSupportedError(`${name}(*)`);
        return { kind: 'aggregate', fn: name, arg: star ? undefined : this.expr(argNode), distinct: text(args.distinct)?.toUpperCase() === 'DISTINCT' };
      }
      case 'expr_list': {
        const values = list(n.value);
        if (values.length === 1) return this.expr(values[0]);
        throw new NotSupportedError('row constructors');
      }
      case 'cast':
        throw new NotSupportedError('CAST');
      case 'case':
        throw new NotSupportedError('CASE');
      case 'interval':
        throw new NotSupportedError('INTERVAL');
      default:
        if (isNode(n.ast)) throw new NotSupportedError('subqueries');
        throw new NotSupportedError(`expression ${type ?? '?'}`);
    }
  }

  /**
   * node-sql-parser (5.4, MariaDB grammar) gets MySQL's precedence of AND/OR/XOR wrong: it
   * reads `a OR b AND c` as `(a OR b) AND c`, and XOR as tight as arithmetic. We undo its
   * grouping: the operator tree (outside parentheses) is read back in text order as a
   * sequence of operands, binary operators and prefix NOTs, then regrouped with MySQL's
   * precedence (high to low: * / DIV % MOD, + -, comparisons, NOT, AND, XOR, OR; all left
   * associative).
   */
  private rebuildOperators(root: Node): Expr {
    const items: SequenceItem[] = [];
    this.flatten(root, items, true);
    let pos = 0;
    const parse = (minLevel: number): Expr => {
      let left: Expr;
      const first = items[pos++];
      if (first === undefined) throw new NotSupportedError('this expression');
      if (first.kind === 'not') left = { kind: 'unary', op: 'NOT', operand: parse(NOT_LEVEL + 1) };
      else if (first.kind === 'operand') left = first.expr;
      else throw new NotSupportedError('this expression');
      for (;;) {
        const next = items[pos];
        if (next?.kind !== 'operator') return left;
        const level = OPERATOR_LEVEL[next.op]!;
        if (level < minLevel) return left;
        pos++;
        const right = parse(level + 1);
        left = { kind: 'binary', op: BINARY_OPERATORS[next.op]!, left, right };
      }
    };
    const result = parse(0);
    if (pos !== items.length) throw new NotSupportedError('this expression');
    return result;
  }

  private flatten(n: unknown, out: SequenceItem[], isRoot: boolean): void {
    if (isNode(n) && (isRoot || n.parentheses !== true)) {
      const op = text(n.operator)?.toUpperCase() ?? '';
      if (n.type === 'binary_expr' && REBUILT_OPERATORS.has(op)) {
        this.flatten(n.left, out, false);
        out.push({ kind: 'operator', op });
        this.flatten(n.right, out, false);
        return;
      }
      if (n.type === 'unary_expr' && op === 'NOT') {
        out.push({ kind: 'not' });
        this.flatten(n.expr, out, false);
        return;
      }
    }
    out.push({ kind: 'operand', expr: isNode(n) && n.type === 'binary_expr' && isRoot ? this.binary(n) : this.expr(n) });
  }

  private binary(n: Node): Expr {
    const op = text(n.operator)?.toUpperCase() ?? '';
    const left = this.expr(n.left);
    switch (op) {
      case 'IN':
      case 'NOT IN': {
        const right = asNode(n.right, 'IN list');
        if (right.type !== 'expr_list') throw new NotSupportedError('IN (subquery)');
        return { kind: 'in', operand: left, list: list(right.value).map((v) => this.expr(v)), negated: op === 'NOT IN' };
      }
      case 'BETWEEN':
      case 'NOT BETWEEN': {
        const bounds = list(asNode(n.right, 'BETWEEN bounds').value);
        if (bounds.length !== 2) throw new NotSupportedError('this BETWEEN');
        return { kind: 'between', operand: left, low: this.expr(bounds[0]), high: this.expr(bounds[1]), negated: op === 'NOT BETWEEN' };
      }
      case 'LIKE':
      case 'NOT LIKE': {
        const right = asNode(n.right, 'LIKE pattern');
        const escapeNode = isNode(right.escape) ? right.escape.value : undefined;
        const pattern = this.expr(right);
        return { kind: 'like', operand: left, pattern, escape: escapeNode === undefined ? undefined : this.expr(escapeNode), negated: op === 'NOT LIKE' };
      }
      case 'IS':
      case 'IS NOT': {
        const right = asNode(n.right, 'IS operand');
        if (right.type === 'null') return { kind: 'isNull', operand: left, negated: op === 'IS NOT' };
        throw new NotSupportedError(`${op} TRUE/FALSE/UNKNOWN`);
      }
    }
    const right = this.expr(n.right);
    const mapped: BinaryOperator | undefined = BINARY_OPERATORS[op];
    if (mapped === undefined) throw new NotSupportedError(`operator ${op}`);
    return { kind: 'binary', op: mapped, left, right };
  }

  private call(n: Node): Expr {
    const nameParts = list(asNode(n.name, 'function name').name);
    if (nameParts.length !== 1) throw new NotSupportedError('qualified function names');
    const name = (nameOf(nameParts[0]) ?? '').toUpperCase();
    const args = isNode(n.args) ? list(n.args.value) : [];
    if (name === 'VALUES' || name === 'VALUE') {
      const col = args[0];
      if (args.length !== 1 || !isNode(col) || col.type !== 'column_ref') throw new NotSupportedError('VALUES() of an expression');
      return { kind: 'insertedValue', column: nameOf(col.column) ?? '' };
    }
    if (name === 'NOT' && args.length === 1) return { kind: 'unary', op: 'NOT', operand: this.expr(args[0]) };
    const translated = args.map((a) => this.expr(a));
    const canonical = FUNCTION_ALIASES[name] ?? name;
    return { kind: 'call', name: canonical, args: translated };
  }
}

const BINARY_OPERATORS: Readonly<Partial<Record<string, BinaryOperator>>> = {
  '+': '+',
  '-': '-',
  '*': '*',
  '/': '/',
  DIV: 'DIV',
  '%': '%',
  MOD: '%',
  '=': '=',
  '<=>': '<=>',
  '<>': '<>',
  '!=': '<>',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
  AND: 'AND',
  '&&': 'AND',
  OR: 'OR',
  '||': 'OR',
  XOR: 'XOR',
};

type SequenceItem = { readonly kind: 'operand'; readonly expr: Expr } | { readonly kind: 'operator'; readonly op: string } | { readonly kind: 'not' };

const NOT_LEVEL = 4;
const OPERATOR_LEVEL: Readonly<Partial<Record<string, number>>> = {
  '*': 7,
  '/': 7,
  DIV: 7,
  '%': 7,
  MOD: 7,
  '+': 6,
  '-': 6,
  '=': 5,
  '<=>': 5,
  '<>': 5,
  '!=': 5,
  '<': 5,
  '<=': 5,
  '>': 5,
  '>=': 5,
  AND: 3,
  '&&': 3,
  XOR: 2,
  OR: 1,
  '||': 1,
};
const REBUILT_OPERATORS = new Set(Object.keys(OPERATOR_LEVEL));

const FUNCTION_ALIASES: Readonly<Partial<Record<string, string>>> = {
  SCHEMA: 'DATABASE',
  CURRENT_TIMESTAMP: 'NOW',
  LOCALTIME: 'NOW',
  LOCALTIMESTAMP: 'NOW',
  UCASE: 'UPPER',
  LCASE: 'LOWER',
  OCTET_LENGTH: 'LENGTH',
  CHARACTER_LENGTH: 'CHAR_LENGTH',
  SESSION_USER: 'USER',
  SYSTEM_USER: 'USER',
};

function negateLiteral(v: number | bigint): Expr {
  if (typeof v === 'bigint') {
    const n = -v;
    return { kind: 'literal', value: n >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(n) : n };
  }
  return { kind: 'literal', value: -v };
}

/** The value of a constant expression (literal or negated literal), for DEFAULT clauses. */
function constantValue(e: Expr): SqlValue | undefined {
  if (e.kind === 'literal') return e.value;
  return undefined;
}

const TYPE_NAMES: Readonly<Record<string, (def: Node) => ColumnType>> = {};

function intType(bytes: IntegerBytes) {
  return (def: Node): ColumnType => {
    const suffix = list(def.suffix).map((s) => String(nameOf(s) ?? s).toUpperCase());
    if (suffix.includes('ZEROFILL')) throw new NotSupportedError('ZEROFILL');
    const width = typeof def.length === 'number' ? def.length : undefined;
    const unsigned = suffix.includes('UNSIGNED');
    return width === undefined ? { kind: 'int', bytes, unsigned } : { kind: 'int', bytes, unsigned, displayWidth: width };
  };
}
function lob(kind: 'text' | 'blob', size: LobSize) {
  return (): ColumnType => ({ kind, size });
}
Object.assign(TYPE_NAMES, {
  TINYINT: intType(1),
  SMALLINT: intType(2),
  MEDIUMINT: intType(3),
  INT: intType(4),
  INTEGER: intType(4),
  BIGINT: intType(8),
  CHAR: (d: Node): ColumnType => ({ kind: 'char', length: typeof d.length === 'number' ? d.length : 1 }),
  BINARY: (d: Node): ColumnType => ({ kind: 'binary', length: typeof d.length === 'number' ? d.length : 1 }),
  VARCHAR: (d: Node): ColumnType => ({ kind: 'varchar', length: requiredLength(d, 'VARCHAR') }),
  VARBINARY: (d: Node): ColumnType => ({ kind: 'varbinary', length: requiredLength(d, 'VARBINARY') }),
  TINYTEXT: lob('text', 'tiny'),
  TEXT: lob('text', 'normal'),
  MEDIUMTEXT: lob('text', 'medium'),
  LONGTEXT: lob('text', 'long'),
  TINYBLOB: lob('blob', 'tiny'),
  BLOB: lob('blob', 'normal'),
  MEDIUMBLOB: lob('blob', 'medium'),
  LONGBLOB: lob('blob', 'long'),
  DOUBLE: (): ColumnType => ({ kind: 'double', declaredAs: 'DOUBLE' }),
  FLOAT: (): ColumnType => ({ kind: 'double', declaredAs: 'FLOAT' }),
  DATETIME: (d: Node): ColumnType => {
    const fsp = typeof d.length === 'number' ? d.length : 0;
    if (fsp > 6) throw new NotSupportedError(`DATETIME(${fsp})`);
    return { kind: 'datetime', fsp };
  },
});

function requiredLength(d: Node, name: string): number {
  if (typeof d.length !== 'number') throw new NotSupportedError(`${name} without a length`);
  return d.length;
}

function columnType(def: Node): ColumnType {
  const name = (text(def.dataType) ?? '').toUpperCase();
  const make = TYPE_NAMES[name];
  if (make === undefined) throw new NotSupportedError(`column type ${name}`);
  return make(def);
}
