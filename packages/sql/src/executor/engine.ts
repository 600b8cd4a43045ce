import type { BinlogEvent, EventInput } from '@lockstep/binlog';
import type { LockingMode, Transaction, TransactionDb } from '@lockstep/txn';
import { Catalog } from '../catalog/catalog.js';
import { catalogFromRecords, catalogToRecords, databaseRecordKey, tableCountersKey, tableRecordKey, type CatalogRecord } from '../catalog/table-codec.js';
import { TableSchema } from '../catalog/table-schema.js';
import { NotSupportedError } from '../errors/not-supported-error.js';
import { UnknownTableError } from '../errors/unknown-table-error.js';
import { compileSelect, type CompiledSelect } from '../exec/select-query.js';
import { compileDelete, compileInsert, compileUpdate, type CompiledDelete, type CompiledInsert, type CompiledUpdate } from '../exec/write-statements.js';
import { SqlParser } from '../parser/parse.js';
import type { Statement } from '../parser/ast.js';
import { toText } from '../expr/compile.js';
import type { SqlValue } from '../types/sql-value.js';
import type { RedoCommit, SessionOpenInfo, SqlEngineApi, SqlEngineOptions, StatementResult } from './contract.js';
import { DuplicateEntryError } from './errors/duplicate-entry-error.js';
import { RowEventApplier } from './row-applier.js';
import { readAll } from './table-ops.js';
import { Session } from './session.js';

/** Catalog record index ids (1..4): the keys the engine loads at open. */
const CATALOG_INDEX_IDS = [1, 2, 3, 4] as const;
/** Keys deleted per transaction when purging a dropped table's data. */
export const PURGE_BATCH_KEYS = 1000;
/** Bound on the compiled statements cached per parsed statement object (one per current database). */
const MAX_COMPILED_PER_STATEMENT = 8;

export type DdlStatement = Extract<Statement, { kind: 'createDatabase' | 'dropDatabase' | 'createTable' | 'dropTable' | 'createIndex' }>;
export type DdlFinish = (transaction: Transaction, events: readonly EventInput[]) => Promise<void>;

/** A note of a DDL that did nothing (IF [NOT] EXISTS): MySQL's Note-level warning. */
export interface DdlNote {
  readonly code: number;
  readonly message: string;
}

export interface DdlOutcome {
  readonly result: StatementResult;
  readonly notes: readonly DdlNote[];
}

export function isDdl(s: Statement): s is DdlStatement {
  return s.kind === 'createDatabase' || s.kind === 'dropDatabase' || s.kind === 'createTable' || s.kind === 'dropTable' || s.kind === 'createIndex';
}

interface CompiledEntry {
  readonly version: number;
  readonly database: string | undefined;
  readonly value: unknown;
}

/** Counters the engine keeps for SHOW STATUS. */
export interface EngineCounters {
  questions: number;
  select: number;
  insert: number;
  update: number;
  delete: number;
  commit: number;
  rollback: number;
  ddl: number;
}

/**
 * The SQL engine: the catalog (persisted in kv under index ids 1..4, loaded at open and
 * written by DDL in the DDL's own transaction), sessions, compiled-statement caching per
 * catalog version, DDL (serialized), and recovery redo / replica row application.
 */
export class SqlEngine implements SqlEngineApi {
  readonly options: SqlEngineOptions;
  readonly db: TransactionDb;
  readonly parser = new SqlParser();
  readonly lockingMode: LockingMode;
  readonly counters: EngineCounters = { questions: 0, select: 0, insert: 0, update: 0, delete: 0, commit: 0, rollback: 0, ddl: 0 };
  readonly startedAt = Date.now();
  /** Open sessions by connection id. */
  readonly sessions = new Map<number, Session>();
  #catalog: Catalog;
  #version = 0;
  #ddlTail: Promise<void> = Promise.resolve();
  readonly #compiled = new WeakMap<Statement, CompiledEntry[]>();
  #closed = false;

