// The statements and global variables the server answers itself (ServerHooks of the SQL contract).
import { formatGtidList } from '@lockstep/binlog';
import { SqlDateTime, type AdminStatement, type ServerHooks, type SessionInfo, type SqlValue, type StatementResult } from '@lockstep/sql';
import type { BinlogFileCoordinator } from '@lockstep/tc';
import { NoSuchThreadError } from '@lockstep/wire';
import { LockstepError } from '@lockstep/base';
import type { ServerConfig } from '../config/options.js';
import { NotBuiltError } from '../errors/not-built-error.js';
import { ReadOnlyVariableError } from '../errors/read-only-variable-error.js';
import { UnknownVariableError } from '../errors/unknown-variable-error.js';
import { WrongValueError } from '../errors/wrong-value-error.js';
import type { ConnectionTable } from './connection-table.js';
import type { ReplicaController } from '../replication/replica.js';
import { OK, column, rows } from './result.js';

/** What MariaDB 10.11 reports for these, so clients that read them behave as with MariaDB. */
export const SERVER_VERSION = '10.11.0-MariaDB-Lockstep';
const DEFAULT_SQL_MODE = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION';

/** The binlog files as the server sees them (file name and size), for SHOW BINARY LOGS. */
export interface BinlogFiles {
  list(): Promise<readonly { readonly name: string; readonly size: number }[]>;
}

export interface ServerHooksContext {
  readonly config: ServerConfig;
  readonly tc: () => BinlogFileCoordinator;
  readonly connections: ConnectionTable;
  readonly binlogFiles: BinlogFiles;
  /** Closes a client connection (KILL CONNECTION). */
  readonly killConnection: (id: number) => void;
  readonly hostname: string;
  /** The replica role, set once the engine is open (CHANGE MASTER, START/STOP/RESET SLAVE, SHOW SLAVE STATUS, gtid_slave_pos). */
  readonly replica?: { current: ReplicaController | undefined };
}

type Settable = (value: SqlValue, name: string) => SqlValue;

function asBool(value: SqlValue, name: string): number {
  const text = typeof value === 'string' ? value.toLowerCase() : typeof value === 'number' || typeof value === 'bigint' ? String(value) : '';
  if (text === '1' || text === 'on' || text === 'true') return 1;
  if (text === '0' || text === 'off' || text === 'false') return 0;
  throw new WrongValueError(name, String(value));
}

function asInt(min: number, max: number): Settable {
  return (value, name) => {
    const n = typeof value === 'bigint' ? Number(value) : typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > max) throw new WrongValueError(name, String(value));
    return n;
  };
}

function asEnum(values: readonly string[]): Settable {
  return (value, name) => {
    const text = typeof value === 'string' ? value.toLowerCase() : String(value);
    if (!values.includes(text)) throw new WrongValueError(name, String(value));
    return text;
  };
}

/**
 * Global variables: the server's (from the configuration and the live binlog state) and
 * the InnoDB-ish names clients and sysbench read. SET GLOBAL works for `read_only` and
 * the replica settings (kept for issue 11); everything else is read-only (1238).
 */
export class LockstepServerHooks implements ServerHooks {
  readonly #context: ServerHooksContext;
  readonly #fixed = new Map<string, SqlValue>();
  readonly #settable = new Map<string, { value: SqlValue; parse: Settable }>();
  readonly #live = new Map<string, () => SqlValue>();

