import type { ColumnDef } from './column-types.js';
import { BinlogCorruptError } from './errors/binlog-corrupt-error.js';
import { BinlogEncodeError } from './errors/binlog-encode-error.js';
import { BinlogTruncatedError } from './errors/binlog-truncated-error.js';
import { BinlogUnsupportedError } from './errors/binlog-unsupported-error.js';
import {
  BINLOG_VERSION,
  CHECKSUM_LENGTH,
  COMMON_HEADER_LENGTH,
  EventFlag,
  EventType,
  GtidFlag,
  MARIADB_10_11_POST_HEADER_LENGTHS,
} from './event-types.js';
import type { BinlogEvent, EventBody, EventHeader, EventInput, EventOf, HeaderDefaults, PositionedBinlogEvent, RowImage, RowsBody, TableMapBody } from './events.js';
import type { Gtid } from './gtid.js';
import { ByteReader, decodeUtf8, InvalidField, OutOfBounds } from './internal/byte-reader.js';
import { crc32 } from '@lockstep/base';
import { ByteWriter, utf8Bytes } from './internal/byte-writer.js';
import { readQueryStatus, writeQueryStatus } from './internal/query-status.js';
import { readRowImage, UnsupportedColumn, writeRowImage } from './internal/row-image.js';
import { readTableMap, writeTableMap } from './internal/table-map-codec.js';

/** Largest event the codec accepts by default (MariaDB's max_allowed_packet ceiling is 1 GiB). */
export const DEFAULT_MAX_EVENT_BYTES = 64 * 1024 * 1024;
/** Most table maps a decoder or encoder remembers; the oldest is forgotten past it. */
export const DEFAULT_MAX_TABLE_MAPS = 4096;

const ROWS_KIND_BY_TYPE: Record<number, RowsBody['kind']> = {
  [EventType.WRITE_ROWS_V1]: 'writeRows',
  [EventType.UPDATE_ROWS_V1]: 'updateRows',
  [EventType.DELETE_ROWS_V1]: 'deleteRows',
};

/** The type byte an event body is written with. */
export function eventTypeCode(body: EventBody): number {
  switch (body.kind) {
    case 'formatDescription':
      return EventType.FORMAT_DESCRIPTION;
    case 'rotate':
      return EventType.ROTATE;
    case 'gtidList':
      return EventType.GTID_LIST;
    case 'binlogCheckpoint':
      return EventType.BINLOG_CHECKPOINT;
    case 'gtid':
      return EventType.GTID;
    case 'query':
      return EventType.QUERY;
    case 'xid':
      return EventType.XID;
    case 'heartbeat':
      return EventType.HEARTBEAT;
    case 'annotateRows':
      return EventType.ANNOTATE_ROWS;
    case 'stop':
      return EventType.STOP;
    case 'tableMap':
      return EventType.TABLE_MAP;
    case 'writeRows':
      return EventType.WRITE_ROWS_V1;
    case 'updateRows':
      return EventType.UPDATE_ROWS_V1;
    case 'deleteRows':
      return EventType.DELETE_ROWS_V1;
    case 'unknown':
      return body.typeCode;
  }
}

/** A bounded map from table id to table map: insertion order, the oldest evicted past `max`. */
class TableMapCache {
  readonly #maps = new Map<number, TableMapBody>();
  constructor(readonly max: number) {}

  set(map: TableMapBody): void {
    this.#maps.delete(map.tableId);
    this.#maps.set(map.tableId, map);
    if (this.#maps.size > this.max) this.#maps.delete(this.#maps.keys().next().value!);
  }

  get(tableId: number): TableMapBody | undefined {
    return this.#maps.get(tableId);
  }

  get size(): number {
    return this.#maps.size;
  }

  clear(): void {
    this.#maps.clear();
  }
}

function allPresent(count: number): readonly boolean[] {
  if (count >= 64) return new Array<boolean>(count).fill(true);
  const shared = ALL_PRESENT[count] ?? Object.freeze(new Array<boolean>(count).fill(true));
  ALL_PRESENT[count] = shared as boolean[];
  return shared;
}

function writeBitmap(w: ByteWriter, bits: readonly boolean[]): void {
  const n = (bits.length + 7) >> 3;
  const at = w.pos;
  w.zeros(n);
  for (let i = 0; i < bits.length; i++) if (bits[i]) w.buf[at + (i >> 3)]! |= 1 << (i & 7);
}

function writeU32At(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = (v >>> 24) & 0xff;
}

export interface EncoderOptions {
  /** Append a CRC-32 to every event (FORMAT_DESCRIPTION always has one). Default true. */
  readonly checksum?: boolean;
  readonly maxTableMaps?: number;
}

/**
 * Encodes events. Rows events need the table map of their table: the encoder remembers
 * every TABLE_MAP it encoded (up to `maxTableMaps`), or take one with `rememberTableMap`.
 */
export class BinlogEventEncoder {
  readonly checksum: boolean;
  readonly #tables: TableMapCache;
  #w = new ByteWriter(1024);

