import type { EventInput } from '@lockstep/binlog';
import type { IsolationLevel, Transaction } from '@lockstep/txn';
import { showCreateTable } from '../catalog/show-create.js';
import { columnTypeSql } from '../types/column-type.js';
import { NoDatabaseSelectedError } from '../errors/no-database-selected-error.js';
import { NotSupportedError } from '../errors/not-supported-error.js';
import { UnknownDatabaseError } from '../errors/unknown-database-error.js';
import { UnknownColumnError } from '../errors/unknown-column-error.js';
import { collectAggregates, compileExpr, toText, type EvalContext, type SessionValues } from '../expr/compile.js';
import type { Expr, SelectStatement, SetAssignment, Statement } from '../parser/ast.js';
import { SqlDateTime } from '../types/datetime.js';
import type { CompiledSelect } from '../exec/select-query.js';
import type { SqlValue } from '../types/sql-value.js';
import type { AdminStatement, PreparedStatementInfo, ResultSetColumn, SessionInfo, SessionOpenInfo, SqlSession, StatementResult } from './contract.js';
import { isDdl, type SqlEngine } from './engine.js';
import { ReadOnlyError } from './errors/read-only-error.js';
import { TooManyPreparedStatementsError } from './errors/too-many-prepared-statements-error.js';
import { UnknownPreparedStatementError } from './errors/unknown-prepared-statement-error.js';
import { UnknownSystemVariableError } from './errors/unknown-system-variable-error.js';
import { WrongArgumentsError } from './errors/wrong-arguments-error.js';
import { normalizeValue, selectColumns } from './result-columns.js';
import { StatementChanges } from './row-events.js';
import { readRows, RowWriter, sameRow, type ReadLock } from './table-ops.js';
import { LOCKSTEP_VERSION, MAX_USER_VARIABLES, SESSION_VARIABLE_DEFAULTS, showLikeMatcher, VARIABLE_ALIASES } from './variables.js';

/** Bound on the prepared statements one session holds (MySQL's max_prepared_stmt_count is global; this is per session). */
export const MAX_PREPARED_STATEMENTS = 4096;
/** Bound on the warnings kept for SHOW WARNINGS (MySQL's max_error_count default). */
export const MAX_WARNINGS = 64;

interface Warning {
  readonly level: 'Note' | 'Warning' | 'Error';
  readonly code: number;
  readonly message: string;
}

interface Prepared {
  readonly sql: string;
  readonly statement: Statement;
  readonly paramCount: number;
}

/** Result metadata per compiled SELECT (computed once). */
const columnsCache = new WeakMap<CompiledSelect, ResultSetColumn[]>();

function columnsOf(s: SelectStatement, compiled: CompiledSelect): ResultSetColumn[] {
  let columns = columnsCache.get(compiled);
  if (columns === undefined) {
    columns = selectColumns(s, compiled.columns, compiled.table);
    columnsCache.set(compiled, columns);
  }
  return columns;
}

/**
 * How many rows a SELECT needs from its ranges when it can stop early: no filter left
 * beyond the ranges, no ORDER BY / DISTINCT / aggregates / GROUP BY, and a LIMIT of
 * constants or parameters (offset + count). Infinity otherwise.
 */
function readLimit(s: SelectStatement, rangesAreTheFilter: boolean, params: readonly SqlValue[]): number {
  if (s.limit === undefined || !rangesAreTheFilter || s.orderBy.length > 0 || s.distinct || s.groupBy.length > 0 || s.having !== undefined) return Infinity;
  if (s.items.some((i) => i.expr !== undefined && collectAggregates(i.expr).length > 0)) return Infinity;
  const value = (e: Expr | undefined): number | undefined => {
    if (e === undefined) return 0;
    const v = e.kind === 'literal' ? e.value : e.kind === 'param' ? params[e.index] : undefined;
    const n = typeof v === 'bigint' ? Number(v) : v;
    return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
  };
  const count = value(s.limit.count);
  const offset = value(s.limit.offset);
  return count === undefined || offset === undefined ? Infinity : count + offset;
}

