// Public API of @lockstep/sql: named re-exports only.
export { SqlDateTime, daysInMonth } from './types/datetime.js';
export type { SqlRow, SqlValue } from './types/sql-value.js';
export { compareBytes, compareStringsBinary, isSqlDateTime, toHex } from './types/sql-value.js';
export type { ColumnType, IntegerBytes, LobSize, ValueClass } from './types/column-type.js';
export { columnTypeSql, integerRange, LOB_MAX_BYTES, MAX_CHAR_LENGTH, MAX_VARCHAR_LENGTH, valueClassOf } from './types/column-type.js';
export { coerceToColumn, formatNumber } from './types/coerce.js';
export type { CoercionTarget } from './types/coerce.js';
export { compareNumeric, compareSqlValues, toDouble } from './types/compare.js';
export { readNumericPrefix } from './types/numeric-string.js';

export { ColumnNullError } from './errors/column-null-error.js';
export { DataTooLongError } from './errors/data-too-long-error.js';
export { DataTruncatedError } from './errors/data-truncated-error.js';
export { EmptyQueryError } from './errors/empty-query-error.js';
export { IncorrectDatetimeError } from './errors/incorrect-datetime-error.js';
export { IncorrectValueError } from './errors/incorrect-value-error.js';
export { NotSupportedError } from './errors/not-supported-error.js';
export { OutOfRangeError } from './errors/out-of-range-error.js';
export { ParseError } from './errors/parse-error.js';
export { StoredBytesCorruptError } from './errors/stored-bytes-corrupt-error.js';
export { ValueOutOfRangeError } from './errors/value-out-of-range-error.js';

export { ByteWriter } from './keys/byte-writer.js';
export { decodeKeyPart, encodeKeyPart } from './keys/memcomparable.js';
export type { KeyPart } from './keys/memcomparable.js';
export { FIRST_USER_INDEX_ID, INDEX_ID_BYTES, IndexKeyCodec, keyHex, MAX_INDEX_ID, prefixSuccessor, readIndexId } from './keys/index-key.js';
export { MAX_ROW_VALUE_BYTES, RowCodec } from './rows/row-codec.js';
export type { RowColumn } from './rows/row-codec.js';
