import { invariant } from '@lockstep/base';
import { DatabaseExistsError } from '../errors/database-exists-error.js';
import { DatabaseMissingError } from '../errors/database-missing-error.js';
import { DuplicateColumnError } from '../errors/duplicate-column-error.js';
import { DuplicateKeyNameError } from '../errors/duplicate-key-name-error.js';
import { InvalidTableDefinitionError } from '../errors/invalid-table-definition-error.js';
import { MultiplePrimaryKeyError } from '../errors/multiple-primary-key-error.js';
import { NoDatabaseSelectedError } from '../errors/no-database-selected-error.js';
import { NoSuchTableError } from '../errors/no-such-table-error.js';
import { TableExistsError } from '../errors/table-exists-error.js';
import { UnknownDatabaseError } from '../errors/unknown-database-error.js';
import { FIRST_USER_INDEX_ID, MAX_INDEX_ID } from '../keys/index-key.js';
import type { ColumnDefault, CreateTableStatement, IndexSpec, TableName } from '../parser/ast.js';
import { coerceToColumn } from '../types/coerce.js';
import { type ColumnType, MAX_BINARY_LENGTH, MAX_CHAR_LENGTH, MAX_VARBINARY_LENGTH, MAX_VARCHAR_LENGTH } from '../types/column-type.js';
import type { ColumnDef, IndexDef, TableDef } from './table-schema.js';
import { TableSchema } from './table-schema.js';

/** MySQL's limits, enforced at CREATE TABLE / CREATE INDEX. */
export const MAX_IDENTIFIER_LENGTH = 64;
export const MAX_COLUMNS_PER_TABLE = 4096;
export const MAX_INDEXES_PER_TABLE = 64;
export const MAX_KEY_PARTS = 16;

export interface DatabaseDef {
  readonly name: string;
}

/**
 * The catalog: databases and their tables, plus the counters that hand out table ids and
 * index ids. Names of databases and tables are case-sensitive (lower_case_table_names=0,
 * MySQL's default on Linux); column and index names are not.
 *
 * Invariants: index ids are unique across the catalog and never reused (a dropped table's
 * keys may still be being deleted); every table belongs to an existing database.
 * The catalog is in memory; persisting it in kv is the executor's job (see README, "Catalog
 * persistence"): `toRecords()` gives the key/value pairs to write, `Catalog.fromRecords()`
 * rebuilds it.
 */
export class Catalog {
  private readonly databases = new Map<string, Map<string, TableSchema>>();
  /** Next index id to hand out (the first user index id on a fresh catalog). */
  nextIndexId: number;
  nextTableId: number;

  constructor(nextIndexId = FIRST_USER_INDEX_ID, nextTableId = 1) {
    this.nextIndexId = nextIndexId;
    this.nextTableId = nextTableId;
  }

  databaseNames(): string[] {
    return [...this.databases.keys()].sort();
  }

  hasDatabase(name: string): boolean {
    return this.databases.has(name);
  }

  /** Creates a database; false when it exists and `ifNotExists` (1007 otherwise). */
  createDatabase(name: string, ifNotExists = false): boolean {
    checkIdentifier(name);
    if (this.databases.has(name)) {
      if (ifNotExists) return false;
      throw new DatabaseExistsError(name);
    }
    this.databases.set(name, new Map());
    return true;
  }

  /** Drops a database; returns its tables (their keys must be deleted), undefined when missing and `ifExists` (1008 otherwise). */
  dropDatabase(name: string, ifExists = false): TableSchema[] | undefined {
    const tables = this.databases.get(name);
    if (tables === undefined) {
      if (ifExists) return undefined;
      throw new DatabaseMissingError(name);
    }
    this.databases.delete(name);
    return [...tables.values()];
  }

  /** Resolves a table name against the current database (1046 when neither names one). */
  resolveDatabase(name: TableName, currentDatabase: string | undefined): string {
    const db = name.database ?? currentDatabase;
    if (db === undefined) throw new NoDatabaseSelectedError();
    return db;
  }

  findTable(database: string, table: string): TableSchema | undefined {
    return this.databases.get(database)?.get(table);
  }

  /** The table, or 1146 "Table 'db.t' doesn't exist". */
  getTable(database: string, table: string): TableSchema {
    const found = this.findTable(database, table);
    if (found === undefined) throw new NoSuchTableError(database, table);
    return found;
  }

  tableNames(database: string): string[] {
    const tables = this.databases.get(database);
    if (tables === undefined) throw new UnknownDatabaseError(database);
    return [...tables.keys()].sort();
  }

  allTables(): TableSchema[] {
    const out: TableSchema[] = [];
    for (const tables of this.databases.values()) out.push(...tables.values());
    return out;
  }

