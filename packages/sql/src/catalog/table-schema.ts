import { invariant } from '@lockstep/base';
import { UnknownColumnError } from '../errors/unknown-column-error.js';
import { IndexKeyCodec } from '../keys/index-key.js';
import type { KeyPart } from '../keys/memcomparable.js';
import type { ColumnDefault } from '../parser/ast.js';
import { RowCodec } from '../rows/row-codec.js';
import type { ColumnType } from '../types/column-type.js';

export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
  readonly default: ColumnDefault;
  readonly autoIncrement: boolean;
  readonly comment: string | undefined;
}

export interface IndexDef {
  /** 'PRIMARY' for the primary key. */
  readonly name: string;
  /** The 4-byte id every key of this index starts with; unique in the catalog, never reused. */
  readonly id: number;
  /** Column positions in the table; empty for a hidden primary key. */
  readonly columns: readonly number[];
  readonly unique: boolean;
}

export interface TableDef {
  /** Catalog-wide table id (binlog table maps will use it). */
  readonly id: number;
  readonly database: string;
  readonly name: string;
  readonly columns: readonly ColumnDef[];
  readonly primaryKey: IndexDef;
  /** True when the table declared no primary key: rows are keyed by a hidden 8-byte row id, as MyRocks does. */
  readonly hiddenPrimaryKey: boolean;
  readonly secondaryIndexes: readonly IndexDef[];
  /** Bumped when the row layout changes (ALTER, later); stored in every row's first bytes. */
  readonly schemaVersion: number;
  readonly comment: string | undefined;
}

/** The hidden primary key's one part: BIGINT UNSIGNED NOT NULL, as MyRocks' hidden pk. */
export const HIDDEN_PK_PART: KeyPart = { type: { kind: 'int', bytes: 8, unsigned: true }, nullable: false };

/** Mutable counters of a table: the next AUTO_INCREMENT value and the next hidden row id. */
export interface TableCounters {
  autoIncrement: bigint;
  hiddenRowId: bigint;
}

/**
 * A table definition with what is derived from it: the row codec, the key codecs of the
 * primary key and each secondary index, and a case-insensitive column lookup.
 *
 * Invariants: column names are unique ignoring case; every index's column positions are
 * in range; a secondary index's key parts are its columns followed by the primary key's
 * parts (so its keys are unique and end with the row's primary key).
 */
export class TableSchema {
  readonly def: TableDef;
  readonly counters: TableCounters;
  readonly rowCodec: RowCodec;
  readonly primaryCodec: IndexKeyCodec;
  /** Parallel to `def.secondaryIndexes`. */
  readonly secondaryCodecs: readonly IndexKeyCodec[];
  /** Position of the AUTO_INCREMENT column, or -1. */
  readonly autoIncrementColumn: number;
  private readonly columnByName: ReadonlyMap<string, number>;

  constructor(def: TableDef, counters: TableCounters) {
    this.def = def;
    this.counters = counters;
    const byName = new Map<string, number>();
    def.columns.forEach((c, i) => {
      const key = c.name.toLowerCase();
      invariant(!byName.has(key), () => `duplicate column ${c.name}`);
      byName.set(key, i);
    });
    this.columnByName = byName;
    const label = `${def.database}.${def.name}`;
    this.rowCodec = new RowCodec(def.columns, def.schemaVersion, `row of ${label}`);
    const pkParts = this.primaryKeyParts();
    this.primaryCodec = new IndexKeyCodec(def.primaryKey.id, pkParts, `primary key of ${label}`);
    this.secondaryCodecs = def.secondaryIndexes.map(
      (ix) => new IndexKeyCodec(ix.id, [...ix.columns.map((p) => this.partOf(p)), ...pkParts], `key of index ${ix.name} of ${label}`),
    );
    this.autoIncrementColumn = def.columns.findIndex((c) => c.autoIncrement);
  }

  get database(): string {
    return this.def.database;
  }

  get name(): string {
    return this.def.name;
  }

  get columns(): readonly ColumnDef[] {
    return this.def.columns;
  }

  /** Key parts of the primary key (the hidden row id when there is none). */
  primaryKeyParts(): KeyPart[] {
    return this.def.hiddenPrimaryKey ? [HIDDEN_PK_PART] : this.def.primaryKey.columns.map((p) => this.partOf(p));
  }

  private partOf(position: number): KeyPart {
    const c = this.def.columns[position];
    invariant(c !== undefined, () => `index column position ${position} out of range`);
    return { type: c.type, nullable: c.nullable };
  }

  /** Column position by name (case-insensitive), or -1. */
  findColumn(name: string): number {
    return this.columnByName.get(name.toLowerCase()) ?? -1;
  }

  /** Column position by name; UnknownColumnError (1054) naming `context` ('field list', 'where clause') when missing. */
  columnPosition(name: string, context = 'field list'): number {
    const i = this.findColumn(name);
    if (i < 0) throw new UnknownColumnError(name, context);
    return i;
  }

  /** A secondary index by name (case-insensitive), or undefined. */
  findIndex(name: string): IndexDef | undefined {
    const lower = name.toLowerCase();
    return this.def.secondaryIndexes.find((ix) => ix.name.toLowerCase() === lower);
  }

  /** Every index id of the table (primary first): the key ranges a DROP TABLE deletes. */
  indexIds(): number[] {
    return [this.def.primaryKey.id, ...this.def.secondaryIndexes.map((ix) => ix.id)];
  }
}
