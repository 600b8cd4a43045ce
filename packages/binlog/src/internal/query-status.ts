import { BinlogEncodeError } from '../errors/binlog-encode-error.js';
import type { QueryStatus } from '../events.js';
import type { ByteReader } from './byte-reader.js';
import { type ByteWriter, utf8Bytes } from './byte-writer.js';

const Q = {
  FLAGS2: 0,
  SQL_MODE: 1,
  AUTO_INCREMENT: 3,
  CHARSET: 4,
  TIME_ZONE: 5,
  CATALOG_NZ: 6,
  LC_TIME_NAMES: 7,
  CHARSET_DATABASE: 8,
  TABLE_MAP_FOR_UPDATE: 9,
  MASTER_DATA_WRITTEN: 10,
  INVOKER: 11,
  UPDATED_DB_NAMES: 12,
  MICROSECONDS: 13,
  HRNOW: 128,
  XID: 129,
} as const;

function shortString(w: ByteWriter, text: string, what: string): void {
  const data = utf8Bytes(text);
  if (data.length > 255) throw new BinlogEncodeError(`${what} is more than 255 bytes`);
  w.u8(data.length);
  w.bytes(data);
}

/** Writes the status variables in the order MariaDB 10.11 does (see FORMAT.md). */
export function writeQueryStatus(w: ByteWriter, s: QueryStatus): void {
  if (s.flags2 !== undefined) {
    w.u8(Q.FLAGS2);
    w.u32(s.flags2);
  }
  if (s.sqlMode !== undefined) {
    w.u8(Q.SQL_MODE);
    w.u64(s.sqlMode);
  }
  if (s.catalog !== undefined) {
    w.u8(Q.CATALOG_NZ);
    shortString(w, s.catalog, 'catalog');
  }
  if (s.autoIncrement !== undefined) {
    w.u8(Q.AUTO_INCREMENT);
    w.u16(s.autoIncrement.increment);
    w.u16(s.autoIncrement.offset);
  }
  if (s.charset !== undefined) {
    w.u8(Q.CHARSET);
    w.u16(s.charset.client);
    w.u16(s.charset.connection);
    w.u16(s.charset.server);
  }
  if (s.timeZone !== undefined) {
    w.u8(Q.TIME_ZONE);
    shortString(w, s.timeZone, 'time zone');
  }
  if (s.lcTimeNames !== undefined) {
    w.u8(Q.LC_TIME_NAMES);
    w.u16(s.lcTimeNames);
  }
  if (s.charsetDatabase !== undefined) {
    w.u8(Q.CHARSET_DATABASE);
    w.u16(s.charsetDatabase);
  }
  if (s.tableMapForUpdate !== undefined) {
    w.u8(Q.TABLE_MAP_FOR_UPDATE);
    w.u64(s.tableMapForUpdate);
  }
  if (s.masterDataWritten !== undefined) {
    w.u8(Q.MASTER_DATA_WRITTEN);
    w.u32(s.masterDataWritten);
  }
  if (s.invoker !== undefined) {
    w.u8(Q.INVOKER);
    shortString(w, s.invoker.user, 'invoker user');
    shortString(w, s.invoker.host, 'invoker host');
  }
  if (s.updatedDbNames !== undefined) {
    if (s.updatedDbNames.length > 253) throw new BinlogEncodeError("more than 253 updated database names");
    w.u8(Q.UPDATED_DB_NAMES);
    w.u8(s.updatedDbNames.length);
    for (const name of s.updatedDbNames) {
      const data = utf8Bytes(name);
      if (data.includes(0)) throw new BinlogEncodeError('database name contains a zero byte');
      w.bytes(data);
      w.u8(0);
    }
  }
  if (s.microseconds !== undefined) {
    w.u8(Q.MICROSECONDS);
    w.u24(s.microseconds);
  }
  if (s.hrnow !== undefined) {
    w.u8(Q.HRNOW);
    w.u24(s.hrnow);
  }
  if (s.xid !== undefined) {
    w.u8(Q.XID);
    w.u64(s.xid);
  }
  if (s.unknownStatus !== undefined) w.bytes(s.unknownStatus);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Reads status variables from `r.pos` to `r.end`; stops at an unknown code and keeps the rest raw. */
export function readQueryStatus(r: ByteReader): QueryStatus {
  const s: Mutable<QueryStatus> = {};
  while (r.remaining > 0) {
    const at = r.pos;
    const code = r.u8();
    switch (code) {
      case Q.FLAGS2:
        s.flags2 = r.u32();
        break;
      case Q.SQL_MODE:
        s.sqlMode = r.u64();
        break;
      case Q.CATALOG_NZ:
        s.catalog = r.string(r.u8());
        break;
      case Q.AUTO_INCREMENT:
        s.autoIncrement = { increment: r.u16(), offset: r.u16() };
        break;
      case Q.CHARSET:
        s.charset = { client: r.u16(), connection: r.u16(), server: r.u16() };
        break;
      case Q.TIME_ZONE:
        s.timeZone = r.string(r.u8());
        break;
      case Q.LC_TIME_NAMES:
        s.lcTimeNames = r.u16();
        break;
      case Q.CHARSET_DATABASE:
        s.charsetDatabase = r.u16();
        break;
      case Q.TABLE_MAP_FOR_UPDATE:
        s.tableMapForUpdate = r.u64();
        break;
      case Q.MASTER_DATA_WRITTEN:
        s.masterDataWritten = r.u32();
        break;
      case Q.INVOKER:
        s.invoker = { user: r.string(r.u8()), host: r.string(r.u8()) };
        break;
      case Q.UPDATED_DB_NAMES: {
        const count = r.u8();
        const names: string[] = [];
        // 254 means "too many to list" and is followed by nothing.
        for (let i = 0; i < count && count !== 254; i++) {
          const start = r.pos;
          while (r.u8() !== 0) {
            /* scan to the terminator */
          }
          names.push(new TextDecoder().decode(r.buf.subarray(start, r.pos - 1)));
        }
        s.updatedDbNames = names;
        break;
      }
      case Q.MICROSECONDS:
        s.microseconds = r.u24();
        break;
      case Q.HRNOW:
        s.hrnow = r.u24();
        break;
      case Q.XID:
        s.xid = r.u64();
        break;
      default:
        r.pos = at;
        s.unknownStatus = r.copy(r.remaining);
    }
  }
  return s;
}