  constructor(context: ServerHooksContext) {
    this.#context = context;
    const c = context.config;
    const fixed: Record<string, SqlValue> = {
      server_id: c.server_id,
      gtid_domain_id: c.gtid_domain_id,
      log_bin: 1,
      log_bin_basename: `${c.datadir}/binlog/binlog`,
      log_bin_index: `${c.datadir}/binlog/binlog.index`,
      binlog_format: 'ROW',
      binlog_row_image: 'FULL',
      binlog_checksum: 'CRC32',
      sync_binlog: 1,
      innodb_flush_log_at_trx_commit: 1,
      binlog_commit_wait_count: c.binlog_commit_wait_count,
      binlog_commit_wait_usec: c.binlog_commit_wait_usec,
      max_binlog_size: c.max_binlog_size,
      log_slave_updates: c.log_slave_updates ? 1 : 0,
      gtid_strict_mode: 0,
      version: SERVER_VERSION,
      version_comment: 'Lockstep',
      version_compile_os: process.platform === 'linux' ? 'Linux' : process.platform,
      version_compile_machine: process.arch === 'x64' ? 'x86_64' : process.arch,
      protocol_version: 10,
      hostname: context.hostname,
      port: c.port,
      bind_address: c.bind_address,
      datadir: c.datadir,
      socket: '',
      max_allowed_packet: c.max_allowed_packet,
      max_connections: c.max_connections,
      lockstep_locking_mode: c.locking_mode,
      innodb_lock_wait_timeout: c.lock_wait_timeout,
      lock_wait_timeout: c.lock_wait_timeout,
      transaction_isolation: 'REPEATABLE-READ',
      tx_isolation: 'REPEATABLE-READ',
      transaction_read_only: 0,
      tx_read_only: 0,
      autocommit: 1,
      sql_mode: DEFAULT_SQL_MODE,
      character_set_client: 'utf8mb4',
      character_set_connection: 'utf8mb4',
      character_set_results: 'utf8mb4',
      character_set_server: 'utf8mb4',
      character_set_database: 'utf8mb4',
      character_set_filesystem: 'binary',
      character_set_system: 'utf8mb3',
      collation_connection: 'utf8mb4_general_ci',
      collation_server: 'utf8mb4_general_ci',
      collation_database: 'utf8mb4_general_ci',
      default_storage_engine: 'Lockstep',
      storage_engine: 'Lockstep',
      time_zone: 'SYSTEM',
      system_time_zone: 'UTC',
      lower_case_table_names: 0,
      wait_timeout: 28_800,
      interactive_timeout: 28_800,
      net_read_timeout: 30,
      net_write_timeout: 60,
      net_buffer_length: 16_384,
      have_ssl: 'DISABLED',
      license: 'MIT',
      auto_increment_increment: 1,
      auto_increment_offset: 1,
      performance_schema: 0,
      query_cache_type: 'OFF',
      query_cache_size: 0,
      init_connect: '',
      max_execution_time: 0,
      sql_auto_is_null: 0,
      sql_select_limit: 18_446_744_073_709_551_615n,
      // Session state mariadb-binlog output sets before each event (accepted and kept per
      // session by the executor; they do not change what the server does: a replayed
      // transaction gets this server's own next GTID, not gtid_seq_no's).
      pseudo_slave_mode: 0,
      pseudo_thread_id: 0,
      gtid_seq_no: 0,
      skip_parallel_replication: 0,
      skip_replication: 0,
      lc_time_names: 'en_US',
      max_delayed_threads: 20,
      completion_type: 'NO_CHAIN',
      foreign_key_checks: 1,
      unique_checks: 1,
      check_constraint_checks: 1,
      system_versioning_insert_history: 0,
      sql_log_bin: 1,
      sql_notes: 1,
      sql_warnings: 0,
      binlog_annotate_row_events: 0,
    };
    for (const [name, value] of Object.entries(fixed)) this.#fixed.set(name, value);
    const settable: Record<string, { value: SqlValue; parse: Settable }> = {
      read_only: { value: c.read_only ? 1 : 0, parse: asBool },
      slave_parallel_mode: { value: c.slave_parallel_mode, parse: asEnum(['none', 'minimal', 'conservative', 'optimistic', 'aggressive']) },
      slave_parallel_threads: { value: c.slave_parallel_threads, parse: asInt(0, 256) },
      slave_parallel_max_queued: { value: c.slave_parallel_max_queued, parse: asInt(1024, 1024 ** 3) },
      slave_transaction_retries: { value: c.slave_transaction_retries, parse: asInt(0, 1_000_000) },
    };
    for (const [name, entry] of Object.entries(settable)) this.#settable.set(name, entry);
    this.#live.set('gtid_binlog_pos', () => formatGtidList(context.tc().gtidBinlogPos()));
    this.#live.set('gtid_current_pos', () => formatGtidList(this.#replica()?.currentPos() ?? context.tc().gtidBinlogPos()));
    this.#live.set('gtid_slave_pos', () => formatGtidList(this.#replica()?.slavePos() ?? []));
    this.#live.set('innodb_read_only', () => 0);
    this.#live.set('timestamp', () => Date.now() / 1000);
  }