  /**
   * Creates a table from a CREATE TABLE statement with MySQL's checks; returns the new
   * table, or undefined when it exists and IF NOT EXISTS was given.
   */
  createTable(statement: CreateTableStatement, currentDatabase: string | undefined): TableSchema | undefined {
    const database = this.resolveDatabase(statement.table, currentDatabase);
    const tables = this.databases.get(database);
    if (tables === undefined) throw new UnknownDatabaseError(database);
    checkIdentifier(statement.table.name);
    if (tables.has(statement.table.name)) {
      if (statement.ifNotExists) return undefined;
      throw new TableExistsError(statement.table.name);
    }
    const def = this.buildTableDef(database, statement);
    const schema = new TableSchema(def, { autoIncrement: 1n, hiddenRowId: 1n });
    tables.set(def.name, schema);
    return schema;
  }

  /** Drops a table, returning it (its keys must be deleted); undefined when missing. */
  dropTable(database: string, table: string): TableSchema | undefined {
    const tables = this.databases.get(database);
    const found = tables?.get(table);
    if (found === undefined) return undefined;
    tables!.delete(table);
    return found;
  }

  /**
   * Adds a secondary index (CREATE INDEX / later ALTER TABLE ADD INDEX). Returns the new
   * table schema (the old one stays valid for statements already running); the caller
   * fills the index from the existing rows. The row layout does not change.
   */
  createIndex(database: string, tableName: string, spec: IndexSpec): { table: TableSchema; index: IndexDef } {
    const table = this.getTable(database, tableName);
    const def = table.def;
    if (def.secondaryIndexes.length + 1 >= MAX_INDEXES_PER_TABLE) throw new InvalidTableDefinitionError({ reason: 'tooManyKeys', limit: MAX_INDEXES_PER_TABLE });
    const name = spec.name ?? uniqueIndexName(spec.columns[0] ?? 'idx', def.secondaryIndexes.map((ix) => ix.name));
    if (name.toLowerCase() === 'primary' || table.findIndex(name) !== undefined) throw new DuplicateKeyNameError(name);
    const index: IndexDef = { name, id: this.allocateIndexId(), columns: keyColumns(spec.columns, def.columns), unique: spec.unique };
    const next = new TableSchema({ ...def, secondaryIndexes: [...def.secondaryIndexes, index] }, table.counters);
    this.databases.get(database)!.set(tableName, next);
    return { table: next, index };
  }

  /** Puts a table as decoded from storage (used by `fromRecords`); the id counters move past its ids. */
  restoreTable(schema: TableSchema): void {
    const tables = this.databases.get(schema.database);
    invariant(tables !== undefined, () => `table ${schema.name} restored before its database ${schema.database}`);
    tables.set(schema.name, schema);
    for (const id of schema.indexIds()) if (id >= this.nextIndexId) this.nextIndexId = id + 1;
    if (schema.def.id >= this.nextTableId) this.nextTableId = schema.def.id + 1;
  }

  private allocateIndexId(): number {
    invariant(this.nextIndexId <= MAX_INDEX_ID, 'index ids exhausted');
    return this.nextIndexId++;
  }

  private buildTableDef(database: string, statement: CreateTableStatement): TableDef {
    if (statement.columns.length === 0) throw new InvalidTableDefinitionError({ reason: 'noColumns' });
    if (statement.columns.length > MAX_COLUMNS_PER_TABLE) throw new InvalidTableDefinitionError({ reason: 'tooManyColumns', limit: MAX_COLUMNS_PER_TABLE });
    const seen = new Set<string>();
    for (const c of statement.columns) {
      checkIdentifier(c.name);
      if (seen.has(c.name.toLowerCase())) throw new DuplicateColumnError(c.name);
      seen.add(c.name.toLowerCase());
      checkTypeLength(c.name, c.type);
    }
    // Primary key: a table-level PRIMARY KEY (...) or one column-level PRIMARY KEY, not both.
    const columnPk = statement.columns.filter((c) => c.primaryKey).map((c) => c.name);
    if (columnPk.length > 1 || (columnPk.length === 1 && statement.primaryKey !== undefined)) throw new MultiplePrimaryKeyError();
    const pkNames = statement.primaryKey ?? (columnPk.length === 1 ? columnPk : undefined);
    const specColumns = statement.columns;
    const pkPositions = pkNames === undefined ? [] : keyColumns(pkNames, specColumns);
    const columns: ColumnDef[] = specColumns.map((c, i) => {
      const inPk = pkPositions.includes(i);
      if (inPk && c.nullable === true) throw new InvalidTableDefinitionError({ reason: 'nullablePrimaryKey' });
      const nullable = inPk ? false : (c.nullable ?? true);
      return { name: c.name, type: c.type, nullable, default: checkDefault(c.name, c.type, nullable, c.autoIncrement, c.default), autoIncrement: c.autoIncrement, comment: c.comment };
    });
    // Secondary indexes: column-level UNIQUE, then table-level KEY/INDEX/UNIQUE in order.
    const specs: IndexSpec[] = [...specColumns.filter((c) => c.unique && !c.primaryKey).map((c) => ({ name: undefined, columns: [c.name], unique: true })), ...statement.indexes];
    if (specs.length + 1 > MAX_INDEXES_PER_TABLE) throw new InvalidTableDefinitionError({ reason: 'tooManyKeys', limit: MAX_INDEXES_PER_TABLE });
    const names: string[] = [];
    const secondaryPositions = specs.map((spec) => {
      const positions = keyColumns(spec.columns, columns);
      const name = spec.name ?? uniqueIndexName(columns[positions[0]!]!.name, names);
      checkIdentifier(name);
      if (name.toLowerCase() === 'primary' || names.some((n) => n.toLowerCase() === name.toLowerCase())) throw new DuplicateKeyNameError(name);
      names.push(name);
      return { name, positions, unique: spec.unique };
    });
    // AUTO_INCREMENT: at most one, an integer column, first column of some key.
    const autos = columns.map((c, i) => (c.autoIncrement ? i : -1)).filter((i) => i >= 0);
    if (autos.length > 1) throw new InvalidTableDefinitionError({ reason: 'autoColumn' });
    if (autos.length === 1) {
      const auto = autos[0]!;
      if (columns[auto]!.type.kind !== 'int') throw new InvalidTableDefinitionError({ reason: 'autoColumnType', column: columns[auto]!.name });
      const leads = pkPositions[0] === auto || secondaryPositions.some((s) => s.positions[0] === auto);
      if (!leads) throw new InvalidTableDefinitionError({ reason: 'autoColumn' });
    }
    const primaryKey: IndexDef = { name: 'PRIMARY', id: this.allocateIndexId(), columns: pkPositions, unique: true };
    const secondaryIndexes: IndexDef[] = secondaryPositions.map((s) => ({ name: s.name, id: this.allocateIndexId(), columns: s.positions, unique: s.unique }));
    return {
      id: this.nextTableId++,
      database,
      name: statement.table.name,
      columns,
      primaryKey,
      hiddenPrimaryKey: pkPositions.length === 0,
      secondaryIndexes,
      schemaVersion: 1,
      comment: statement.comment,
    };
  }
}