  constructor(options: EncoderOptions = {}) {
    this.checksum = options.checksum ?? true;
    this.#tables = new TableMapCache(options.maxTableMaps ?? DEFAULT_MAX_TABLE_MAPS);
  }

  rememberTableMap(map: TableMapBody): void {
    this.#tables.set(map);
  }

  /**
   * The event's bytes. `logPos` overrides the event's own (the writer passes the next
   * offset); header fields missing from `event` come from `defaults` (else 0).
   */
  encode(event: BinlogEvent | EventInput, logPos?: number, defaults?: HeaderDefaults): Uint8Array {
    const w = this.#w;
    w.pos = 0;
    this.encodeInto(w, event, logPos, 0, defaults);
    return w.buf.slice(0, w.pos);
  }

  /**
   * Encodes `events` back to back into one buffer (one allocation for the lot), the
   * header log positions counting from `baseOffset` (the file offset of the first byte).
   */
  encodeMany(events: Iterable<BinlogEvent | EventInput>, baseOffset = 0, defaults?: HeaderDefaults): Uint8Array {
    const w = new ByteWriter(64 * 1024);
    for (const event of events) this.encodeInto(w, event, 'end', baseOffset, defaults);
    return w.result();
  }

  /**
   * Appends the event to `w`. With `logPos === 'end'` the header's log position is the
   * offset just past the event, counting `baseOffset` as `w`'s first byte's file offset.
   */
  encodeInto(w: ByteWriter, event: BinlogEvent | EventInput, logPos?: number | 'end', baseOffset = 0, defaults?: HeaderDefaults): void {
    const start = w.pos;
    const type = eventTypeCode(event);
    w.zeros(COMMON_HEADER_LENGTH);
    this.#writeBody(w, event);
    const withChecksum = this.checksum || event.kind === 'formatDescription';
    const size = w.pos - start + (withChecksum ? CHECKSUM_LENGTH : 0);
    if (size > 0xffffffff) throw new BinlogEncodeError(`event of ${size} bytes is over 4 GiB`);
    const pos = logPos === 'end' ? baseOffset + start + size : (logPos ?? event.logPos ?? 0);
    const timestamp = event.timestamp ?? defaults?.timestamp ?? 0;
    const serverId = event.serverId ?? defaults?.serverId ?? 0;
    const flags = event.flags ?? defaults?.flags ?? 0;
    // The header goes in front of the body now that the size is known (no second buffer).
    const b = w.buf;
    writeU32At(b, start, timestamp);
    b[start + 4] = type;
    writeU32At(b, start + 5, serverId);
    writeU32At(b, start + 9, size);
    writeU32At(b, start + 13, pos);
    b[start + 17] = flags & 0xff;
    b[start + 18] = flags >>> 8;
    if (withChecksum) {
      let crc: number;
      if (event.kind === 'formatDescription') {
        // Computed as if the in-use flag were clear, so clearing it later keeps the CRC valid.
        const flagsAt = start + 17;
        const saved = w.buf[flagsAt]!;
        w.buf[flagsAt] = saved & ~EventFlag.BINLOG_IN_USE;
        crc = crc32(w.buf, 0, start, w.pos);
        w.buf[flagsAt] = saved;
      } else {
        crc = crc32(w.buf, 0, start, w.pos);
      }
      w.u32(crc);
    }
  }

