import type { SqlValue } from '../types/sql-value.js';

/** The server version this SQL layer reports (MariaDB 10.11 compatible) unless the server's hooks say otherwise. */
export const LOCKSTEP_VERSION = '10.11.99-MariaDB-Lockstep';

/**
 * Defaults of the system variables a session has (what clients and connectors read on
 * connect and what sysbench sets). Names are lower case. A variable not here and not known
 * to the server's hooks is 1193.
 */
export const SESSION_VARIABLE_DEFAULTS: ReadonlyMap<string, SqlValue> = new Map<string, SqlValue>([
  ['autocommit', 1],
  ['auto_increment_increment', 1],
  ['auto_increment_offset', 1],
  ['big_tables', 0],
  ['character_set_client', 'utf8mb4'],
  ['character_set_connection', 'utf8mb4'],
  ['character_set_database', 'utf8mb4'],
  ['character_set_filesystem', 'binary'],
  ['character_set_results', 'utf8mb4'],
  ['character_set_server', 'utf8mb4'],
  ['character_set_system', 'utf8mb3'],
  ['collation_connection', 'utf8mb4_bin'],
  ['collation_database', 'utf8mb4_bin'],
  ['collation_server', 'utf8mb4_bin'],
  ['default_storage_engine', 'ROCKSDB'],
  ['foreign_key_checks', 1],
  ['group_concat_max_len', 1048576],
  ['init_connect', ''],
  ['innodb_lock_wait_timeout', 50],
  ['interactive_timeout', 28800],
  ['last_insert_id', 0n],
  ['license', 'MIT'],
  ['lock_wait_timeout', 86400],
  ['lower_case_table_names', 0],
  ['max_allowed_packet', 16777216],
  ['max_execution_time', 0],
  ['max_statement_time', 0],
  ['net_buffer_length', 16384],
  ['net_read_timeout', 30],
  ['net_write_timeout', 60],
  ['performance_schema', 0],
  ['query_cache_size', 0],
  ['query_cache_type', 'OFF'],
  ['rocksdb_lock_wait_timeout', 50],
  ['session_track_schema', 'ON'],
  ['session_track_state_change', 'OFF'],
  ['session_track_system_variables', 'autocommit,character_set_client,character_set_connection,character_set_results,time_zone'],
  ['session_track_transaction_info', 'OFF'],
  ['sql_auto_is_null', 0],
  ['sql_log_bin', 1],
  ['sql_mode', 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION'],
  ['sql_notes', 1],
  ['sql_quote_show_create', 1],
  ['sql_safe_updates', 0],
  ['sql_select_limit', 18446744073709551615n],
  ['sql_warnings', 0],
  ['storage_engine', 'ROCKSDB'],
  ['system_time_zone', 'UTC'],
  ['time_zone', 'SYSTEM'],
  ['transaction_isolation', 'REPEATABLE-READ'],
  ['transaction_read_only', 0],
  ['tx_isolation', 'REPEATABLE-READ'],
  ['tx_read_only', 0],
  ['unique_checks', 1],
  ['version', LOCKSTEP_VERSION],
  ['version_comment', 'Lockstep'],
  ['version_compile_machine', 'x86_64'],
  ['version_compile_os', 'Linux'],
  ['wait_timeout', 28800],
  ['warning_count', 0],
  ['error_count', 0],
]);

/** Variables that are aliases: setting one sets the other. */
export const VARIABLE_ALIASES: ReadonlyMap<string, string> = new Map([
  ['tx_isolation', 'transaction_isolation'],
  ['transaction_isolation', 'tx_isolation'],
  ['tx_read_only', 'transaction_read_only'],
  ['transaction_read_only', 'tx_read_only'],
  ['storage_engine', 'default_storage_engine'],
  ['default_storage_engine', 'storage_engine'],
]);

/** Bound on the user variables (@x) one session may hold. */
export const MAX_USER_VARIABLES = 1024;

/** MySQL's LIKE for SHOW ... LIKE: % and _, case-insensitive, backslash escapes. */
export function showLikeMatcher(pattern: string | undefined): (name: string) => boolean {
  if (pattern === undefined) return () => true;
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]!);
    else if (c === '%') re += '.*';
    else if (c === '_') re += '.';
    else re += escapeRe(c);
  }
  const compiled = new RegExp(`${re}$`, 'is');
  return (name) => compiled.test(name);
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
