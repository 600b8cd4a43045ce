import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Catalog, catalogFromRecords, catalogToRecords, showCreateTable, type IndexSpec } from '../src/index.js';
import { column, createTable, INT } from './support/ddl.js';

/**
 * Model-based test of the catalog: random DDL sequences run against the catalog and a
 * plain model (database → table → index names); after every command the catalog's names
 * equal the model's, index ids are unique and never reused, and the catalog survives a
 * round trip through its kv records unchanged.
 */
interface Model {
  databases: Map<string, Map<string, Set<string>>>;
  everIndexIds: Set<number>;
}

let tablesCreated = 0;
const RUNS = Number(process.env.LOCKSTEP_PROPERTY_RUNS ?? 200);
const DB = fc.constantFrom('d1', 'd2');
const TABLE = fc.constantFrom('t1', 't2', 't3');
const COL = fc.constantFrom('a', 'b', 'c');

class CreateDatabase implements fc.Command<Model, Catalog> {
  constructor(readonly db: string) {}
  check = () => true;
  run(m: Model, c: Catalog): void {
    const created = c.createDatabase(this.db, true);
    expect(created).toBe(!m.databases.has(this.db));
    if (created) m.databases.set(this.db, new Map());
  }
  toString = () => `CREATE DATABASE ${this.db}`;
}

class DropDatabase implements fc.Command<Model, Catalog> {
  constructor(readonly db: string) {}
  check = () => true;
  run(m: Model, c: Catalog): void {
    const dropped = c.dropDatabase(this.db, true);
    expect(dropped?.map((t) => t.name).sort()).toEqual(m.databases.has(this.db) ? [...m.databases.get(this.db)!.keys()].sort() : undefined);
    m.databases.delete(this.db);
  }
  toString = () => `DROP DATABASE ${this.db}`;
}

class CreateTable implements fc.Command<Model, Catalog> {
  constructor(
    readonly db: string,
    readonly table: string,
    readonly withPk: boolean,
    readonly indexes: IndexSpec[],
  ) {}
  check = () => true;
  run(m: Model, c: Catalog): void {
    const stmt = createTable(
      this.table,
      [column('a', INT, { nullable: this.withPk ? false : undefined }), column('b', { kind: 'varchar', length: 8 }), column('c', { kind: 'datetime', fsp: 0 })],
      this.withPk ? ['a'] : undefined,
      this.indexes,
    );
    const tables = m.databases.get(this.db);
    const names = this.indexes.map((ix) => ix.name?.toLowerCase());
    const duplicateNames = names.some((n, i) => n !== undefined && names.indexOf(n) !== i);
    let outcome: string;
    try {
      c.createTable(stmt, this.db);
      outcome = 'ok';
    } catch (error) {
      outcome = String((error as { errno?: number }).errno);
    }
    const expected = tables === undefined ? '1049' : tables.has(this.table) ? '1050' : duplicateNames ? '1061' : 'ok';
    expect(outcome).toBe(expected);
    if (outcome === 'ok') {
      tablesCreated++;
      const t = c.getTable(this.db, this.table);
      tables!.set(this.table, new Set(t.def.secondaryIndexes.map((ix) => ix.name)));
      for (const id of t.indexIds()) {
        expect(m.everIndexIds.has(id)).toBe(false);
        m.everIndexIds.add(id);
      }
    }
  }
  toString = () => `CREATE TABLE ${this.db}.${this.table} pk=${this.withPk} ${JSON.stringify(this.indexes)}`;
}

class DropTable implements fc.Command<Model, Catalog> {
  constructor(
    readonly db: string,
    readonly table: string,
  ) {}
  check = () => true;
  run(m: Model, c: Catalog): void {
    const dropped = c.dropTable(this.db, this.table);
    expect(dropped !== undefined).toBe(m.databases.get(this.db)?.has(this.table) ?? false);
    m.databases.get(this.db)?.delete(this.table);
  }
  toString = () => `DROP TABLE ${this.db}.${this.table}`;
}

class CreateIndex implements fc.Command<Model, Catalog> {
  constructor(
    readonly db: string,
    readonly table: string,
    readonly spec: IndexSpec,
  ) {}
  check = (m: Readonly<Model>) => m.databases.get(this.db)?.has(this.table) ?? false;
  run(m: Model, c: Catalog): void {
    const existing = m.databases.get(this.db)!.get(this.table)!;
    const clash = this.spec.name !== undefined && [...existing].some((n) => n.toLowerCase() === this.spec.name!.toLowerCase());
    try {
      const { index } = c.createIndex(this.db, this.table, this.spec);
      expect(clash).toBe(false);
      expect(m.everIndexIds.has(index.id)).toBe(false);
      m.everIndexIds.add(index.id);
      existing.add(index.name);
    } catch (error) {
      expect(clash).toBe(true);
      expect((error as { errno?: number }).errno).toBe(1061);
    }
  }
  toString = () => `CREATE INDEX ${JSON.stringify(this.spec)} ON ${this.db}.${this.table}`;
}

const indexSpec: fc.Arbitrary<IndexSpec> = fc.record({
  name: fc.option(fc.constantFrom('i', 'j', 'I'), { nil: undefined }),
  columns: fc.uniqueArray(COL, { minLength: 1, maxLength: 3 }),
  unique: fc.boolean(),
});

describe('catalog model-based test', () => {
  it('random DDL sequences keep the catalog equal to the model and its records faithful', () => {
    const createTableCmd = fc.tuple(DB, TABLE, fc.boolean(), fc.array(indexSpec, { maxLength: 3 })).map(([d, t, pk, ix]) => new CreateTable(d, t, pk, ix));
    const commands = fc.commands(
      [
        createTableCmd,
        createTableCmd,
        DB.map((db) => new CreateDatabase(db)),
        DB.map((db) => new DropDatabase(db)),
        fc.tuple(DB, TABLE, fc.boolean(), fc.array(indexSpec, { maxLength: 3 })).map(([d, t, pk, ix]) => new CreateTable(d, t, pk, ix)),
        fc.tuple(DB, TABLE).map(([d, t]) => new DropTable(d, t)),
        fc.tuple(DB, TABLE, indexSpec).map(([d, t, s]) => new CreateIndex(d, t, s)),
      ],
      { maxCommands: 40 },
    );
    fc.assert(
      fc.property(commands, (cmds) => {
        const model: Model = { databases: new Map([['d1', new Map<string, Set<string>>()]]), everIndexIds: new Set() };
        const catalog = new Catalog();
        catalog.createDatabase('d1');
        fc.modelRun(() => ({ model, real: catalog }), cmds);
        // names agree
        expect(catalog.databaseNames()).toEqual([...model.databases.keys()].sort());
        for (const [db, tables] of model.databases) {
          expect(catalog.tableNames(db)).toEqual([...tables.keys()].sort());
          for (const [t, indexes] of tables) expect(new Set(catalog.getTable(db, t).def.secondaryIndexes.map((ix) => ix.name))).toEqual(indexes);
        }
        // records round trip
        const back = catalogFromRecords(catalogToRecords(catalog));
        expect(back.nextIndexId).toBe(catalog.nextIndexId);
        for (const t of catalog.allTables()) expect(showCreateTable(back.getTable(t.database, t.name))).toBe(showCreateTable(t));
      }),
      { numRuns: RUNS },
    );
    expect(tablesCreated).toBeGreaterThan(RUNS / 4); // the sequences did build tables
  });
});