  #writeBody(w: ByteWriter, event: EventBody): void {
    switch (event.kind) {
      case 'formatDescription': {
        w.u16(event.binlogVersion);
        const version = utf8Bytes(event.serverVersion);
        if (version.length > 50) throw new BinlogEncodeError('server version is more than 50 bytes');
        w.bytes(version);
        w.zeros(50 - version.length);
        w.u32(event.createTimestamp);
        w.u8(COMMON_HEADER_LENGTH);
        for (const n of event.postHeaderLengths) w.u8(n);
        w.u8(event.checksum === 'crc32' ? 1 : 0);
        return;
      }
      case 'rotate':
        w.u64(event.position);
        w.bytes(utf8Bytes(event.nextFile));
        return;
      case 'gtidList':
        if (event.gtids.length >= 1 << 28) throw new BinlogEncodeError('GTID list longer than 2^28');
        w.u32((event.gtids.length | (event.listFlags << 28)) >>> 0);
        for (const g of event.gtids) writeGtidEntry(w, g);
        // MariaDB pads an empty list with two zero bytes (seen in 10.11's first file).
        if (event.gtids.length === 0) w.zeros(2);
        return;
      case 'binlogCheckpoint': {
        const name = utf8Bytes(event.file);
        w.u32(name.length);
        w.bytes(name);
        return;
      }
      case 'gtid': {
        w.u64(event.seqNo);
        checkU32(event.domainId, 'domain id');
        w.u32(event.domainId);
        let flags = event.gtidFlags & ~GtidFlag.GROUP_COMMIT_ID;
        if (event.commitId !== undefined) flags |= GtidFlag.GROUP_COMMIT_ID;
        w.u8(flags);
        // Without a commit id, 6 zero bytes — unless the group is XA, whose XID (format id,
        // lengths, data) then starts right here and is carried in `extra`.
        if (event.commitId !== undefined) w.u64(event.commitId);
        else if ((flags & (GtidFlag.PREPARED_XA | GtidFlag.COMPLETED_XA)) === 0) w.zeros(6);
        w.bytes(event.extra);
        return;
      }
      case 'query': {
        checkU32(event.threadId, 'thread id');
        w.u32(event.threadId);
        w.u32(event.execTimeS);
        const db = utf8Bytes(event.database);
        if (db.length > 255) throw new BinlogEncodeError('database name is more than 255 bytes');
        w.u8(db.length);
        w.u16(event.errorCode);
        const lengthAt = w.pos;
        w.u16(0);
        const statusAt = w.pos;
        writeQueryStatus(w, event.status);
        const statusLength = w.pos - statusAt;
        if (statusLength > 0xffff) throw new BinlogEncodeError('status variables are more than 65535 bytes');
        w.buf[lengthAt] = statusLength & 0xff;
        w.buf[lengthAt + 1] = statusLength >> 8;
        w.bytes(db);
        w.u8(0);
        w.bytes(utf8Bytes(event.sql));
        return;
      }
      case 'xid':
        w.u64(event.xid);
        return;
      case 'heartbeat':
        w.bytes(utf8Bytes(event.logFile));
        return;
      case 'annotateRows':
        w.bytes(utf8Bytes(event.sql));
        return;
      case 'stop':
        return;
      case 'tableMap':
        this.#writeTableMapCached(w, event);
        this.#tables.set(event);
        return;
      case 'writeRows':
      case 'deleteRows':
      case 'updateRows':
        this.#writeRows(w, event);
        return;
      case 'unknown':
        w.bytes(event.body);
        return;
    }
  }

