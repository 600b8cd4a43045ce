import { crc32 } from '@lockstep/base';
import { ByteWriter } from '../keys/byte-writer.js';
import { IndexKeyCodec, MAX_INDEX_ID } from '../keys/index-key.js';
import type { ColumnDefault } from '../parser/ast.js';
import { RowCodec } from '../rows/row-codec.js';
import type { ColumnType, IntegerBytes, LobSize } from '../types/column-type.js';
import { ByteReader } from './byte-reader.js';
import { Catalog, MAX_COLUMNS_PER_TABLE, MAX_INDEXES_PER_TABLE, MAX_KEY_PARTS } from './catalog.js';
import { type ColumnDef, type IndexDef, type TableDef, TableSchema } from './table-schema.js';

/**
 * Catalog records as kv keys and values (FORMAT.md, "Catalog records"). Reserved index ids:
 *
 *   1  catalog meta      key 00000001                        value: v1, nextIndexId, nextTableId
 *   2  database          key 00000002 + name                 value: v1
 *   3  table definition  key 00000003 + db + table           value: table record (below)
 *   4  table counters    key 00000004 + db + table           value: v1, autoIncrement, hiddenRowId
 *
 * Names in keys are memcomparable strings, so a prefix scan of 00000003 + db lists a
 * database's tables in name order. Every value ends with a CRC-32 of the bytes before it.
 */
export const CATALOG_META_INDEX_ID = 1;
export const DATABASE_RECORD_INDEX_ID = 2;
export const TABLE_RECORD_INDEX_ID = 3;
export const TABLE_COUNTERS_INDEX_ID = 4;
const RECORD_VERSION = 1;

const NAME_PART = { type: { kind: 'varchar', length: 64 }, nullable: false } as const;
const metaKeys = new IndexKeyCodec(CATALOG_META_INDEX_ID, []);
const databaseKeys = new IndexKeyCodec(DATABASE_RECORD_INDEX_ID, [NAME_PART], 'catalog database key');
const tableKeys = new IndexKeyCodec(TABLE_RECORD_INDEX_ID, [NAME_PART, NAME_PART], 'catalog table key');
const counterKeys = new IndexKeyCodec(TABLE_COUNTERS_INDEX_ID, [NAME_PART, NAME_PART], 'catalog counters key');

