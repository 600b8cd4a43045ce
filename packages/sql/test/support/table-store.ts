import { compareBytes, type KeyRange, type SqlValue, type TableSchema, toHex } from '../../src/index.js';

/**
 * A table's rows encoded as the kv engine would hold them (sorted key/value arrays per
 * index), and a reader that follows a plan's key ranges. Test-only stand-in for kv.
 */
export class EncodedTable {
  readonly primary: { key: Uint8Array; value: Uint8Array }[] = [];
  readonly secondary: Uint8Array[][];
  private readonly byPrimaryKey = new Map<string, Uint8Array>();

  constructor(
    readonly table: TableSchema,
    rows: readonly SqlValue[][],
  ) {
    this.secondary = table.def.secondaryIndexes.map(() => []);
    rows.forEach((row, n) => {
      const pkValues = this.primaryValues(row, n);
      const key = table.primaryCodec.encode(pkValues);
      const value = table.rowCodec.encode(row);
      this.primary.push({ key, value });
      this.byPrimaryKey.set(toHex(key), value);
      table.def.secondaryIndexes.forEach((ix, i) => {
        this.secondary[i]!.push(table.secondaryCodecs[i]!.encodeFromRow(row, ix.columns, pkValues));
      });
    });
    this.primary.sort((a, b) => compareBytes(a.key, b.key));
    for (const keys of this.secondary) keys.sort(compareBytes);
  }

  primaryValues(row: readonly SqlValue[], rowNumber: number): SqlValue[] {
    return this.table.def.hiddenPrimaryKey ? [BigInt(rowNumber + 1)] : this.table.def.primaryKey.columns.map((p) => row[p] ?? null);
  }

  /** Rows (decoded) whose keys fall in the ranges of the given index, in key order. */
  read(indexId: number, ranges: readonly KeyRange[]): SqlValue[][] {
    const out: SqlValue[][] = [];
    const inRange = (key: Uint8Array) => ranges.some((r) => compareBytes(key, r.gte) >= 0 && compareBytes(key, r.lt) < 0);
    if (indexId === this.table.def.primaryKey.id) {
      for (const { key, value } of this.primary) if (inRange(key)) out.push(this.table.rowCodec.decode(value));
      return out;
    }
    const i = this.table.def.secondaryIndexes.findIndex((ix) => ix.id === indexId);
    const codec = this.table.secondaryCodecs[i]!;
    const pkParts = this.table.primaryKeyParts().length;
    for (const key of this.secondary[i]!) {
      if (!inRange(key)) continue;
      const parts = codec.decode(key);
      const pk = this.table.primaryCodec.encode(parts.slice(parts.length - pkParts));
      out.push(this.table.rowCodec.decode(this.byPrimaryKey.get(toHex(pk))!));
    }
    return out;
  }
}