  /**
   * A table map is written before every statement; its bytes depend only on the table.
   * They are kept per column-list object (the SQL layer keeps one per table version) and
   * reused when every other field matches too.
   */
  #writeTableMapCached(w: ByteWriter, event: TableMapBody): void {
    const hit = this.#tableMapBytes.get(event.columns);
    if (
      hit?.tableId === event.tableId &&
      hit.tableFlags === event.tableFlags &&
      hit.database === event.database &&
      hit.table === event.table &&
      hit.optionalMetadata === event.optionalMetadata
    ) {
      w.bytes(hit.bytes);
      return;
    }
    const start = w.pos;
    writeTableMap(w, event);
    const { tableId, tableFlags, database, table, optionalMetadata } = event;
    this.#tableMapBytes.set(event.columns, { tableId, tableFlags, database, table, optionalMetadata, bytes: w.buf.slice(start, w.pos) });
  }

  readonly #tableMapBytes = new WeakMap<
    readonly ColumnDef[],
    {
      readonly tableId: number;
      readonly tableFlags: number;
      readonly database: string;
      readonly table: string;
      readonly optionalMetadata: TableMapBody['optionalMetadata'] | undefined;
      readonly bytes: Uint8Array;
    }
  >();

  #writeRows(w: ByteWriter, event: RowsBody): void {
    const map = this.#tables.get(event.tableId);
    if (map === undefined) throw new BinlogEncodeError(`rows event for table id ${event.tableId} without its table map`);
    const columns = map.columns;
    if (event.columnCount !== columns.length) throw new BinlogEncodeError(`rows event has ${event.columnCount} columns, table map ${columns.length}`);
    w.uint(event.tableId, 6);
    w.u16(event.rowsFlags);
    w.packed(columns.length);
    const present = event.columnsPresent ?? allPresent(columns.length);
    if (present.length !== columns.length) throw new BinlogEncodeError('columns-present bitmap has the wrong length');
    // An image of no columns is zero bytes: the rows could not be counted back.
    if (!present.includes(true)) throw new BinlogEncodeError('a row image needs at least one present column');
    writeBitmap(w, present);
    if (event.kind === 'updateRows') {
      const after = event.columnsPresentAfter ?? allPresent(columns.length);
      if (after.length !== columns.length) throw new BinlogEncodeError('after-image bitmap has the wrong length');
      if (!after.includes(true)) throw new BinlogEncodeError('a row image needs at least one present column');
      writeBitmap(w, after);
      for (const row of event.rows) {
        writeRowImage(w, columns, present, row.before);
        writeRowImage(w, columns, after, row.after);
      }
    } else {
      for (const row of event.rows) writeRowImage(w, columns, present, row);
    }
  }
}

function writeGtidEntry(w: ByteWriter, g: Gtid): void {
  checkU32(g.domainId, 'domain id');
  checkU32(g.serverId, 'server id');
  w.u32(g.domainId);
  w.u32(g.serverId);
  w.u64(g.seqNo);
}

function checkU32(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new BinlogEncodeError(`${what} ${v} is not a u32`);
}

export interface DecoderOptions {
  /** File name for error messages and positions ('' for loose bytes). */
  readonly file?: string;
  /**
   * Whether events carry a CRC-32. A FORMAT_DESCRIPTION event decoded by this decoder
   * sets it from its checksum-algorithm byte. Default true.
   */
  readonly checksum?: boolean;
  /** Check every CRC-32 (default true). Off only for trusted bytes already verified. */
  readonly verifyChecksums?: boolean;
  readonly maxEventBytes?: number;
  readonly maxTableMaps?: number;
  /** Keep rows events' values as views into the input (no copy; default false copies). */
  readonly zeroCopy?: boolean;
}

/**
 * Decodes events one at a time, keeping the state a stream needs: the checksum setting
 * and post-header lengths from the last FORMAT_DESCRIPTION, and the table maps that rows
 * events refer to. Every failure is a typed error with the file and offset:
 * BinlogTruncatedError (bytes end inside the event), BinlogCorruptError (anything
 * malformed, checksum included), BinlogUnsupportedError (a row of a column type not
 * decoded). Unknown event types decode to `unknown` events.
 */
export class BinlogEventDecoder {
  file: string;
  checksum: boolean;
  readonly verifyChecksums: boolean;
  readonly maxEventBytes: number;
  readonly zeroCopy: boolean;
  #postHeaderLengths: readonly number[] = MARIADB_10_11_POST_HEADER_LENGTHS;
  readonly #tables: TableMapCache;
  readonly #reader = new ByteReader(new Uint8Array(0), 0, 0);
  readonly #header: { -readonly [K in keyof EventHeader]: EventHeader[K] } = { timestamp: 0, serverId: 0, logPos: 0, flags: 0 };
  /** Raw bytes of the last table map per table id, to reuse its decoded columns when repeated. */
  readonly #tableMapBytes = new Map<number, Uint8Array>();

  constructor(options: DecoderOptions = {}) {
    this.file = options.file ?? '';
    this.checksum = options.checksum ?? true;
    this.verifyChecksums = options.verifyChecksums ?? true;
    this.maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    this.zeroCopy = options.zeroCopy ?? false;
    this.#tables = new TableMapCache(options.maxTableMaps ?? DEFAULT_MAX_TABLE_MAPS);
  }

  tableMap(tableId: number): TableMapBody | undefined {
    return this.#tables.get(tableId);
  }

