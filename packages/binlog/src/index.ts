// Public API of @lockstep/binlog: named re-exports only.
export { BinlogEventDecoder, BinlogEventEncoder, DEFAULT_MAX_EVENT_BYTES, DEFAULT_MAX_TABLE_MAPS, decodeEvent, encodeEvent, eventTypeCode } from './codec.js';
export type { DecoderOptions, EncoderOptions } from './codec.js';
export { ColumnType, formatDateTime } from './column-types.js';
export type { ColumnDef, ColumnKind, ColumnTypeCode, ColumnValue, DateTimeValue } from './column-types.js';
export {
  BINLOG_MAGIC,
  BINLOG_VERSION,
  CHECKSUM_LENGTH,
  COMMON_HEADER_LENGTH,
  DEFAULT_SERVER_VERSION,
  EventFlag,
  EventType,
  GtidFlag,
  MARIADB_10_11_POST_HEADER_LENGTHS,
  RowsFlag,
} from './event-types.js';
export type { EventTypeCode } from './event-types.js';
export type * from './events.js';
export { GtidPosition, compareGtids, formatGtid, formatGtidList, gtidsEqual, parseGtid, parseGtidList } from './gtid.js';
export type { Gtid } from './gtid.js';
export { BinlogClosedError } from './errors/binlog-closed-error.js';
export { BinlogCorruptError } from './errors/binlog-corrupt-error.js';
export { BinlogEncodeError } from './errors/binlog-encode-error.js';
export { BinlogFileError } from './errors/binlog-file-error.js';
export { BinlogTruncatedError } from './errors/binlog-truncated-error.js';
export { BinlogUnsupportedError } from './errors/binlog-unsupported-error.js';
export { GtidNotInBinlogError } from './errors/gtid-not-in-binlog-error.js';
export { GtidParseError } from './errors/gtid-parse-error.js';
export { BinlogWriter, DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_GROUP_BYTES, MIN_MAX_FILE_BYTES, transactionEvents } from './binlog-writer.js';
export type { BinlogOpenReport, BinlogWriterOptions, TransactionFlags, TransactionInput, WrittenBinlogGroup } from './binlog-writer.js';
export { DEFAULT_FOLLOW_IDLE_TIMEOUT_MS, DEFAULT_FOLLOW_POLL_INTERVAL_MS, MAX_READ_BATCH_EVENTS, findGtidStart, readBinlog, readBinlogBatches, readFileGtidList } from './binlog-reader.js';
export type { BinlogReadOptions, FollowOptions } from './binlog-reader.js';
export { DEFAULT_BASE_NAME, binlogFileName, listBinlogFiles, parseBinlogFileName, readBinlogIndex } from './binlog-files.js';
export type { BinlogLocation, BinlogPosition } from './binlog-files.js';
export { classifyBinlogEvent, isFileStructureEvent } from './classify.js';
export type { BinlogEventClass, ClassifiedGtidFlags } from './classify.js';
export { readBinlogTransactions } from './binlog-transactions.js';
export type { BinlogTransaction } from './binlog-transactions.js';