  #replica(): ReplicaController | undefined {
    return this.#context.replica?.current;
  }

  #requireReplica(statement: string): ReplicaController {
    const replica = this.#replica();
    if (replica === undefined) throw new NotBuiltError(statement, 'the server is still opening');
    return replica;
  }

  get readOnly(): boolean {
    return this.#settable.get('read_only')?.value === 1;
  }

  /** Every variable name the server owns (for SHOW VARIABLES in the executor, if it asks). */
  names(): string[] {
    return [...this.#fixed.keys(), ...this.#settable.keys(), ...this.#live.keys()].sort();
  }

  globalVariable(name: string): SqlValue | undefined {
    const key = name.toLowerCase();
    const live = this.#live.get(key);
    if (live !== undefined) return live();
    return this.#settable.get(key)?.value ?? this.#fixed.get(key);
  }

  setGlobalVariable(name: string, value: SqlValue): void {
    const key = name.toLowerCase();
    const replica = this.#replica();
    if (key === 'gtid_slave_pos' && replica !== undefined) {
      replica.setSlavePos(value);
      return;
    }
    const entry = this.#settable.get(key);
    if (entry === undefined) {
      if (this.#fixed.has(key) || this.#live.has(key)) throw new ReadOnlyVariableError(key);
      throw new UnknownVariableError(key);
    }
    entry.value = entry.parse(value, key);
  }

  adminStatement(statement: AdminStatement, session: SessionInfo): Promise<StatementResult> {
    return this.#admin(statement, session);
  }

  async #admin(statement: AdminStatement, session: SessionInfo): Promise<StatementResult> {
    switch (statement.kind) {
      case 'show':
        switch (statement.what) {
          case 'processlist':
            return this.#processList(statement.full);
          case 'masterStatus':
            return this.#masterStatus();
          case 'binaryLogs':
            return this.#binaryLogs();
          case 'slaveStatus':
            // A server that is not a replica answers with no rows, as MariaDB does.
            return this.#replica()?.slaveStatus() ?? rows(SLAVE_STATUS_COLUMNS, []);
        }
        break;
      case 'purgeBinaryLogs':
        return this.#purge(statement.to, statement.before);
      case 'kill':
        return this.#kill(statement.connectionId, statement.query, session);
      case 'flush':
        if (/\b(binary\s+)?logs\b/i.test(statement.what)) await this.#context.tc().rotate();
        return OK;
      case 'changeMaster':
        return this.#requireReplica('CHANGE MASTER TO').changeMaster(statement.options);
      case 'startReplica':
        return this.#requireReplica('START SLAVE').start(statement.thread);
      case 'stopReplica':
        return this.#requireReplica('STOP SLAVE').stop(statement.thread);
      case 'resetReplica':
        return this.#requireReplica('RESET SLAVE').reset(statement.all);
      case 'resetMaster':
        throw new NotBuiltError('RESET MASTER', 'use PURGE BINARY LOGS; resetting the binlog of a running primary comes with issue 11');
    }
    throw new NotBuiltError('this statement', 'the server does not answer it');
  }

  #processList(full: boolean): StatementResult {
    const now = Date.now();
    const data = this.#context.connections.list().map((c): SqlValue[] => [
      BigInt(c.id),
      c.user,
      c.host,
      c.session.database ?? null,
      c.command,
      BigInt(Math.max(0, Math.floor((now - c.sinceMs) / 1000))),
      c.command === 'Sleep' ? '' : c.state,
      c.info === undefined ? null : full ? c.info : c.info.slice(0, 100),
      0,
    ]);
    const replica = this.#replica();
    if (replica !== undefined) data.push(...replica.processRows(1_000_000_000));
    return rows(PROCESSLIST_COLUMNS, data);
  }

  #masterStatus(): StatementResult {
    const position = this.#context.tc().writer.position;
    return rows(MASTER_STATUS_COLUMNS, [[position.file, BigInt(position.offset), '', '']]);
  }

  async #binaryLogs(): Promise<StatementResult> {
    const files = await this.#context.binlogFiles.list();
    return rows(BINARY_LOGS_COLUMNS, files.map((f) => [f.name, BigInt(f.size)]));
  }

  async #purge(to: string | undefined, before: string | undefined): Promise<StatementResult> {
    const writer = this.#context.tc().writer;
    if (to !== undefined) {
      if (!writer.files.includes(to)) throw new LockstepError('SERVER_PURGE_TARGET', 'Target log not found in binlog index', { errno: 1373, sqlState: 'HY000' });
      await writer.purgeTo(to);
      return OK;
    }
    if (before !== undefined) {
      const at = SqlDateTime.parse(before);
      if (at === undefined) throw new WrongValueError('PURGE BINARY LOGS BEFORE', before);
      await writer.purgeBefore(new Date(at.year, at.month - 1, at.day, at.hour, at.minute, at.second).getTime());
      return OK;
    }
    throw new WrongValueError('PURGE BINARY LOGS', '');
  }

  #kill(id: number, queryOnly: boolean, _session: SessionInfo): StatementResult {
    const target = this.#context.connections.get(id);
    if (target === undefined) throw new NoSuchThreadError(id);
    target.session.kill(queryOnly);
    if (!queryOnly) this.#context.killConnection(id);
    return OK;
  }
}

const PROCESSLIST_COLUMNS = [
  column('Id', 'bigint', false),
  column('User', 'text', false),
  column('Host', 'text', false),
  column('db', 'text'),
  column('Command', 'text', false),
  column('Time', 'bigint', false),
  column('State', 'text'),
  column('Info', 'text'),
  column('Progress', 'int', false),
];
const MASTER_STATUS_COLUMNS = [column('File', 'text', false), column('Position', 'bigint', false), column('Binlog_Do_DB', 'text', false), column('Binlog_Ignore_DB', 'text', false)];
const BINARY_LOGS_COLUMNS = [column('Log_name', 'text', false), column('File_size', 'bigint', false)];
const SLAVE_STATUS_COLUMNS = [
  'Slave_IO_State',
  'Master_Host',
  'Master_User',
  'Master_Port',
  'Slave_IO_Running',
  'Slave_SQL_Running',
  'Last_Error',
  'Seconds_Behind_Master',
  'Last_IO_Error',
  'Last_SQL_Error',
  'Gtid_IO_Pos',
  'Gtid_Slave_Pos',
  'Parallel_Mode',
].map((name) => column(name, 'text'));