export interface CatalogRecord {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

export function catalogMetaKey(): Uint8Array {
  return metaKeys.encode([]);
}
export function databaseRecordKey(name: string): Uint8Array {
  return databaseKeys.encode([name]);
}
export function tableRecordKey(database: string, table: string): Uint8Array {
  return tableKeys.encode([database, table]);
}
export function tableCountersKey(database: string, table: string): Uint8Array {
  return counterKeys.encode([database, table]);
}

function sealed(w: ByteWriter): Uint8Array {
  const body = w.finish();
  const out = new Uint8Array(body.length + 4);
  out.set(body);
  new DataView(out.buffer).setUint32(body.length, crc32(body), false);
  return out;
}

function unsealed(value: Uint8Array, what: string): ByteReader {
  const reader = new ByteReader(value, what);
  if (value.length < 5) reader.fail(`record of ${value.length} bytes is too short`, 0);
  const body = value.subarray(0, value.length - 4);
  const stored = new DataView(value.buffer, value.byteOffset + value.length - 4, 4).getUint32(0, false);
  if (crc32(body) !== stored) reader.fail('checksum mismatch', value.length - 4);
  const r = new ByteReader(body, what);
  const version = r.u8();
  if (version !== RECORD_VERSION) r.fail(`unknown record version ${version}`, 0);
  return r;
}

export function encodeCatalogMeta(catalog: Catalog): Uint8Array {
  const w = new ByteWriter();
  w.u8(RECORD_VERSION);
  w.varint(catalog.nextIndexId);
  w.varint(catalog.nextTableId);
  return sealed(w);
}

export function encodeDatabaseRecord(): Uint8Array {
  const w = new ByteWriter(8);
  w.u8(RECORD_VERSION);
  return sealed(w);
}

export function encodeTableCounters(table: TableSchema): Uint8Array {
  const w = new ByteWriter(24);
  w.u8(RECORD_VERSION);
  w.u64BE(table.counters.autoIncrement);
  w.u64BE(table.counters.hiddenRowId);
  return sealed(w);
}

const TYPE_CODES = ['int', 'char', 'varchar', 'text', 'binary', 'varbinary', 'blob', 'double', 'datetime'] as const;
const LOB_SIZES: readonly LobSize[] = ['tiny', 'normal', 'medium', 'long'];

function writeString(w: ByteWriter, s: string): void {
  const bytes = new TextEncoder().encode(s);
  w.varint(bytes.length);
  w.raw(bytes);
}

function writeType(w: ByteWriter, type: ColumnType): void {
  w.u8(TYPE_CODES.indexOf(type.kind));
  switch (type.kind) {
    case 'int':
      w.u8(type.bytes);
      w.u8(type.unsigned ? 1 : 0);
      w.varint(type.displayWidth ?? 0);
      return;
    case 'char':
    case 'varchar':
    case 'binary':
    case 'varbinary':
      w.varint(type.length);
      return;
    case 'text':
    case 'blob':
      w.u8(LOB_SIZES.indexOf(type.size));
      return;
    case 'double':
      w.u8(type.declaredAs === 'FLOAT' ? 1 : 0);
      return;
    case 'datetime':
      w.u8(type.fsp);
      return;
  }
}

function readType(r: ByteReader): ColumnType {
  const at = r.pos;
  const kind = TYPE_CODES[r.u8()];
  switch (kind) {
    case 'int': {
      const bytes = r.u8();
      if (![1, 2, 3, 4, 8].includes(bytes)) r.fail(`integer width ${bytes}`, at + 1);
      const unsigned = r.u8() === 1;
      const width = r.varint(255);
      return width === 0 ? { kind, bytes: bytes as IntegerBytes, unsigned } : { kind, bytes: bytes as IntegerBytes, unsigned, displayWidth: width };
    }
    case 'char':
    case 'varchar':
    case 'binary':
    case 'varbinary':
      return { kind, length: r.varint(65_535) };
    case 'text':
    case 'blob': {
      const size = LOB_SIZES[r.u8()];
      if (size === undefined) r.fail('bad LOB size', at + 1);
      return { kind, size };
    }
    case 'double':
      return { kind, declaredAs: r.u8() === 1 ? 'FLOAT' : 'DOUBLE' };
    case 'datetime': {
      const fsp = r.u8();
      if (fsp > 6) r.fail(`DATETIME fsp ${fsp}`, at + 1);
      return { kind, fsp };
    }
    default:
      return r.fail('unknown column type code', at);
  }
}

function writeIndex(w: ByteWriter, ix: IndexDef): void {
  writeString(w, ix.name);
  w.varint(ix.id);
  w.u8(ix.unique ? 1 : 0);
  w.varint(ix.columns.length);
  for (const p of ix.columns) w.varint(p);
}

function readIndex(r: ByteReader, columnCount: number): IndexDef {
  const name = r.string(256);
  const id = r.varint(MAX_INDEX_ID);
  const unique = r.u8() === 1;
  const n = r.varint(MAX_KEY_PARTS);
  const columns: number[] = [];
  for (let i = 0; i < n; i++) columns.push(r.varint(columnCount - 1));
  return { name, id, columns, unique };
}

/** The table definition record (the key is `tableRecordKey(db, name)`). */
export function encodeTableRecord(def: TableDef): Uint8Array {
  const w = new ByteWriter(256);
  w.u8(RECORD_VERSION);
  w.varint(def.id);
  writeString(w, def.database);
  writeString(w, def.name);
  w.varint(def.schemaVersion);
  writeString(w, def.comment ?? '');
  w.varint(def.columns.length);
  for (const c of def.columns) {
    writeString(w, c.name);
    writeType(w, c.type);
    w.u8((c.nullable ? 1 : 0) | (c.autoIncrement ? 2 : 0) | (c.comment === undefined ? 0 : 4));
    if (c.comment !== undefined) writeString(w, c.comment);
    const d = c.default;
    w.u8(d.kind === 'none' ? 0 : d.kind === 'null' ? 1 : d.kind === 'value' ? 2 : 3);
    if (d.kind === 'value') {
      const bytes = new RowCodec([{ name: c.name, type: c.type, nullable: true }], 0).encode([d.value]);
      w.varint(bytes.length);
      w.raw(bytes);
    }
  }
  w.u8(def.hiddenPrimaryKey ? 1 : 0);
  writeIndex(w, def.primaryKey);
  w.varint(def.secondaryIndexes.length);
  for (const ix of def.secondaryIndexes) writeIndex(w, ix);
  return sealed(w);
}

export function decodeTableRecord(value: Uint8Array): TableDef {
  const r = unsealed(value, 'catalog table record');
  const id = r.varint();
  const database = r.string(256);
  const name = r.string(256);
  const schemaVersion = r.varint();
  const comment = r.string();
  const columnCount = r.varint(MAX_COLUMNS_PER_TABLE);
  if (columnCount === 0) r.fail('table without columns');
  const columns: ColumnDef[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < columnCount; i++) {
    const at = r.pos;
    const columnName = r.string(256);
    if (seen.has(columnName.toLowerCase())) r.fail(`duplicate column ${columnName}`, at);
    seen.add(columnName.toLowerCase());
    const type = readType(r);
    const flags = r.u8();
    const columnComment = (flags & 4) !== 0 ? r.string() : undefined;
    const defaultKind = r.u8();
    let def: ColumnDefault;
    if (defaultKind === 0) def = { kind: 'none' };
    else if (defaultKind === 1) def = { kind: 'null' };
    else if (defaultKind === 3) def = { kind: 'currentTimestamp' };
    else if (defaultKind === 2) {
      const bytes = r.bytesOf(r.varint(1 << 24));
      const decoded = new RowCodec([{ name: columnName, type, nullable: true }], 0, 'catalog column default').decode(bytes);
      def = { kind: 'value', value: decoded[0]! };
    } else return r.fail(`bad default kind ${defaultKind}`);
    columns.push({ name: columnName, type, nullable: (flags & 1) !== 0, autoIncrement: (flags & 2) !== 0, default: def, comment: columnComment });
  }
  const hiddenPrimaryKey = r.u8() === 1;
  const primaryKey = readIndex(r, columnCount);
  if (hiddenPrimaryKey !== (primaryKey.columns.length === 0)) r.fail('hidden primary key flag disagrees with its columns');
  const secondaryCount = r.varint(MAX_INDEXES_PER_TABLE);
  const secondaryIndexes: IndexDef[] = [];
  for (let i = 0; i < secondaryCount; i++) secondaryIndexes.push(readIndex(r, columnCount));
  r.end();
  return { id, database, name, columns, primaryKey, hiddenPrimaryKey, secondaryIndexes, schemaVersion, comment: comment === '' ? undefined : comment };
}

/** Every record that stores the catalog, meta first, then databases and tables in key order. */
export function catalogToRecords(catalog: Catalog): CatalogRecord[] {
  const records: CatalogRecord[] = [{ key: catalogMetaKey(), value: encodeCatalogMeta(catalog) }];
  for (const db of catalog.databaseNames()) records.push({ key: databaseRecordKey(db), value: encodeDatabaseRecord() });
  const tables = catalog.allTables();
  for (const t of tables) records.push({ key: tableRecordKey(t.database, t.name), value: encodeTableRecord(t.def) });
  for (const t of tables) records.push({ key: tableCountersKey(t.database, t.name), value: encodeTableCounters(t) });
  return records;
}

/**
 * Rebuilds a catalog from its records (any order). StoredBytesCorruptError on a bad record,
 * a table whose database is missing, a table record key that disagrees with its value,
 * or two indexes with one id.
 */
export function catalogFromRecords(records: readonly CatalogRecord[]): Catalog {
  let meta: { nextIndexId: number; nextTableId: number } | undefined;
  const databases: string[] = [];
  const tables: TableDef[] = [];
  const counters = new Map<string, { autoIncrement: bigint; hiddenRowId: bigint }>();
  for (const { key, value } of records) {
    const id = key.length >= 4 ? ((key[0]! << 24) >>> 0) + (key[1]! << 16) + (key[2]! << 8) + key[3]! : -1;
    if (id === CATALOG_META_INDEX_ID) {
      metaKeys.decode(key);
      const r = unsealed(value, 'catalog meta record');
      meta = { nextIndexId: r.varint(MAX_INDEX_ID + 1), nextTableId: r.varint() };
      r.end();
    } else if (id === DATABASE_RECORD_INDEX_ID) {
      const [name] = databaseKeys.decode(key) as [string];
      unsealed(value, 'catalog database record').end();
      databases.push(name);
    } else if (id === TABLE_RECORD_INDEX_ID) {
      const [db, name] = tableKeys.decode(key) as [string, string];
      const def = decodeTableRecord(value);
      if (def.database !== db || def.name !== name) new ByteReader(key, 'catalog table key').fail(`key names ${db}.${name}, record names ${def.database}.${def.name}`, 0);
      tables.push(def);
    } else if (id === TABLE_COUNTERS_INDEX_ID) {
      const [db, name] = counterKeys.decode(key) as [string, string];
      const r = unsealed(value, 'catalog counters record');
      const read64 = (): bigint => new DataView(r.bytesOf(8).buffer).getBigUint64(0, false);
      counters.set(`${db}\u0000${name}`, { autoIncrement: read64(), hiddenRowId: read64() });
      r.end();
    } else {
      new ByteReader(key, 'catalog key').fail(`index id ${id} is not a catalog record`, 0);
    }
  }
  const catalog = new Catalog(meta?.nextIndexId, meta?.nextTableId);
  for (const db of databases) catalog.createDatabase(db);
  const usedIds = new Set<number>();
  for (const def of tables) {
    if (!catalog.hasDatabase(def.database)) new ByteReader(new Uint8Array(), 'catalog').fail(`table ${def.database}.${def.name} without its database`, 0);
    for (const ix of [def.primaryKey, ...def.secondaryIndexes]) {
      if (usedIds.has(ix.id)) new ByteReader(new Uint8Array(), 'catalog').fail(`index id ${ix.id} used twice`, 0);
      usedIds.add(ix.id);
    }
    const c = counters.get(`${def.database}\u0000${def.name}`) ?? { autoIncrement: 1n, hiddenRowId: 1n };
    catalog.restoreTable(new TableSchema(def, c));
  }
  return catalog;
}