const ADMIN_KINDS = new Set(['purgeBinaryLogs', 'changeMaster', 'startReplica', 'stopReplica', 'resetReplica', 'resetMaster', 'kill', 'flush']);
const ADMIN_SHOWS = new Set(['processlist', 'masterStatus', 'binaryLogs', 'slaveStatus']);
/** Server variables SHOW VARIABLES lists from the hooks when the server knows them. */
const SERVER_VARIABLES = ['server_id', 'log_bin', 'binlog_format', 'gtid_binlog_pos', 'gtid_current_pos', 'gtid_slave_pos', 'gtid_domain_id', 'gtid_strict_mode', 'read_only', 'hostname', 'port', 'datadir', 'sync_binlog', 'max_connections'];

const TEXT = { kind: 'varchar', length: 255 } as const;
const BIGINT = { kind: 'int', bytes: 8, unsigned: false } as const;

function textColumns(...names: string[]): ResultSetColumn[] {
  return names.map((name) => ({ name, table: '', orgName: name, database: '', type: TEXT, nullable: true }));
}

function ok(affectedRows = 0n, lastInsertId = 0n, warnings = 0, info?: string): StatementResult {
  return info === undefined ? { kind: 'ok', affectedRows, lastInsertId, warnings } : { kind: 'ok', affectedRows, lastInsertId, warnings, info };
}

function truthy(v: SqlValue): boolean {
  if (typeof v === 'string') return ['1', 'on', 'true', 'yes'].includes(v.toLowerCase());
  return v === 1 || v === 1n;
}

/**
 * One connection's state: current database, autocommit, system and user variables, the
 * open transaction and its pending binlog events, prepared statements, warnings.
 *
 * How a statement runs: parse (cached) → compile (cached per catalog version) → in the
 * session's transaction (begun on demand) inside `statement()` so a failure undoes only
 * the statement: plan → locking reads (UPDATE/DELETE/FOR UPDATE/SHARE) or snapshot reads →
 * writes with index maintenance and duplicate checks → the statement's row changes become
 * binlog events appended to the transaction's. COMMIT (or the end of an autocommit
 * statement) hands the events to the committer; a transaction without writes commits
 * without it.
 */
export class Session implements SqlSession {
  readonly engine: SqlEngine;
  #info: SessionInfo;
  #txn: Transaction | undefined;
  /** BEGIN was given (the transaction stays open across statements). */
  #explicit = false;
  #events: EventInput[] = [];
  readonly #vars = new Map<string, SqlValue>();
  readonly #userVars = new Map<string, SqlValue>();
  #lastInsertId = 0n;
  #warnings: Warning[] = [];
  readonly #prepared = new Map<number, Prepared>();
  #nextStatementId = 1;
  #running = false;
  #connectionKilled = false;
  #closed = false;
  readonly #values: SessionValues;

