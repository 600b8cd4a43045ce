/** Capability flags (the `CLIENT_*` bits of the handshake). */
export const Capability = {
  LONG_PASSWORD: 0x1,
  FOUND_ROWS: 0x2,
  LONG_FLAG: 0x4,
  CONNECT_WITH_DB: 0x8,
  NO_SCHEMA: 0x10,
  COMPRESS: 0x20,
  ODBC: 0x40,
  LOCAL_FILES: 0x80,
  IGNORE_SPACE: 0x100,
  PROTOCOL_41: 0x200,
  INTERACTIVE: 0x400,
  SSL: 0x800,
  IGNORE_SIGPIPE: 0x1000,
  TRANSACTIONS: 0x2000,
  RESERVED: 0x4000,
  SECURE_CONNECTION: 0x8000,
  MULTI_STATEMENTS: 0x10000,
  MULTI_RESULTS: 0x20000,
  PS_MULTI_RESULTS: 0x40000,
  PLUGIN_AUTH: 0x80000,
  CONNECT_ATTRS: 0x100000,
  PLUGIN_AUTH_LENENC_CLIENT_DATA: 0x200000,
  CAN_HANDLE_EXPIRED_PASSWORDS: 0x400000,
  SESSION_TRACK: 0x800000,
  DEPRECATE_EOF: 0x1000000,
  QUERY_ATTRIBUTES: 0x8000000,
} as const;

/** Command bytes (`COM_*`), the first byte of every command packet. */
export const Command = {
  SLEEP: 0x00,
  QUIT: 0x01,
  INIT_DB: 0x02,
  QUERY: 0x03,
  FIELD_LIST: 0x04,
  CREATE_DB: 0x05,
  DROP_DB: 0x06,
  REFRESH: 0x07,
  SHUTDOWN: 0x08,
  STATISTICS: 0x09,
  PROCESS_INFO: 0x0a,
  CONNECT: 0x0b,
  PROCESS_KILL: 0x0c,
  DEBUG: 0x0d,
  PING: 0x0e,
  TIME: 0x0f,
  DELAYED_INSERT: 0x10,
  CHANGE_USER: 0x11,
  BINLOG_DUMP: 0x12,
  TABLE_DUMP: 0x13,
  CONNECT_OUT: 0x14,
  REGISTER_SLAVE: 0x15,
  STMT_PREPARE: 0x16,
  STMT_EXECUTE: 0x17,
  STMT_SEND_LONG_DATA: 0x18,
  STMT_CLOSE: 0x19,
  STMT_RESET: 0x1a,
  SET_OPTION: 0x1b,
  STMT_FETCH: 0x1c,
  DAEMON: 0x1d,
  BINLOG_DUMP_GTID: 0x1e,
  RESET_CONNECTION: 0x1f,
} as const;

/** Column and parameter types (`MYSQL_TYPE_*`). */
export const ColumnType = {
  DECIMAL: 0,
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  NULL: 6,
  TIMESTAMP: 7,
  LONGLONG: 8,
  INT24: 9,
  DATE: 10,
  TIME: 11,
  DATETIME: 12,
  YEAR: 13,
  NEWDATE: 14,
  VARCHAR: 15,
  BIT: 16,
  JSON: 245,
  NEWDECIMAL: 246,
  ENUM: 247,
  SET: 248,
  TINY_BLOB: 249,
  MEDIUM_BLOB: 250,
  LONG_BLOB: 251,
  BLOB: 252,
  VAR_STRING: 253,
  STRING: 254,
  GEOMETRY: 255,
} as const;
export type ColumnTypeCode = (typeof ColumnType)[keyof typeof ColumnType];

/** Column definition flags. */
export const ColumnFlag = {
  NOT_NULL: 0x1,
  PRI_KEY: 0x2,
  UNIQUE_KEY: 0x4,
  MULTIPLE_KEY: 0x8,
  BLOB: 0x10,
  UNSIGNED: 0x20,
  ZEROFILL: 0x40,
  BINARY: 0x80,
  ENUM: 0x100,
  AUTO_INCREMENT: 0x200,
  TIMESTAMP: 0x400,
  SET: 0x800,
  NO_DEFAULT_VALUE: 0x1000,
  ON_UPDATE_NOW: 0x2000,
  NUM: 0x8000,
} as const;

/** Server status flags carried by OK and EOF packets. */
export const ServerStatus = {
  IN_TRANS: 0x1,
  AUTOCOMMIT: 0x2,
  MORE_RESULTS_EXISTS: 0x8,
  NO_GOOD_INDEX_USED: 0x10,
  NO_INDEX_USED: 0x20,
  CURSOR_EXISTS: 0x40,
  LAST_ROW_SENT: 0x80,
  DB_DROPPED: 0x100,
  NO_BACKSLASH_ESCAPES: 0x200,
  METADATA_CHANGED: 0x400,
  QUERY_WAS_SLOW: 0x800,
  PS_OUT_PARAMS: 0x1000,
  IN_TRANS_READONLY: 0x2000,
  SESSION_STATE_CHANGED: 0x4000,
} as const;

/** Character set / collation ids used in handshakes and column definitions. */
export const Charset = {
  LATIN1_SWEDISH_CI: 8,
  UTF8_GENERAL_CI: 33,
  UTF8MB4_GENERAL_CI: 45,
  BINARY: 63,
} as const;

/** MySQL error numbers this package sends or recognises. */
export const ErrorCode = {
  ER_CON_COUNT_ERROR: 1040,
  ER_HANDSHAKE_ERROR: 1043,
  ER_DBACCESS_DENIED_ERROR: 1044,
  ER_ACCESS_DENIED_ERROR: 1045,
  ER_NO_DB_ERROR: 1046,
  ER_UNKNOWN_COM_ERROR: 1047,
  ER_BAD_DB_ERROR: 1049,
  ER_UNKNOWN_ERROR: 1105,
  ER_NET_PACKET_TOO_LARGE: 1153,
  ER_NET_READ_ERROR_FROM_PIPE: 1154,
  ER_NET_READ_ERROR: 1158,
  ER_NET_READ_INTERRUPTED: 1159,
  ER_NET_PACKETS_OUT_OF_ORDER: 1156,
  ER_NOT_SUPPORTED_AUTH_MODE: 1251,
  ER_UNKNOWN_STMT_HANDLER: 1243,
  ER_WRONG_ARGUMENTS: 1210,
  ER_MAX_PREPARED_STMT_COUNT_REACHED: 1461,
  ER_MALFORMED_PACKET: 1835,
  ER_MASTER_FATAL_ERROR_READING_BINLOG: 1236,
  ER_NOT_SUPPORTED_YET: 1235,
} as const;

/** Binlog dump flags (`BINLOG_DUMP_NON_BLOCK` makes the server end the dump with EOF at the end of the log). */
export const BinlogDumpFlag = {
  NON_BLOCK: 0x1,
  SEND_ANNOTATE_ROWS_EVENT: 0x2,
} as const;

/** Largest payload one frame carries; a payload of this size or more continues in the next frame. */
export const MAX_FRAME_PAYLOAD = 0xffffff;

export const NATIVE_PASSWORD_PLUGIN = 'mysql_native_password';
