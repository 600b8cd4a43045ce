import { invariant } from '@lockstep/base';
import { StoredBytesCorruptError } from '../errors/stored-bytes-corrupt-error.js';
import type { SqlValue } from '../types/sql-value.js';
import { toHex } from '../types/sql-value.js';
import { ByteWriter } from './byte-writer.js';
import { decodeKeyPart, encodeKeyPart, type KeyPart } from './memcomparable.js';

/** Index ids are 4 bytes big-endian at the start of every key; ids below this are reserved for the catalog. */
export const FIRST_USER_INDEX_ID = 256;
export const MAX_INDEX_ID = 0xffff_fffe;
export const INDEX_ID_BYTES = 4;

/**
 * Encodes and decodes the keys of one index: 4-byte big-endian index id followed by the
 * memcomparable encoding of each key part. A primary key's parts are its columns (or the
 * hidden 8-byte row id when the table declared none); a secondary index's parts are its own
 * columns followed by the primary key's parts, so every secondary key is unique and carries
 * the row's primary key. Secondary index values are empty.
 *
 * Encoding a prefix (fewer values than parts) gives the key prefix every key with those
 * leading values starts with — the basis of range scans.
 */
export class IndexKeyCodec {
  readonly indexId: number;
  readonly parts: readonly KeyPart[];
  private readonly writer = new ByteWriter(64);
  private readonly what: string;

  constructor(indexId: number, parts: readonly KeyPart[], what = `key of index ${indexId}`) {
    invariant(Number.isInteger(indexId) && indexId >= 0 && indexId <= MAX_INDEX_ID, `index id ${indexId} out of range`);
    this.indexId = indexId;
    this.parts = parts;
    this.what = what;
  }

  /** The key for `values` (one per part, or fewer for a prefix), already coerced to the column types. */
  encode(values: readonly SqlValue[]): Uint8Array {
    invariant(values.length <= this.parts.length, 'more key values than key parts');
    const w = this.writer;
    w.reset();
    w.uintBE(this.indexId, INDEX_ID_BYTES);
    for (let i = 0; i < values.length; i++) encodeKeyPart(w, this.parts[i]!, values[i] ?? null);
    return w.finish();
  }

  /** Encodes values taken from `row` at `slots` (e.g. a table row and the index's column positions), then `extra`. */
  encodeFromRow(row: readonly SqlValue[], slots: readonly number[], extra?: readonly SqlValue[]): Uint8Array {
    const w = this.writer;
    w.reset();
    w.uintBE(this.indexId, INDEX_ID_BYTES);
    for (let i = 0; i < slots.length; i++) encodeKeyPart(w, this.parts[i]!, row[slots[i]!] ?? null);
    if (extra !== undefined) for (let i = 0; i < extra.length; i++) encodeKeyPart(w, this.parts[slots.length + i]!, extra[i] ?? null);
    return w.finish();
  }

  /** The index id prefix alone: every key of this index starts with it. */
  indexPrefix(): Uint8Array {
    return this.encode([]);
  }

  /** Decodes a whole key. Throws StoredBytesCorruptError (with the offset) on bad bytes or a foreign index id. */
  decode(key: Uint8Array): SqlValue[] {
    if (key.length < INDEX_ID_BYTES) throw new StoredBytesCorruptError(this.what, 0, `key of ${key.length} bytes has no index id`);
    const id = readIndexId(key);
    if (id !== this.indexId) throw new StoredBytesCorruptError(this.what, 0, `index id ${id}, expected ${this.indexId}`);
    const values: SqlValue[] = new Array<SqlValue>(this.parts.length);
    let pos = INDEX_ID_BYTES;
    for (let i = 0; i < this.parts.length; i++) {
      const r = decodeKeyPart(key, pos, this.parts[i]!, this.what);
      values[i] = r.value;
      pos = r.next;
    }
    if (pos !== key.length) throw new StoredBytesCorruptError(this.what, pos, `${key.length - pos} trailing bytes`);
    return values;
  }

  /** The encoded key parts without the index id (what write sets name). */
  static columnBytes(key: Uint8Array): Uint8Array {
    return key.subarray(INDEX_ID_BYTES);
  }
}

export function readIndexId(key: Uint8Array): number {
  return ((key[0]! << 24) >>> 0) + (key[1]! << 16) + (key[2]! << 8) + key[3]!;
}

/**
 * The smallest key greater than every key that starts with `prefix`: the last byte below
 * 0xFF is incremented and the rest dropped. Undefined when the prefix is all 0xFF (no
 * bound). Used for exclusive upper bounds of prefix ranges.
 */
export function prefixSuccessor(prefix: Uint8Array): Uint8Array | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i] !== 0xff) {
      const out = prefix.slice(0, i + 1);
      out[i] = out[i]! + 1;
      return out;
    }
  }
  return undefined;
}

/**
 * The write-set key the replica applier uses (see @lockstep/replication): `db.table:` +
 * hex of the primary key's memcomparable column bytes (index id excluded, so it does not
 * depend on how a server numbered its indexes). For a unique secondary key pass its name:
 * `db.table.index:` + hex of the unique columns' bytes.
 */
export function keyHex(database: string, table: string, columnBytes: Uint8Array, uniqueIndexName?: string): string {
  return `${database}.${table}${uniqueIndexName === undefined ? '' : `.${uniqueIndexName}`}:${toHex(columnBytes)}`;
}