function checkIdentifier(name: string): void {
  if (name.length > MAX_IDENTIFIER_LENGTH) throw new InvalidTableDefinitionError({ reason: 'nameTooLong', name });
}

function checkTypeLength(column: string, type: ColumnType): void {
  const limit =
    type.kind === 'char' ? MAX_CHAR_LENGTH : type.kind === 'varchar' ? MAX_VARCHAR_LENGTH : type.kind === 'binary' ? MAX_BINARY_LENGTH : type.kind === 'varbinary' ? MAX_VARBINARY_LENGTH : undefined;
  if (limit !== undefined && 'length' in type && (type.length > limit || type.length < 0)) throw new InvalidTableDefinitionError({ reason: 'badLength', column, limit });
}

/** Positions of key columns by name; 1072 for a missing one, 1170 for TEXT/BLOB, 1070 past the part limit. */
function keyColumns(names: readonly string[], columns: readonly { readonly name: string; readonly type: ColumnType }[]): number[] {
  if (names.length > MAX_KEY_PARTS) throw new InvalidTableDefinitionError({ reason: 'tooManyKeyParts', limit: MAX_KEY_PARTS });
  return names.map((n) => {
    const i = columns.findIndex((c) => c.name.toLowerCase() === n.toLowerCase());
    if (i < 0) throw new InvalidTableDefinitionError({ reason: 'keyColumnMissing', column: n });
    const kind = columns[i]!.type.kind;
    if (kind === 'text' || kind === 'blob') throw new InvalidTableDefinitionError({ reason: 'blobKey', column: columns[i]!.name });
    return i;
  });
}

/** MySQL names an unnamed index after its first column, adding _2, _3... when taken. */
function uniqueIndexName(base: string, taken: readonly string[]): string {
  const lower = new Set(taken.map((t) => t.toLowerCase()));
  if (!lower.has(base.toLowerCase()) && base.toLowerCase() !== 'primary') return base;
  for (let n = 2; ; n++) if (!lower.has(`${base}_${n}`.toLowerCase())) return `${base}_${n}`;
}

function checkDefault(column: string, type: ColumnType, nullable: boolean, autoIncrement: boolean, value: ColumnDefault): ColumnDefault {
  switch (value.kind) {
    case 'none':
      return value;
    case 'null':
      if (!nullable || autoIncrement) throw new InvalidTableDefinitionError({ reason: 'invalidDefault', column });
      return value;
    case 'currentTimestamp':
      if (type.kind !== 'datetime') throw new InvalidTableDefinitionError({ reason: 'invalidDefault', column });
      return value;
    case 'value':
      if (autoIncrement) throw new InvalidTableDefinitionError({ reason: 'invalidDefault', column });
      try {
        return { kind: 'value', value: coerceToColumn(value.value, { name: column, type, nullable }, 1) };
      } catch {
        throw new InvalidTableDefinitionError({ reason: 'invalidDefault', column });
      }
  }
}
