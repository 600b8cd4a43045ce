import type { ColumnDef } from '../column-types.js';
import { BinlogEncodeError } from '../errors/binlog-encode-error.js';
import type { TableMapBody } from '../events.js';
import { type ByteReader, InvalidField } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';
import { columnTypeCode, isNumericTypeCode, readColumnDef, writeColumnMetadata } from './row-image.js';

/** Optional-metadata field type 1: one bit per numeric column, MSB first, set = unsigned. */
const OPTIONAL_SIGNEDNESS = 1;

function isUnsignedColumn(c: ColumnDef): boolean {
  return (c.type === 'tinyint' || c.type === 'smallint' || c.type === 'mediumint' || c.type === 'int' || c.type === 'bigint') && c.unsigned;
}

export function writeTableMap(w: ByteWriter, body: TableMapBody): void {
  if (!Number.isSafeInteger(body.tableId) || body.tableId < 0 || body.tableId >= 2 ** 48) throw new BinlogEncodeError(`table id ${body.tableId} is not a 48-bit unsigned integer`);
  w.uint(body.tableId, 6);
  w.u16(body.tableFlags);
  w.shortName(body.database, 'database name');
  w.shortName(body.table, 'table name');
  const columns = body.columns;
  w.packed(columns.length);
  for (const c of columns) w.u8(columnTypeCode(c));
  // The metadata's length (a packed integer) precedes it: write it, take it, write both.
  const metaAt = w.pos;
  for (const c of columns) writeColumnMetadata(w, c);
  const meta = w.buf.slice(metaAt, w.pos);
  w.pos = metaAt;
  w.packed(meta.length);
  w.bytes(meta);
  const nullBitmap = new Uint8Array((columns.length + 7) >> 3);
  columns.forEach((c, i) => {
    if (c.nullable) nullBitmap[i >> 3]! |= 1 << (i & 7);
  });
  w.bytes(nullBitmap);
  if (columns.some(isUnsignedColumn)) {
    const numeric = columns.filter((c) => isNumericTypeCode(columnTypeCode(c)));
    const bits = new Uint8Array((numeric.length + 7) >> 3);
    numeric.forEach((c, i) => {
      if (isUnsignedColumn(c)) bits[i >> 3]! |= 0x80 >> (i & 7);
    });
    w.u8(OPTIONAL_SIGNEDNESS);
    w.packed(bits.length);
    w.bytes(bits);
  }
  for (const field of body.optionalMetadata ?? []) {
    if (field.type === OPTIONAL_SIGNEDNESS) throw new BinlogEncodeError('SIGNEDNESS optional metadata comes from the columns, not optionalMetadata');
    w.u8(field.type);
    w.packed(field.value.length);
    w.bytes(field.value);
  }
}

/** Reads a TABLE_MAP body from `r.pos` (after the post-header's start) to `r.end`. */
export function readTableMap(r: ByteReader, postHeaderLength: number): TableMapBody {
  const postStart = r.pos;
  const tableId = postHeaderLength === 6 ? r.u32() : r.uint(6);
  const tableFlags = r.u16();
  r.pos = postStart + postHeaderLength;
  const dbLength = r.u8();
  const database = r.string(dbLength);
  if (r.u8() !== 0) throw new InvalidField('database name not zero-terminated');
  const tableLength = r.u8();
  const table = r.string(tableLength);
  if (r.u8() !== 0) throw new InvalidField('table name not zero-terminated');
  const count = r.packed();
  if (count > r.remaining) throw new InvalidField(`column count ${count} exceeds the event`);
  const types = r.bytes(count);
  const metaLength = r.packed();
  const metaEnd = r.pos + metaLength;
  if (metaEnd > r.end) throw new InvalidField(`metadata length ${metaLength} exceeds the event`);
  const nullAt = metaEnd;
  r.need(metaLength + ((count + 7) >> 3));
  const nullBitmap = r.buf.subarray(nullAt, nullAt + ((count + 7) >> 3));
  const outer = r.end;
  r.end = metaEnd;
  const columns: ColumnDef[] = [];
  for (let i = 0; i < count; i++) {
    const nullable = (nullBitmap[i >> 3]! & (1 << (i & 7))) !== 0;
    columns.push(readColumnDef(r, types[i]!, nullable));
  }
  if (r.pos !== metaEnd) throw new InvalidField(`column metadata is ${metaLength} bytes but the columns use ${r.pos - (metaEnd - metaLength)}`);
  r.end = outer;
  r.pos = nullAt + ((count + 7) >> 3);
  const optional: { type: number; value: Uint8Array }[] = [];
  while (r.remaining > 0) {
    const type = r.u8();
    const length = r.packed();
    const value = r.copy(length);
    if (type === OPTIONAL_SIGNEDNESS) {
      let n = 0;
      columns.forEach((c, i) => {
        if (!isNumericTypeCode(types[i]!)) return;
        const unsigned = ((value[n >> 3] ?? 0) & (0x80 >> (n & 7))) !== 0;
        n++;
        if (unsigned && (c.type === 'tinyint' || c.type === 'smallint' || c.type === 'mediumint' || c.type === 'int' || c.type === 'bigint')) {
          columns[i] = { ...c, unsigned: true };
        }
      });
    } else {
      optional.push({ type, value });
    }
  }
  const body: TableMapBody = { kind: 'tableMap', tableId, tableFlags, database, table, columns };
  return optional.length > 0 ? { ...body, optionalMetadata: optional } : body;
}