  private constructor(options: SqlEngineOptions, catalog: Catalog) {
    this.options = options;
    this.db = options.db;
    this.lockingMode = options.lockingMode ?? 'range';
    this.#catalog = catalog;
  }

  /** Loads (or creates) the catalog persisted in kv; moves AUTO_INCREMENT and hidden row id counters past the stored keys. */
  static async open(options: SqlEngineOptions): Promise<SqlEngine> {
    const t = options.db.begin({ isolation: 'read-committed' });
    try {
      const records: CatalogRecord[] = [];
      for (const id of CATALOG_INDEX_IDS) {
        const it = t.scan(id);
        try {
          for await (const e of it) records.push({ key: e.key, value: e.value });
        } finally {
          it.close();
        }
      }
      const catalog = catalogFromRecords(records);
      for (const table of catalog.allTables()) await restoreCounters(t, table);
      return new SqlEngine(options, catalog);
    } finally {
      await t.rollback();
    }
  }

  get catalog(): Catalog {
    return this.#catalog;
  }

  /** Bumped by every DDL: compiled statements of an older version are recompiled. */
  get catalogVersion(): number {
    return this.#version;
  }

  session(info: SessionOpenInfo): Session {
    if (this.#closed) throw new NotSupportedError('a session on a closed engine');
    const s = new Session(this, info);
    this.sessions.set(info.connectionId, s);
    return s;
  }

  /** @internal */
  sessionClosed(s: Session): void {
    if (this.sessions.get(s.info.connectionId) === s) this.sessions.delete(s.info.connectionId);
  }

  private compiled<T>(statement: Statement, database: string | undefined, build: () => T): T {
    let list = this.#compiled.get(statement);
    const hit = list?.find((e) => e.version === this.#version && e.database === database);
    if (hit !== undefined) return hit.value as T;
    const value = build();
    if (list === undefined) {
      list = [];
      this.#compiled.set(statement, list);
    }
    if (list.length >= MAX_COMPILED_PER_STATEMENT) list.shift();
    list.push({ version: this.#version, database, value });
    return value;
  }

  compiledSelect(s: Extract<Statement, { kind: 'select' }>, database: string | undefined): CompiledSelect {
    return this.compiled(s, database, () => compileSelect(s, this.#catalog, database));
  }

  compiledUpdate(s: Extract<Statement, { kind: 'update' }>, database: string | undefined): CompiledUpdate {
    return this.compiled(s, database, () => compileUpdate(s, this.#catalog, database));
  }

  compiledDelete(s: Extract<Statement, { kind: 'delete' }>, database: string | undefined): CompiledDelete {
    return this.compiled(s, database, () => compileDelete(s, this.#catalog, database));
  }

  compiledInsert(s: Extract<Statement, { kind: 'insert' }>, database: string | undefined): CompiledInsert {
    return this.compiled(s, database, () => compileInsert(s, this.#catalog, database));
  }

  /**
   * Runs one DDL statement in its own transaction: the catalog change is made on a copy,
   * its records written in the transaction, `finish` makes it durable (the committer with
   * one QUERY event, or redo's commit), and only then does the copy become the catalog.
   * DDL is serialized. A dropped table's rows are deleted afterwards in batches (its index
   * ids are never reused, so leftovers after a crash are unreachable garbage).
   */
  async runDdl(statement: DdlStatement, sql: string, database: string | undefined, threadId: number, finish: DdlFinish): Promise<DdlOutcome> {
    const previous = this.#ddlTail;
    let release!: () => void;
    this.#ddlTail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    try {
      return await this.#runDdl(statement, sql, database, threadId, finish);
    } finally {
      release();
    }
  }

  async #runDdl(s: DdlStatement, sql: string, database: string | undefined, threadId: number, finish: DdlFinish): Promise<DdlOutcome> {
    const current = this.#catalog;
    const next = cloneCatalog(current);
    const dropped: TableSchema[] = [];
    const deletedKeys: Uint8Array[] = [];
    const notes: DdlNote[] = [];
    const t = this.db.begin({ lockingMode: this.lockingMode, ...(this.options.lockWaitTimeoutMs === undefined ? {} : { lockWaitTimeoutMs: this.options.lockWaitTimeoutMs }) });
    try {
      switch (s.kind) {
        case 'createDatabase':
          if (!next.createDatabase(s.name, s.ifNotExists)) notes.push({ code: 1007, message: `Can't create database '${s.name}'; database exists` });
          break;
        case 'dropDatabase': {
          const tables = next.dropDatabase(s.name, s.ifExists);
          if (tables === undefined) notes.push({ code: 1008, message: `Can't drop database '${s.name}'; database doesn't exist` });
          else {
            deletedKeys.push(databaseRecordKey(s.name));
            for (const table of tables) {
              dropped.push(table);
              deletedKeys.push(tableRecordKey(table.database, table.name), tableCountersKey(table.database, table.name));
            }
          }
          break;
        }
        case 'createTable':
          if (next.createTable(s, database) === undefined) notes.push({ code: 1050, message: `Table '${s.table.name}' already exists` });
          break;
        case 'dropTable': {
          const missing: string[] = [];
          for (const name of s.tables) {
            const db = next.resolveDatabase(name, database);
            const table = next.dropTable(db, name.name);
            if (table === undefined) missing.push(`${db}.${name.name}`);
            else {
              dropped.push(table);
              deletedKeys.push(tableRecordKey(table.database, table.name), tableCountersKey(table.database, table.name));
            }
          }
          if (missing.length > 0) {
            if (!s.ifExists) throw new UnknownTableError(missing.join(','));
            for (const m of missing) notes.push({ code: 1051, message: `Unknown table '${m}'` });
          }
          break;
        }
        case 'createIndex': {
          const db = next.resolveDatabase(s.table, database);
          const old = current.getTable(db, s.table.name);
          const { table, index } = next.createIndex(db, s.table.name, s.index);
          const i = table.def.secondaryIndexes.indexOf(index);
          const codec = table.secondaryCodecs[i]!;
          const seen = new Set<string>();
          for (const r of await readAll(t, old, 'shared')) {
            const pk = table.def.hiddenPrimaryKey ? [r.hiddenRowId!] : table.def.primaryKey.columns.map((p) => r.row[p] ?? null);
            const values = index.columns.map((p) => r.row[p] ?? null);
            if (index.unique && !values.includes(null)) {
              const hex = Buffer.from(codec.encode(values)).toString('hex');
              if (seen.has(hex)) throw new DuplicateEntryError(values.map((v) => (v === null ? 'NULL' : toText(v))).join('-'), index.name);
              seen.add(hex);
            }
            await t.put(codec.encode([...values, ...pk]), new Uint8Array(0));
          }
          break;
        }
      }
      if (notes.length > 0 && s.kind !== 'dropTable') {
        await t.rollback();
        return { result: { kind: 'ok', affectedRows: 0n, lastInsertId: 0n, warnings: notes.length }, notes };
      }
      for (const k of deletedKeys) await t.delete(k);
      for (const r of catalogToRecords(next)) await t.put(r.key, r.value);
      const events: EventInput[] = [{ kind: 'query', threadId, execTimeS: 0, errorCode: 0, database: database ?? '', sql, status: {} }];
      await finish(t, events);
    } catch (error) {
      if (t.state === 'active' || t.state === 'prepared') await t.rollback();
      throw error;
    }
    this.#catalog = next;
    this.#version++;
    this.counters.ddl++;
    for (const table of dropped) await this.purgeTable(table);
    return { result: { kind: 'ok', affectedRows: 0n, lastInsertId: 0n, warnings: notes.length }, notes };
  }

  /** Deletes a dropped table's keys, PURGE_BATCH_KEYS per transaction. */
  private async purgeTable(table: TableSchema): Promise<void> {
    for (const id of table.indexIds()) {
      for (;;) {
        const t = this.db.begin();
        let n = 0;
        try {
          const it = t.scan(id);
          const keys: Uint8Array[] = [];
          try {
            for await (const e of it) {
              keys.push(e.key);
              if (keys.length >= PURGE_BATCH_KEYS) break;
            }
          } finally {
            it.close();
          }
          for (const k of keys) await t.delete(k);
          n = keys.length;
          await t.commit();
        } catch (error) {
          if (t.state === 'active' || t.state === 'prepared') await t.rollback();
          throw error;
        }
        if (n < PURGE_BATCH_KEYS) break;
      }
    }
  }

  /**
   * Recovery redo for tc: applies one binlog transaction's events — row events by primary
   * key from the images, or the DDL query — as a new transaction; `commit` commits it (with
   * the coordinator position). No binlog is written.
   */
  async redo(events: readonly BinlogEvent[], commit: RedoCommit): Promise<void> {
    const query = events.find((e) => e.kind === 'query' && !/^\s*(BEGIN|COMMIT)\s*$/i.test(e.sql));
    if (query?.kind === 'query') {
      const parsed = this.parser.parse(query.sql);
      if (!isDdl(parsed.statement)) throw new NotSupportedError(`redo of the query event '${query.sql.slice(0, 80)}'`);
      await this.runDdl(parsed.statement, query.sql, query.database === '' ? undefined : query.database, query.threadId, async (t) => {
        await commit(t);
      });
      return;
    }
    const t = this.db.begin({ lockingMode: this.lockingMode });
    try {
      const applier = this.rowApplier();
      for (const e of events) await applier.applyEvent(t, e);
      await commit(t);
    } catch (error) {
      if (t.state === 'active' || t.state === 'prepared') await t.rollback();
      throw error;
    }
  }

  /** A row-event applier (table maps are remembered per applier): redo and the replica's `applyEvent` / `writeSet`. */
  rowApplier(): RowEventApplier {
    return new RowEventApplier(() => this.#catalog);
  }

  /** A global variable: the server's hooks first, then this engine's defaults. */
  globalVariable(name: string): SqlValue | undefined {
    return this.options.hooks.globalVariable(name);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const s of [...this.sessions.values()]) await s.close();
    await this.#ddlTail;
  }
}

/** A copy of a catalog whose tables share the live AUTO_INCREMENT/row id counters (statements running on the old schema keep counting). */
function cloneCatalog(catalog: Catalog): Catalog {
  const copy = catalogFromRecords(catalogToRecords(catalog));
  for (const t of copy.allTables()) {
    const live = catalog.findTable(t.database, t.name);
    if (live !== undefined) copy.restoreTable(new TableSchema(t.def, live.counters));
  }
  return copy;
}

/** After a restart: AUTO_INCREMENT past the largest stored value, the hidden row id past the last key (InnoDB before 8.0 did the same). */
async function restoreCounters(t: Transaction, table: TableSchema): Promise<void> {
  const auto = table.autoIncrementColumn;
  if (!table.def.hiddenPrimaryKey && auto < 0) return;
  const pkFirst = table.def.primaryKey.columns[0] === auto;
  if (table.def.hiddenPrimaryKey || pkFirst) {
    const it = t.scan(table.def.primaryKey.id, { reverse: true });
    try {
      for await (const e of it) {
        if (table.def.hiddenPrimaryKey) {
          const id = table.primaryCodec.decode(e.key)[0] as bigint;
          if (id >= table.counters.hiddenRowId) table.counters.hiddenRowId = id + 1n;
        } else bump(table, table.rowCodec.decode(e.value)[auto] ?? null);
        break;
      }
    } finally {
      it.close();
    }
    if (!table.def.hiddenPrimaryKey || auto < 0) return;
  }
  for (const r of await readAll(t, table, 'none')) bump(table, r.row[auto] ?? null);
}

function bump(table: TableSchema, v: SqlValue): void {
  if (typeof v !== 'number' && typeof v !== 'bigint') return;
  const n = BigInt(v);
  if (n >= table.counters.autoIncrement) table.counters.autoIncrement = n + 1n;
}