  rememberTableMap(map: TableMapBody): void {
    this.#tables.set(map);
  }

  /**
   * Size of the event starting at `buf[at]` from its header, or undefined when fewer than
   * 19 bytes are there. Throws BinlogCorruptError for an impossible size.
   */
  eventSizeAt(buf: Uint8Array, at: number, fileOffset = at): number | undefined {
    if (buf.length - at < COMMON_HEADER_LENGTH) return undefined;
    const size = (buf[at + 9]! | (buf[at + 10]! << 8) | (buf[at + 11]! << 16)) + buf[at + 12]! * 0x1000000;
    const min = COMMON_HEADER_LENGTH + (this.checksum ? CHECKSUM_LENGTH : 0);
    if (size < min) throw new BinlogCorruptError(this.file, fileOffset, `event size ${size} is less than ${min}`);
    if (size > this.maxEventBytes) throw new BinlogCorruptError(this.file, fileOffset, `event size ${size} is over the limit of ${this.maxEventBytes} bytes`);
    return size;
  }

  /**
   * Decodes the event at `buf[at]`. `fileOffset` is that byte's offset in the file (for
   * positions and errors; default `at`).
   */
  decode(buf: Uint8Array, at = 0, fileOffset = at): PositionedBinlogEvent {
    const size = this.eventSizeAt(buf, at, fileOffset);
    if (size === undefined) throw new BinlogTruncatedError(this.file, fileOffset, buf.length - at, COMMON_HEADER_LENGTH);
    if (buf.length - at < size) throw new BinlogTruncatedError(this.file, fileOffset, buf.length - at, size);
    const typeCode = buf[at + 4]!;
    try {
      return this.#decodeComplete(buf, at, size, typeCode, fileOffset);
    } catch (error) {
      if (error instanceof OutOfBounds) throw new BinlogCorruptError(this.file, fileOffset, `type ${typeCode} event: a field at byte ${error.at - at} needs ${error.need} bytes past the event's end`);
      if (error instanceof InvalidField) throw new BinlogCorruptError(this.file, fileOffset, `type ${typeCode} event: ${error.detail}`);
      if (error instanceof UnsupportedColumn) throw new BinlogUnsupportedError(this.file, fileOffset, error.detail);
      if (error instanceof RangeError || error instanceof TypeError) throw new BinlogCorruptError(this.file, fileOffset, `type ${typeCode} event: ${error.message}`, error);
      throw error;
    }
  }