  constructor(engine: SqlEngine, info: SessionOpenInfo) {
    this.engine = engine;
    if (info.database !== undefined && !engine.catalog.hasDatabase(info.database)) throw new UnknownDatabaseError(info.database);
    this.#info = { connectionId: info.connectionId, user: info.user, host: info.host, database: info.database };
    this.#values = {
      currentDatabase: () => this.#info.database ?? null,
      connectionId: () => this.#info.connectionId,
      lastInsertId: () => this.#lastInsertId,
      version: () => this.versionString(),
      user: () => `${this.#info.user}@${this.#info.host}`,
      systemVariable: (name, scope) => this.systemVariable(name, scope),
      userVariable: (name) => this.#userVars.get(name.toLowerCase()) ?? null,
    };
  }

  get info(): SessionInfo {
    return this.#info;
  }

  get database(): string | undefined {
    return this.#info.database;
  }

  get autocommit(): boolean {
    return truthy(this.#vars.get('autocommit') ?? 1);
  }

  get inTransaction(): boolean {
    return this.#txn !== undefined;
  }

  get lastInsertId(): bigint {
    return this.#lastInsertId;
  }

  get warningCount(): number {
    return this.#warnings.length;
  }

  private versionString(): string {
    const v = this.engine.globalVariable('version');
    return typeof v === 'string' ? v : LOCKSTEP_VERSION;
  }

  systemVariable(name: string, scope: 'global' | 'session' | undefined): SqlValue {
    const lower = name.toLowerCase();
    if (scope !== 'global') {
      if (lower === 'warning_count') return this.#warnings.filter((w) => w.level !== 'Error').length;
      if (lower === 'error_count') return this.#warnings.filter((w) => w.level === 'Error').length;
      if (lower === 'last_insert_id') return this.#lastInsertId;
      if (lower === 'pseudo_thread_id') return this.#info.connectionId;
      const own = this.#vars.get(lower);
      if (own !== undefined) return own;
    }
    const global = this.engine.globalVariable(lower);
    if (global !== undefined) return global;
    if (lower === 'version') return this.versionString();
    const d = SESSION_VARIABLE_DEFAULTS.get(lower);
    if (d !== undefined) return d;
    throw new UnknownSystemVariableError(name);
  }

  private evalContext(params: readonly SqlValue[]): EvalContext {
    return { params, now: SqlDateTime.fromEpochMs(Date.now()), session: this.#values };
  }

  async execute(sql: string): Promise<StatementResult> {
    const parsed = this.engine.parser.parse(sql);
    if (parsed.paramCount > 0) throw new WrongArgumentsError('a text query with ? placeholders');
    return this.run(parsed.statement, [], sql);
  }

  prepare(sql: string): PreparedStatementInfo {
    const parsed = this.engine.parser.parse(sql);
    if (this.#prepared.size >= MAX_PREPARED_STATEMENTS) throw new TooManyPreparedStatementsError(MAX_PREPARED_STATEMENTS);
    let columns: ResultSetColumn[] = [];
    const s = parsed.statement;
    if (s.kind === 'select') {
      columns = columnsOf(s, this.engine.compiledSelect(s, this.database));
    } else if (s.kind === 'insert') this.engine.compiledInsert(s, this.database);
    else if (s.kind === 'update') this.engine.compiledUpdate(s, this.database);
    else if (s.kind === 'delete') this.engine.compiledDelete(s, this.database);
    const statementId = this.#nextStatementId++;
    this.#prepared.set(statementId, { sql, statement: s, paramCount: parsed.paramCount });
    return { statementId, paramCount: parsed.paramCount, columns };
  }

  async executePrepared(statementId: number, params: readonly SqlValue[]): Promise<StatementResult> {
    const p = this.#prepared.get(statementId);
    if (p === undefined) throw new UnknownPreparedStatementError(statementId, 'mysqld_stmt_execute');
    if (params.length !== p.paramCount) throw new WrongArgumentsError('mysqld_stmt_execute');
    return this.run(p.statement, params, p.sql);
  }

  closePrepared(statementId: number): void {
    this.#prepared.delete(statementId);
  }

  kill(queryOnly: boolean): void {
    if (!queryOnly) this.#connectionKilled = true;
    if (this.#txn !== undefined && (this.#running || !queryOnly)) this.#txn.kill(queryOnly ? 'query killed' : 'connection killed');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.rollbackOpen();
    this.#prepared.clear();
    this.engine.sessionClosed(this);
  }

  /** Runs a parsed statement with its parameters (`sql` is the text DDL logs). */
  async run(s: Statement, params: readonly SqlValue[], sql: string): Promise<StatementResult> {
    if (this.#closed || this.#connectionKilled) throw new NotSupportedError('a statement on a closed or killed session');
    this.engine.counters.questions++;
    if (!(s.kind === 'show' && (s.what === 'warnings' || s.what === 'errors'))) this.#warnings = [];
    this.#running = true;
    try {
      return await this.dispatch(s, params, sql);
    } catch (error) {
      const e = error as { errno?: number; message?: string };
      if (typeof e.errno === 'number') this.#warnings = [{ level: 'Error', code: e.errno, message: e.message ?? '' }];
      throw error;
    } finally {
      this.#running = false;
    }
  }

  private async dispatch(s: Statement, params: readonly SqlValue[], sql: string): Promise<StatementResult> {
    if (ADMIN_KINDS.has(s.kind) || (s.kind === 'show' && ADMIN_SHOWS.has(s.what))) return this.engine.options.hooks.adminStatement(s as AdminStatement, this.#info);
    if (isDdl(s)) {
      this.checkWritable();
      await this.commitOpen();
      const outcome = await this.engine.runDdl(s, sql, this.database, this.#info.connectionId, async (t, events) => {
        await this.engine.options.committer.commit({ transaction: t, events, ddl: true, waited: t.waitedForLock });
      });
      for (const n of outcome.notes) if (this.#warnings.length < MAX_WARNINGS) this.#warnings.push({ level: 'Note', code: n.code, message: n.message });
      return outcome.result;
    }
    switch (s.kind) {
      case 'select':
        if (s.from === undefined) return this.selectWithoutTable(s, params);
        this.engine.counters.select++;
        if (s.lock === 'none' && this.#txn === undefined && this.autocommit) return this.autocommitRead(s, params);
        return this.inTransaction_((t) => this.select(t, s, params));
      case 'insert':
        this.checkWritable();
        this.engine.counters.insert++;
        return this.inTransaction_((t, changes) => this.insert(t, changes, s, params));
      case 'update':
        this.checkWritable();
        this.engine.counters.update++;
        return this.inTransaction_((t, changes) => this.update(t, changes, s, params));
      case 'delete':
        this.checkWritable();
        this.engine.counters.delete++;
        return this.inTransaction_((t, changes) => this.delete(t, changes, s, params));
      case 'begin':
        await this.commitOpen();
        this.#txn = this.beginTxn(s.consistentSnapshot);
        this.#explicit = true;
        return ok();
      case 'commit':
        await this.commitOpen();
        return ok();
      case 'rollback':
        await this.rollbackOpen();
        return ok();
      case 'set':
        return this.set(s.assignments, params);
      case 'setNames':
        for (const v of ['character_set_client', 'character_set_connection', 'character_set_results']) this.#vars.set(v, s.charset);
        if (s.collation !== undefined) this.#vars.set('collation_connection', s.collation);
        return ok();
      case 'use':
        if (!this.engine.catalog.hasDatabase(s.database)) throw new UnknownDatabaseError(s.database);
        this.#info = { ...this.#info, database: s.database };
        return ok();
      case 'show':
        return this.show(s);
      case 'showCreateTable': {
        const table = this.engine.catalog.getTable(this.engine.catalog.resolveDatabase(s.table, this.database), s.table.name);
        return { kind: 'rows', columns: textColumns('Table', 'Create Table'), rows: [[table.name, showCreateTable(table)]] };
      }
      case 'showCreateDatabase':
        if (!this.engine.catalog.hasDatabase(s.name)) throw new UnknownDatabaseError(s.name);
        return { kind: 'rows', columns: textColumns('Database', 'Create Database'), rows: [[s.name, `CREATE DATABASE \`${s.name}\` /*!40100 DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin */`]] };
      case 'doNothing':
        return ok();
      default:
        throw new NotSupportedError(s.kind);
    }
  }

  private checkWritable(): void {
    if (this.engine.options.readOnly?.() === true) throw new ReadOnlyError();
  }

  private beginTxn(consistentSnapshot = false): Transaction {
    const iso = String(this.systemVariable('transaction_isolation', 'session')).toUpperCase().replace(' ', '-');
    const isolation: IsolationLevel = iso === 'READ-COMMITTED' || iso === 'READ-UNCOMMITTED' ? 'read-committed' : 'repeatable-read';
    const timeout = this.#vars.get('innodb_lock_wait_timeout') ?? this.#vars.get('rocksdb_lock_wait_timeout');
    const lockWaitTimeoutMs = typeof timeout === 'number' ? timeout * 1000 : this.engine.options.lockWaitTimeoutMs;
    return this.engine.db.begin({ lockingMode: this.engine.lockingMode, isolation, consistentSnapshot, ...(lockWaitTimeoutMs === undefined ? {} : { lockWaitTimeoutMs }) });
  }

  /** Runs a DML statement in the session's transaction (begun on demand), undoing only it on failure; autocommit ends the transaction. */
  private async inTransaction_(body: (t: Transaction, changes: StatementChanges) => Promise<StatementResult>): Promise<StatementResult> {
    const t = this.#txn ?? (this.#txn = this.beginTxn());
    const changes = new StatementChanges();
    const single = !this.#explicit && this.autocommit;
    let result: StatementResult;
    try {
      result = await t.statement(() => body(t, changes));
    } catch (error) {
      if (single || t.mustRollBack !== undefined) await this.rollbackOpen();
      throw error;
    }
    if (!changes.empty) for (const e of changes.events()) this.#events.push(e);
    if (single) await this.commitOpen();
    return result;
  }

  /** A plain SELECT outside a transaction: a read-only transaction of its own, released at once (nothing to undo, no committer). */
  private async autocommitRead(s: SelectStatement, params: readonly SqlValue[]): Promise<StatementResult> {
    const t = this.beginTxn();
    try {
      return await this.select(t, s, params);
    } finally {
      await t.rollback();
    }
  }

  /** Commits the open transaction: through the committer when it wrote, directly when it only read. */
  async commitOpen(): Promise<void> {
    const t = this.#txn;
    if (t === undefined) return;
    const events = this.#events;
    this.#txn = undefined;
    this.#explicit = false;
    this.#events = [];
    if (events.length === 0 && t.bufferedWrites === 0) {
      await t.rollback();
      return;
    }
    try {
      await this.engine.options.committer.commit({ transaction: t, events, ddl: false, waited: t.waitedForLock });
      this.engine.counters.commit++;
    } catch (error) {
      if (t.state === 'active' || t.state === 'prepared') await t.rollback().catch(() => undefined);
      throw error;
    }
  }

  async rollbackOpen(): Promise<void> {
    const t = this.#txn;
    this.#txn = undefined;
    this.#explicit = false;
    this.#events = [];
    if (t !== undefined && (t.state === 'active' || t.state === 'prepared')) {
      await t.rollback();
      this.engine.counters.rollback++;
    }
  }

  private selectWithoutTable(s: SelectStatement, params: readonly SqlValue[]): StatementResult {
    const compiled = this.engine.compiledSelect(s, this.database);
    const columns = columnsOf(s, compiled);
    const rows = compiled.execute(() => [], this.evalContext(params));
    return { kind: 'rows', columns, rows: rows.map((r) => r.map((v, i) => normalizeValue(v, columns[i]!.type))) };
  }

  private async select(t: Transaction, s: SelectStatement, params: readonly SqlValue[]): Promise<StatementResult> {
    const compiled = this.engine.compiledSelect(s, this.database);
    const table = compiled.table!;
    const access = compiled.access!;
    const ctx = this.evalContext(params);
    const lock: ReadLock = s.lock === 'forUpdate' ? 'exclusive' : s.lock === 'shared' ? 'shared' : 'none';
    const resolved = access.resolve(params);
    const stored = await readRows(t, table, access, resolved, lock, undefined, readLimit(s, resolved.exact && access.residual === undefined, params));
    const rows = compiled.execute(() => stored.map((r) => r.row), ctx);
    const columns = columnsOf(s, compiled);
    return { kind: 'rows', columns, rows: rows.map((r) => r.map((v, i) => normalizeValue(v, columns[i]!.type))) };
  }

  private async update(t: Transaction, changes: StatementChanges, s: Extract<Statement, { kind: 'update' }>, params: readonly SqlValue[]): Promise<StatementResult> {
    const c = this.engine.compiledUpdate(s, this.database);
    const ctx = this.evalContext(params);
    const resolved = c.access.resolve(params);
    const filter = c.filterFor(resolved);
    // Read (and lock) every matching row first, then write: an UPDATE never meets its own new keys.
    const rows = await readRows(t, c.table, c.access, resolved, 'exclusive', (row) => filter(row, ctx));
    const writer = new RowWriter(t, changes);
    let changed = 0;
    for (let i = 0; i < rows.length; i++) {
      const old = rows[i]!;
      const next = c.apply(old.row, ctx, i + 1);
      if (sameRow(c.table, old.row, next)) continue;
      await writer.update(c.table, old, next, c.changedIndexes);
      changed++;
    }
    return ok(BigInt(changed), 0n, 0, `Rows matched: ${rows.length}  Changed: ${changed}  Warnings: 0`);
  }

  private async delete(t: Transaction, changes: StatementChanges, s: Extract<Statement, { kind: 'delete' }>, params: readonly SqlValue[]): Promise<StatementResult> {
    const c = this.engine.compiledDelete(s, this.database);
    const ctx = this.evalContext(params);
    const resolved = c.access.resolve(params);
    const filter = c.filterFor(resolved);
    const rows = await readRows(t, c.table, c.access, resolved, 'exclusive', (row) => filter(row, ctx));
    const writer = new RowWriter(t, changes);
    for (const r of rows) await writer.delete(c.table, r);
    return ok(BigInt(rows.length));
  }

  private async insert(t: Transaction, changes: StatementChanges, s: Extract<Statement, { kind: 'insert' }>, params: readonly SqlValue[]): Promise<StatementResult> {
    const c = this.engine.compiledInsert(s, this.database);
    const ctx = this.evalContext(params);
    const table = c.table;
    const built = c.rows(ctx);
    const writer = new RowWriter(t, changes);
    let affected = 0;
    let duplicates = 0;
    let firstId: bigint | undefined;
    for (let i = 0; i < built.length; i++) {
      const { row, generatedId } = built[i]!;
      if (generatedId !== undefined && firstId === undefined) firstId = generatedId;
      if (c.replace) {
        // Delete every row holding one of the new row's keys (at most one per unique key), then insert.
        for (let guard = 0; guard <= table.def.secondaryIndexes.length; guard++) {
          const conflict = await writer.conflictOf(table, row, undefined);
          if (conflict === undefined) break;
          await writer.delete(table, conflict.row);
          affected++;
          duplicates++;
        }
        await writer.insert(table, row, false);
        affected++;
      } else if (c.onDuplicate !== undefined) {
        const conflict = await writer.conflictOf(table, row, undefined);
        if (conflict === undefined) {
          await writer.insert(table, row, false);
          affected++;
        } else {
          duplicates++;
          const next = c.onDuplicate(conflict.row.row, { ...ctx, insertedRow: row }, i + 1);
          if (!sameRow(table, conflict.row.row, next)) {
            await writer.update(table, conflict.row, next);
            affected += 2;
          }
        }
      } else if (c.ignore) {
        const conflict = await writer.conflictOf(table, row, undefined);
        if (conflict === undefined) {
          await writer.insert(table, row, false);
          affected++;
        } else {
          duplicates++;
          this.warn(1062, `Duplicate entry '${conflict.values.map((v) => (v === null ? 'NULL' : toText(v))).join('-')}' for key '${conflict.keyName}'`);
        }
      } else {
        await writer.insert(table, row);
        affected++;
      }
    }
    if (firstId !== undefined) this.#lastInsertId = firstId;
    const info = built.length > 1 ? `Records: ${built.length}  Duplicates: ${duplicates}  Warnings: ${this.#warnings.length}` : undefined;
    return ok(BigInt(affected), firstId ?? 0n, this.#warnings.length, info);
  }

  private warn(code: number, message: string): void {
    if (this.#warnings.length < MAX_WARNINGS) this.#warnings.push({ level: 'Warning', code, message });
  }

  /** `SET var = DEFAULT`: a session variable goes back to the global value (or the built-in default); mariadb-binlog's output sends it. */
  private defaultValue(name: string, scope: 'global' | 'session'): SqlValue {
    if (scope === 'global') throw new NotSupportedError(`SET GLOBAL ${name} = DEFAULT`);
    const lower = name.toLowerCase();
    const value = this.engine.globalVariable(lower) ?? SESSION_VARIABLE_DEFAULTS.get(lower);
    if (value === undefined) throw new UnknownSystemVariableError(name);
    return value;
  }

  private evalSetValue(value: Expr, params: readonly SqlValue[], system: boolean): SqlValue {
    // SET autocommit = ON: a bare word is the value's name.
    if (system && value.kind === 'column' && value.table === undefined) return value.name;
    const fn = compileExpr(value, {
      column: (_t, name) => {
        throw new UnknownColumnError(name, 'field list');
      },
    });
    return fn([], this.evalContext(params));
  }

  private async set(assignments: readonly SetAssignment[], params: readonly SqlValue[]): Promise<StatementResult> {
    for (const a of assignments) {
      if (a.target === 'user') {
        const v = this.evalSetValue(a.value, params, false);
        const name = a.name.toLowerCase();
        if (!this.#userVars.has(name) && this.#userVars.size >= MAX_USER_VARIABLES) throw new NotSupportedError(`more than ${MAX_USER_VARIABLES} user variables`);
        this.#userVars.set(name, v);
        continue;
      }
      const name = a.name.toLowerCase();
      const v = a.value.kind === 'default' ? this.defaultValue(a.name, a.scope) : this.evalSetValue(a.value, params, true);
      if (a.scope === 'global') {
        this.engine.options.hooks.setGlobalVariable(name, v);
        continue;
      }
      if (!SESSION_VARIABLE_DEFAULTS.has(name) && this.engine.globalVariable(name) === undefined) throw new UnknownSystemVariableError(a.name);
      if (name === 'autocommit') {
        const on = truthy(v === null ? 0 : typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' ? v : 0);
        this.#vars.set('autocommit', on ? 1 : 0);
        if (on && this.#txn !== undefined) await this.commitOpen();
        continue;
      }
      const stored = (name === 'transaction_isolation' || name === 'tx_isolation') && typeof v === 'string' ? v.toUpperCase().replace(' ', '-') : v;
      this.#vars.set(name, stored);
      const alias = VARIABLE_ALIASES.get(name);
      if (alias !== undefined) this.#vars.set(alias, stored);
    }
    return ok();
  }

  private show(s: Extract<Statement, { kind: 'show' }>): StatementResult {
    const like = showLikeMatcher(s.like);
    const catalog = this.engine.catalog;
    switch (s.what) {
      case 'databases':
        return { kind: 'rows', columns: textColumns('Database'), rows: catalog.databaseNames().filter(like).map((d) => [d]) };
      case 'tables': {
        const db = s.from ?? this.database;
        if (db === undefined) throw new NoDatabaseSelectedError();
        const names = catalog.tableNames(db).filter(like);
        const columns = textColumns(`Tables_in_${db}`, ...(s.full ? ['Table_type'] : []));
        return { kind: 'rows', columns, rows: names.map((n) => (s.full ? [n, 'BASE TABLE'] : [n])) };
      }
      case 'variables': {
        const names = new Set([...SESSION_VARIABLE_DEFAULTS.keys(), ...SERVER_VARIABLES]);
        const rows: SqlValue[][] = [];
        for (const name of [...names].sort()) {
          if (!like(name)) continue;
          let v: SqlValue;
          try {
            v = this.systemVariable(name, s.scope === 'global' ? 'global' : 'session');
          } catch {
            continue;
          }
          rows.push([name, v === null ? '' : toText(v)]);
        }
        return { kind: 'rows', columns: textColumns('Variable_name', 'Value'), rows };
      }
      case 'status': {
        const c = this.engine.counters;
        const all: [string, number][] = [
          ['Com_commit', c.commit],
          ['Com_delete', c.delete],
          ['Com_insert', c.insert],
          ['Com_rollback', c.rollback],
          ['Com_select', c.select],
          ['Com_update', c.update],
          ['Questions', c.questions],
          ['Queries', c.questions],
          ['Threads_connected', this.engine.sessions.size],
          ['Uptime', Math.floor((Date.now() - this.engine.startedAt) / 1000)],
        ];
        return { kind: 'rows', columns: textColumns('Variable_name', 'Value'), rows: all.filter(([n]) => like(n)).map(([n, v]) => [n, String(v)]) };
      }
      case 'warnings':
      case 'errors': {
        const list = s.what === 'errors' ? this.#warnings.filter((w) => w.level === 'Error') : this.#warnings;
        return { kind: 'rows', columns: [...textColumns('Level'), { name: 'Code', table: '', orgName: 'Code', database: '', type: BIGINT, nullable: false }, ...textColumns('Message')], rows: list.map((w) => [w.level, BigInt(w.code), w.message]) };
      }
      case 'engines':
        return { kind: 'rows', columns: textColumns('Engine', 'Support', 'Comment', 'Transactions', 'XA', 'Savepoints'), rows: [['ROCKSDB', 'DEFAULT', 'Lockstep kv engine (MyRocks-style keys and locking)', 'YES', 'YES', 'YES']].filter((r) => like(r[0]!)) };
      case 'collation':
        return { kind: 'rows', columns: textColumns('Collation', 'Charset', 'Id', 'Default', 'Compiled', 'Sortlen'), rows: [['utf8mb4_bin', 'utf8mb4', '46', 'Yes', 'Yes', '1'], ['binary', 'binary', '63', 'Yes', 'Yes', '1']].filter((r) => like(r[0]!)) };
      case 'characterSet':
        return { kind: 'rows', columns: textColumns('Charset', 'Description', 'Default collation', 'Maxlen'), rows: [['utf8mb4', 'UTF-8 Unicode', 'utf8mb4_bin', '4'], ['binary', 'Binary pseudo charset', 'binary', '1']].filter((r) => like(r[0]!)) };
      case 'columns':
      case 'indexes': {
        const from = s.from ?? '';
        const dot = from.indexOf('.');
        const db = dot < 0 ? this.database : from.slice(0, dot);
        if (db === undefined) throw new NoDatabaseSelectedError();
        const table = catalog.getTable(db, dot < 0 ? from : from.slice(dot + 1));
        if (s.what === 'columns') {
          const pk = new Set(table.def.hiddenPrimaryKey ? [] : table.def.primaryKey.columns);
          const unique = new Set(table.def.secondaryIndexes.filter((ix) => ix.unique).map((ix) => ix.columns[0]));
          const indexed = new Set(table.def.secondaryIndexes.map((ix) => ix.columns[0]));
          const rows = table.columns.flatMap((c, i) => {
            if (!like(c.name)) return [];
            const d = c.default;
            const def = d.kind === 'value' ? (d.value === null ? null : toText(d.value)) : d.kind === 'currentTimestamp' ? 'current_timestamp()' : null;
            return [[c.name, columnTypeSql(c.type), c.nullable ? 'YES' : 'NO', pk.has(i) ? 'PRI' : unique.has(i) ? 'UNI' : indexed.has(i) ? 'MUL' : '', def, c.autoIncrement ? 'auto_increment' : '']];
          });
          return { kind: 'rows', columns: textColumns('Field', 'Type', 'Null', 'Key', 'Default', 'Extra'), rows };
        }
        const rows: SqlValue[][] = [];
        const indexes = table.def.hiddenPrimaryKey ? table.def.secondaryIndexes : [table.def.primaryKey, ...table.def.secondaryIndexes];
        for (const ix of indexes) ix.columns.forEach((p, n) => rows.push([table.name, ix.unique || ix === table.def.primaryKey ? '0' : '1', ix === table.def.primaryKey ? 'PRIMARY' : ix.name, String(n + 1), table.columns[p]!.name]));
        return { kind: 'rows', columns: textColumns('Table', 'Non_unique', 'Key_name', 'Seq_in_index', 'Column_name'), rows };
      }
      default:
        throw new NotSupportedError(`SHOW ${s.what}`);
    }
  }
}
