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

export { Catalog, MAX_COLUMNS_PER_TABLE, MAX_IDENTIFIER_LENGTH, MAX_INDEXES_PER_TABLE, MAX_KEY_PARTS } from './catalog/catalog.js';
export { HIDDEN_PK_PART, TableSchema } from './catalog/table-schema.js';
export type { ColumnDef, IndexDef, TableCounters, TableDef } from './catalog/table-schema.js';
export {
  CATALOG_META_INDEX_ID,
  catalogFromRecords,
  catalogMetaKey,
  catalogToRecords,
  DATABASE_RECORD_INDEX_ID,
  databaseRecordKey,
  decodeTableRecord,
  encodeTableCounters,
  encodeTableRecord,
  TABLE_COUNTERS_INDEX_ID,
  TABLE_RECORD_INDEX_ID,
  tableCountersKey,
  tableRecordKey,
} from './catalog/table-codec.js';
export type { CatalogRecord } from './catalog/table-codec.js';
export { quoteIdentifier, quoteString, showCreateTable, sqlLiteral } from './catalog/show-create.js';
export { buildInsertRow, resolveInsertColumns, USE_DEFAULT } from './catalog/insert-row.js';
export type { InsertRowResult, InsertValue } from './catalog/insert-row.js';
export type * from './parser/ast.js';

export { ColumnCountError } from './errors/column-count-error.js';
export { ColumnSpecifiedTwiceError } from './errors/column-specified-twice-error.js';
export { DatabaseExistsError } from './errors/database-exists-error.js';
export { DatabaseMissingError } from './errors/database-missing-error.js';
export { DuplicateColumnError } from './errors/duplicate-column-error.js';
export { DuplicateKeyNameError } from './errors/duplicate-key-name-error.js';
export { InvalidTableDefinitionError } from './errors/invalid-table-definition-error.js';
export type { TableDefinitionProblem } from './errors/invalid-table-definition-error.js';
export { MultiplePrimaryKeyError } from './errors/multiple-primary-key-error.js';
export { NoDatabaseSelectedError } from './errors/no-database-selected-error.js';
export { NoDefaultValueError } from './errors/no-default-value-error.js';
export { NoSuchTableError } from './errors/no-such-table-error.js';
export { TableExistsError } from './errors/table-exists-error.js';
export { UnknownColumnError } from './errors/unknown-column-error.js';
export { UnknownDatabaseError } from './errors/unknown-database-error.js';
export { UnknownTableError } from './errors/unknown-table-error.js';

export { parseExpression, parseStatementUncached, SqlParser } from './parser/parse.js';
export { StatementCache } from './parser/statement-cache.js';
export type { StatementCacheOptions, StatementCacheStats } from './parser/statement-cache.js';
export { exprToSql } from './parser/expr-sql.js';
export { prepareText, unescapeString } from './parser/scanner.js';

export { collectAggregates, compileCondition, compileExpr, toText } from './expr/compile.js';
export type { ColumnResolver, CompiledExpr, EvalContext, SessionValues } from './expr/compile.js';
export { createAggregator, MAX_DISTINCT_AGGREGATE_VALUES } from './expr/aggregate.js';
export type { Aggregator } from './expr/aggregate.js';
export { arithmetic, negate } from './expr/arithmetic.js';
export type { ArithmeticOperator } from './expr/arithmetic.js';
export { compileLikePattern, LIKE_PATTERN_CACHE_SIZE } from './expr/like.js';
export { sqlBool, truth } from './expr/truth.js';
export { tableColumnResolver } from './expr/table-resolver.js';

export { conjunctsOf, MAX_ACCESS_POINTS, mergeRanges, planAccess } from './plan/access-path.js';
export type { AccessKind, AccessPlan, KeyRange, ResolvedAccess } from './plan/access-path.js';
export { convertForKey } from './plan/key-value-conversion.js';
export type { KeyConversion } from './plan/key-value-conversion.js';
export { primaryKeyValues, rowEntries, rowWriteSetKeys, secondaryValue } from './catalog/table-keys.js';
export type { RowEntries } from './catalog/table-keys.js';
export { MAX_RECOGNIZER_TOKENS } from './parser/scanner.js';
export { binlogColumn, binlogColumns, fromBinlogRow, toBinlogRow } from './catalog/binlog-columns.js';
export type { BinlogColumn, BinlogValue } from './catalog/binlog-columns.js';
export { compileSelect, MAX_SORT_ROWS } from './exec/select-query.js';
export type { CompiledSelect, CompileSelectOptions, ResultColumn, RowSource } from './exec/select-query.js';
export { compileDelete, compileInsert, compileUpdate } from './exec/write-statements.js';
export type { CompiledDelete, CompiledInsert, CompiledRowSelection, CompiledUpdate } from './exec/write-statements.js';

// The executor (statements inside transactions) and its contract with the server.
export type {
  AdminStatement,
  CommitRequest,
  Committer,
  PreparedStatementInfo,
  RedoCommit,
  ResultSetColumn,
  ServerHooks,
  SessionInfo,
  SessionOpenInfo,
  SqlEngineApi,
  SqlEngineOptions,
  SqlSession,
  StatementResult,
} from './executor/contract.js';
export { SqlEngine } from './executor/engine.js';
export { Session, MAX_PREPARED_STATEMENTS, MAX_WARNINGS } from './executor/session.js';
export { PURGE_BATCH_KEYS } from './executor/engine.js';
export type { DdlFinish, DdlNote, DdlOutcome, DdlStatement, EngineCounters } from './executor/engine.js';
export { RowEventApplier } from './executor/row-applier.js';
export { MAX_BINLOG_ROW_BYTES, MAX_ROWS_EVENT_BYTES, StatementChanges } from './executor/row-events.js';
export { BinlogRowTooLargeError } from './executor/errors/binlog-row-too-large-error.js';
export { MAX_STATEMENT_ROWS } from './executor/table-ops.js';
export { LOCKSTEP_VERSION, MAX_USER_VARIABLES, SESSION_VARIABLE_DEFAULTS } from './executor/variables.js';
export { DuplicateEntryError } from './executor/errors/duplicate-entry-error.js';
export { ReadOnlyError } from './executor/errors/read-only-error.js';
export { RowNotFoundError } from './executor/errors/row-not-found-error.js';
export { TooManyPreparedStatementsError } from './executor/errors/too-many-prepared-statements-error.js';
export { UnknownPreparedStatementError } from './executor/errors/unknown-prepared-statement-error.js';
export { UnknownSystemVariableError } from './executor/errors/unknown-system-variable-error.js';
export { UnknownTableMapError } from './executor/errors/unknown-table-map-error.js';
export { WrongArgumentsError } from './executor/errors/wrong-arguments-error.js';