  #decodeComplete(buf: Uint8Array, at: number, size: number, typeCode: number, fileOffset: number): PositionedBinlogEvent {
    const isFde = typeCode === EventType.FORMAT_DESCRIPTION;
    const hasChecksum = isFde || this.checksum;
    const end = at + size - (hasChecksum ? CHECKSUM_LENGTH : 0);
    if (end < at + COMMON_HEADER_LENGTH) throw new InvalidField(`event size ${size} leaves no room for the header`);
    if (hasChecksum && this.verifyChecksums) {
      const stored = (buf[end]! | (buf[end + 1]! << 8) | (buf[end + 2]! << 16)) + buf[end + 3]! * 0x1000000;
      let actual: number;
      if (isFde) {
        let c = crc32(buf, 0, at, at + 17);
        c = crc32(Uint8Array.of(buf[at + 17]! & ~EventFlag.BINLOG_IN_USE), c);
        actual = crc32(buf, c, at + 18, end);
      } else {
        actual = crc32(buf, 0, at, end);
      }
      if (actual !== stored) {
        throw new BinlogCorruptError(this.file, fileOffset, `checksum mismatch in type ${typeCode} event: stored 0x${stored.toString(16)}, computed 0x${actual.toString(16)}`);
      }
    }
    const r = this.#reader;
    r.reset(buf, at + COMMON_HEADER_LENGTH, end);
    // Every event object is one literal with the header fields written out: object spreads
    // here (`{ ...header, ...body }` or `{ ...h, kind }`) cost more than decoding the rows.
    // One scratch header per decoder (the event literals copy its fields): no allocation.
    const header = this.#header;
    header.timestamp = (buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16)) + buf[at + 3]! * 0x1000000;
    header.serverId = (buf[at + 5]! | (buf[at + 6]! << 8) | (buf[at + 7]! << 16)) + buf[at + 8]! * 0x1000000;
    header.logPos = (buf[at + 13]! | (buf[at + 14]! << 8) | (buf[at + 15]! << 16)) + buf[at + 16]! * 0x1000000;
    header.flags = buf[at + 17]! | (buf[at + 18]! << 8);
    const event = this.#decodeBody(r, typeCode, isFde ? at + size : end, header);
    return { event, file: this.file, position: fileOffset, size, typeCode };
  }

  #postHeader(typeCode: number, fallback: number): number {
    return this.#postHeaderLengths[typeCode - 1] ?? fallback;
  }

  #decodeBody(r: ByteReader, typeCode: number, fdeEnd: number, h: EventHeader): BinlogEvent {
    switch (typeCode) {
      case EventType.FORMAT_DESCRIPTION: {
        // The FDE's own layout: fixed part, post-header lengths, algorithm byte, CRC.
        r.end = fdeEnd;
        const binlogVersion = r.u16();
        const versionBytes = r.bytes(50);
        const zero = versionBytes.indexOf(0);
        const serverVersion = decodeUtf8(zero === -1 ? versionBytes : versionBytes.subarray(0, zero));
        const createTimestamp = r.u32();
        const headerLength = r.u8();
        if (binlogVersion !== BINLOG_VERSION) throw new InvalidField(`binlog version ${binlogVersion}, only 4 is read`);
        if (headerLength !== COMMON_HEADER_LENGTH) throw new InvalidField(`common header length ${headerLength}, expected 19`);
        const count = r.remaining - 1 - CHECKSUM_LENGTH;
        if (count < 0) throw new InvalidField('format description too short for its checksum algorithm');
        const postHeaderLengths = Array.from(r.bytes(count));
        const alg = r.u8();
        if (alg !== 0 && alg !== 1) throw new InvalidField(`checksum algorithm ${alg} is not 0 (none) or 1 (CRC32)`);
        this.#postHeaderLengths = postHeaderLengths;
        this.checksum = alg === 1;
        this.#tables.clear();
        this.#tableMapBytes.clear();
        return { timestamp: h.timestamp, serverId: h.serverId, logPos: h.logPos, flags: h.flags, kind: 'formatDescription', binlogVersion, serverVersion, createTimestamp, postHeaderLengths, checksum: alg === 1 ? 'crc32' : 'none' };
      }
      case EventType.ROTATE: {
        const start = r.pos;
        const position = r.u64();
        r.pos = start + this.#postHeader(typeCode, 8);
        return { timestamp: h.timestamp, serverId: h.serverId, logPos: h.logPos, flags: h.flags, kind: 'rotate', position, nextFile: r.string(r.remaining) };
      }
      case EventType.GTID_LIST: {
        const raw = r.u32();
        const count = raw & 0x0fffffff;
        if (count * 16 > r.remaining) throw new InvalidField(`GTID list count ${count} exceeds the event`);
        const gtids: Gtid[] = [];
        for (let i = 0; i < count; i++) {
          const domainId = r.u32();
          const serverId = r.u32();
          gtids.push({ domainId, serverId, seqNo: r.u64() });
        }
        return { timestamp: h.timestamp, serverId: h.serverId, logPos: h.logPos, flags: h.flags, kind: 'gtidList', gtids, listFlags: raw >>> 28 };
      }
      case EventType.BINLOG_CHECKPOINT: {
        const length = r.u32();
        return { timestamp: h.timestamp, serverId: h.serverId, logPos: h.logPos, flags: h.flags, kind: 'binlogCheckpoint', file: r.string(length) };
      }
      case EventType.GTID: {
        const seqNo = r.u64();
        const domainId = r.u32();
        const gtidFlags = r.u8();
        let commitId: bigint | undefined;
        if ((gtidFlags & GtidFlag.GROUP_COMMIT_ID) !== 0) commitId = r.u64();
        else if ((gtidFlags & (GtidFlag.PREPARED_XA | GtidFlag.COMPLETED_XA)) === 0) r.bytes(6);
        return { timestamp: h.timestamp, serverId: h.serverId, logPos: h.logPos, flags: h.flags, kind: 'gtid', seqNo, domainId, gtidFlags, commitId, extra: r.copy(r.remaining) };
      }
      case EventType.QUERY: {
        const start = r.pos;
        const threadId = r.u32();
        const execTimeS = r.u32();
        const dbLength = r.u8();
        const errorCode = r.u16();
        const statusLength = r.u16();
        r.pos = start + this.#postHeader(typeCode, 13);
        r.need(statusLength);
        const outer = r.end;
        r.end = r.pos + statusLength;
        const status = readQueryStatus(r);
        r.end = outer;
        const database = r.string(dbLength);
        if (r.u8() !== 0) throw new InvalidField('database name not zero-terminated');
        return { timestamp: h.timestamp, serverId: h.serverId, logPos: h.logPos, flags: h.flags, kind: 'query', threadId, execTimeS, errorCode, database, sql: r.string(r.remaining), status };
      }
      case EventType.XID:
        return { timestamp: h.timestamp, serverId: h.serverId, logPos: h.logPos, flags: h.flags, kind: 'xid', xid: r.u64() };
      case EventType.HEARTBEAT:
        return { timestamp: h.timestamp, serverId: h.serverId, logPos: h.logPos, flags: h.flags, kind: 'heartbeat', logFile: r.string(r.remaining) };
      case EventType.ANNOTATE_ROWS:
        return { timestamp: h.timestamp, serverId: h.serverId, logPos: h.logPos, flags: h.flags, kind: 'annotateRows', sql: r.string(r.remaining) };
      case EventType.STOP:
        return { timestamp: h.timestamp, serverId: h.serverId, logPos: h.logPos, flags: h.flags, kind: 'stop' };
      case EventType.TABLE_MAP:
        return this.#decodeTableMap(r, typeCode, h);
      case EventType.WRITE_ROWS_V1:
      case EventType.UPDATE_ROWS_V1:
      case EventType.DELETE_ROWS_V1:
        return this.#decodeRows(r, typeCode, h);
      default:
        return { timestamp: h.timestamp, serverId: h.serverId, logPos: h.logPos, flags: h.flags, kind: 'unknown', typeCode, body: r.copy(r.remaining) };
    }
  }

  /**
   * MariaDB writes the same table map before every statement: when the bytes equal the
   * last ones for that table id, the decoded definition is reused (a new event object
   * around the same frozen column list).
   */
  #decodeTableMap(r: ByteReader, typeCode: number, h: EventHeader): EventOf<'tableMap'> {
    const postHeader = this.#postHeader(typeCode, 8);
    const start = r.pos;
    const tableId = postHeader === 6 ? r.u32() : r.uint(6);
    r.pos = start;
    const cached = this.#tables.get(tableId);
    const previous = this.#tableMapBytes.get(tableId);
    const length = r.end - r.pos;
    if (cached !== undefined && previous?.length === length) {
      const buf = r.buf;
      let same = true;
      for (let i = 0, p = r.pos; i < length; i++, p++) {
        if (buf[p] !== previous[i]) {
          same = false;
          break;
        }
      }
      if (same) return tableMapEvent(h, cached);
    }
    const raw = r.buf.slice(r.pos, r.end);
    const map = readTableMap(r, postHeader);
    Object.freeze(map.columns);
    this.#tables.set(map);
    if (this.#tableMapBytes.size >= this.#tables.max && !this.#tableMapBytes.has(tableId)) this.#tableMapBytes.delete(this.#tableMapBytes.keys().next().value!);
    this.#tableMapBytes.set(tableId, raw);
    return tableMapEvent(h, map);
  }

  #decodeRows(r: ByteReader, typeCode: number, h: EventHeader): EventOf<RowsBody['kind']> {
    const kind = ROWS_KIND_BY_TYPE[typeCode]!;
    const start = r.pos;
    const postHeader = this.#postHeader(typeCode, 8);
    const tableId = postHeader === 6 ? r.u32() : r.uint(6);
    const rowsFlags = r.u16();
    r.pos = start + postHeader;
    const columnCount = r.packed();
    const map = this.#tables.get(tableId);
    if (map === undefined) throw new InvalidField(`rows event for table id ${tableId}, which no table map defined`);
    const columns: readonly ColumnDef[] = map.columns;
    if (columnCount !== columns.length) throw new InvalidField(`rows event has ${columnCount} columns, its table map ${columns.length}`);
    const bitmapBytes = (columnCount + 7) >> 3;
    const present = readBitmap(r, columnCount, bitmapBytes);
    const presentCount = countTrue(present);
    const after = kind === 'updateRows' ? readBitmap(r, columnCount, bitmapBytes) : undefined;
    // Values are views into `source`: the input itself (zeroCopy) or one copy of the rows part.
    const rowBytes = this.zeroCopy ? undefined : r.copy(r.remaining);
    const source = rowBytes === undefined ? r : new ByteReader(rowBytes, 0, rowBytes.length);
    if (after !== undefined) {
      const afterCount = countTrue(after);
      const rows: { before: RowImage; after: RowImage }[] = [];
      while (source.remaining > 0) {
        const before = readRowImage(source, columns, present, presentCount);
        rows.push({ before, after: readRowImage(source, columns, after, afterCount) });
      }
      return withBitmaps({ timestamp: h.timestamp, serverId: h.serverId, logPos: h.logPos, flags: h.flags, kind: 'updateRows', tableId, rowsFlags, columnCount, rows }, present, after);
    }
    const rows: RowImage[] = [];
    while (source.remaining > 0) rows.push(readRowImage(source, columns, present, presentCount));
    return withBitmaps({ timestamp: h.timestamp, serverId: h.serverId, logPos: h.logPos, flags: h.flags, kind: kind as 'writeRows' | 'deleteRows', tableId, rowsFlags, columnCount, rows }, present, undefined);
  }
}

