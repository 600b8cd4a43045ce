import type { ColumnDef, ColumnValue } from './column-types.js';
import type { Gtid } from './gtid.js';

/** The common-header fields an event carries besides its type and size. */
export interface EventHeader {
  /** Seconds since 1970 (u32). */
  readonly timestamp: number;
  readonly serverId: number;
  /** Offset of the next event in the file (the writer sets it; 0 for artificial events). */
  readonly logPos: number;
  /** Common header flags (`EventFlag`). */
  readonly flags: number;
}

export interface FormatDescriptionBody {
  readonly kind: 'formatDescription';
  readonly binlogVersion: number;
  readonly serverVersion: string;
  readonly createTimestamp: number;
  /** Post-header length of types 1..N (index i is type i+1). */
  readonly postHeaderLengths: readonly number[];
  readonly checksum: 'none' | 'crc32';
}

export interface RotateBody {
  readonly kind: 'rotate';
  readonly position: bigint;
  readonly nextFile: string;
}

export interface GtidListBody {
  readonly kind: 'gtidList';
  readonly gtids: readonly Gtid[];
  /** The high 4 bits of the count field (0 in files). */
  readonly listFlags: number;
}

export interface BinlogCheckpointBody {
  readonly kind: 'binlogCheckpoint';
  readonly file: string;
}

export interface GtidBody {
  readonly kind: 'gtid';
  readonly seqNo: bigint;
  readonly domainId: number;
  /** `GtidFlag` bits; `GROUP_COMMIT_ID` is derived from `commitId` when encoding. */
  readonly gtidFlags: number;
  readonly commitId: bigint | undefined;
  /** Bytes after the fixed part (XA ids, 10.11 extra flags), kept as read. */
  readonly extra: Uint8Array;
}

/** A QUERY event's status variables that this package names; others stay in `unknownStatus`. */
export interface QueryStatus {
  readonly flags2?: number;
  readonly sqlMode?: bigint;
  readonly catalog?: string;
  readonly autoIncrement?: { readonly increment: number; readonly offset: number };
  readonly charset?: { readonly client: number; readonly connection: number; readonly server: number };
  readonly timeZone?: string;
  readonly lcTimeNames?: number;
  readonly charsetDatabase?: number;
  readonly tableMapForUpdate?: bigint;
  readonly masterDataWritten?: number;
  readonly invoker?: { readonly user: string; readonly host: string };
  readonly updatedDbNames?: readonly string[];
  readonly microseconds?: number;
  readonly hrnow?: number;
  readonly xid?: bigint;
  /** The rest of the block from the first code not understood, raw. */
  readonly unknownStatus?: Uint8Array;
}

export interface QueryBody {
  readonly kind: 'query';
  readonly threadId: number;
  readonly execTimeS: number;
  readonly errorCode: number;
  readonly database: string;
  readonly sql: string;
  readonly status: QueryStatus;
}

export interface XidBody {
  readonly kind: 'xid';
  readonly xid: bigint;
}

export interface HeartbeatBody {
  readonly kind: 'heartbeat';
  readonly logFile: string;
}

export interface AnnotateRowsBody {
  readonly kind: 'annotateRows';
  readonly sql: string;
}

export interface StopBody {
  readonly kind: 'stop';
}

export interface TableMapBody {
  readonly kind: 'tableMap';
  readonly tableId: number;
  readonly tableFlags: number;
  readonly database: string;
  readonly table: string;
  readonly columns: readonly ColumnDef[];
  /** Optional metadata fields other than SIGNEDNESS, raw (type, bytes). */
  readonly optionalMetadata?: readonly { readonly type: number; readonly value: Uint8Array }[];
}

/** One row image: a value per column of the table (`undefined` where not present in the image). */
export type RowImage = readonly (ColumnValue | undefined)[];

export interface WriteRowsBody {
  readonly kind: 'writeRows';
  readonly tableId: number;
  readonly rowsFlags: number;
  readonly columnCount: number;
  /** Columns present in the images (default: all). */
  readonly columnsPresent?: readonly boolean[];
  readonly rows: readonly RowImage[];
}

export interface DeleteRowsBody {
  readonly kind: 'deleteRows';
  readonly tableId: number;
  readonly rowsFlags: number;
  readonly columnCount: number;
  readonly columnsPresent?: readonly boolean[];
  readonly rows: readonly RowImage[];
}

export interface UpdateRowsBody {
  readonly kind: 'updateRows';
  readonly tableId: number;
  readonly rowsFlags: number;
  readonly columnCount: number;
  readonly columnsPresent?: readonly boolean[];
  readonly columnsPresentAfter?: readonly boolean[];
  readonly rows: readonly { readonly before: RowImage; readonly after: RowImage }[];
}

/** An event type this package does not decode (or chose not to): its code and raw body. */
export interface UnknownBody {
  readonly kind: 'unknown';
  readonly typeCode: number;
  /** Post-header and body, without the common header and checksum. */
  readonly body: Uint8Array;
}

export type RowsBody = WriteRowsBody | UpdateRowsBody | DeleteRowsBody;

export type EventBody =
  | FormatDescriptionBody
  | RotateBody
  | GtidListBody
  | BinlogCheckpointBody
  | GtidBody
  | QueryBody
  | XidBody
  | HeartbeatBody
  | AnnotateRowsBody
  | StopBody
  | TableMapBody
  | RowsBody
  | UnknownBody;

/** An event to encode: a body plus any header fields (the rest come from `HeaderDefaults`). */
export type EventInput = EventBody & Partial<EventHeader>;

/** Header values for fields an `EventInput` leaves out. */
export interface HeaderDefaults {
  readonly timestamp: number;
  readonly serverId: number;
  readonly flags: number;
}

/** A binlog event: common-header fields plus its body. */
export type BinlogEvent = EventHeader & EventBody;
export type EventKind = EventBody['kind'];
export type EventOf<K extends EventKind> = EventHeader & Extract<EventBody, { kind: K }>;

/** A decoded event with where it was. */
export interface PositionedBinlogEvent {
  readonly event: BinlogEvent;
  /** Binlog file name ('' when decoded from loose bytes). */
  readonly file: string;
  /** Offset of the event's first byte. */
  readonly position: number;
  /** Size in bytes, checksum included. */
  readonly size: number;
  /** The type byte as read (also for unknown events). */
  readonly typeCode: number;
}