function tableMapEvent(h: EventHeader, m: TableMapBody): EventOf<'tableMap'> {
  const event: EventOf<'tableMap'> = { timestamp: h.timestamp, serverId: h.serverId, logPos: h.logPos, flags: h.flags, kind: 'tableMap', tableId: m.tableId, tableFlags: m.tableFlags, database: m.database, table: m.table, columns: m.columns };
  return m.optionalMetadata === undefined ? event : { ...event, optionalMetadata: m.optionalMetadata };
}

/** Shared all-true bitmaps by column count (the common case: every column present). */
const ALL_PRESENT: boolean[][] = [];

function readBitmap(r: ByteReader, count: number, bytes: number): boolean[] {
  const at = r.pos;
  r.need(bytes);
  r.pos += bytes;
  const buf = r.buf;
  if (count < 64) {
    let full = true;
    for (let i = 0; i < bytes; i++) {
      const want = i === bytes - 1 && count % 8 !== 0 ? (1 << count % 8) - 1 : 0xff;
      if ((buf[at + i]! & want) !== want) {
        full = false;
        break;
      }
    }
    if (full) {
      const shared = ALL_PRESENT[count] ?? Object.freeze(new Array<boolean>(count).fill(true));
      ALL_PRESENT[count] = shared as boolean[];
      return shared as boolean[];
    }
  }
  const bits = new Array<boolean>(count);
  for (let i = 0; i < count; i++) bits[i] = (buf[at + (i >> 3)]! & (1 << (i & 7))) !== 0;
  return bits;
}

function countTrue(bits: readonly boolean[]): number {
  if (bits === ALL_PRESENT[bits.length]) return bits.length;
  let n = 0;
  for (const b of bits) if (b) n++;
  return n;
}

/** Leaves the bitmaps out when every column is present (the usual case), so round trips compare equal. */
function withBitmaps(body: EventOf<RowsBody['kind']>, present: boolean[], after: boolean[] | undefined): EventOf<RowsBody['kind']> {
  let out = body;
  if (present !== ALL_PRESENT[present.length] && present.includes(false)) out = { ...out, columnsPresent: present };
  if (after !== undefined && after !== ALL_PRESENT[after.length] && after.includes(false) && out.kind === 'updateRows') out = { ...out, columnsPresentAfter: after };
  return out;
}

/** Encodes one event (see BinlogEventEncoder); `table` supplies the table map a rows event needs. */
export function encodeEvent(event: BinlogEvent | EventInput, options: { readonly checksum?: boolean; readonly table?: TableMapBody; readonly logPos?: number } = {}): Uint8Array {
  const encoder = new BinlogEventEncoder({ checksum: options.checksum ?? true });
  if (options.table !== undefined) encoder.rememberTableMap(options.table);
  return encoder.encode(event, options.logPos);
}

/** Decodes one event from the start of `bytes`. */
export function decodeEvent(bytes: Uint8Array, options: DecoderOptions & { readonly table?: TableMapBody } = {}): PositionedBinlogEvent {
  const decoder = new BinlogEventDecoder(options);
  if (options.table !== undefined) decoder.rememberTableMap(options.table);
  return decoder.decode(bytes, 0);
}
