/**
 * Every server option: its canonical name (underscores, as MariaDB spells variables), its
 * type and bounds, its default and what it does. Flags and option files accept dashes and
 * underscores alike.
 */
export type OptionSpec =
  | { readonly kind: 'int'; readonly min: number; readonly max: number; readonly default: number }
  | { readonly kind: 'size'; readonly min: number; readonly max: number; readonly default: number }
  | { readonly kind: 'bool'; readonly default: boolean }
  | { readonly kind: 'string'; readonly default: string }
  | { readonly kind: 'enum'; readonly values: readonly string[]; readonly default: string }
  /** May be given many times; every occurrence is kept (flags after the option file's). */
  | { readonly kind: 'list'; readonly default: readonly string[] };

export interface OptionDefinition {
  readonly spec: OptionSpec;
  readonly help: string;
}

const GiB = 1024 ** 3;

export const OPTIONS = {
  datadir: { spec: { kind: 'string', default: './data' }, help: 'directory for tables, logs and the binlog' },
  port: { spec: { kind: 'int', min: 0, max: 65535, default: 3307 }, help: 'TCP port for MySQL clients (0 picks a free one)' },
  bind_address: { spec: { kind: 'string', default: '127.0.0.1' }, help: 'address to listen on' },
  server_id: { spec: { kind: 'int', min: 1, max: 4294967295, default: 1 }, help: 'server id written into GTIDs and binlog events' },
  gtid_domain_id: { spec: { kind: 'int', min: 0, max: 4294967295, default: 0 }, help: 'GTID domain of transactions this server originates' },
  log_level: { spec: { kind: 'enum', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' }, help: 'log verbosity' },
  metrics_port: { spec: { kind: 'int', min: 0, max: 65535, default: 0 }, help: 'Prometheus metrics on this port (0: off)' },
  max_connections: { spec: { kind: 'int', min: 1, max: 100000, default: 1000 }, help: 'client connections allowed at once' },
  max_allowed_packet: { spec: { kind: 'size', min: 1024, max: GiB, default: 64 * 1024 * 1024 }, help: 'largest packet accepted or sent' },
  locking_mode: { spec: { kind: 'enum', values: ['range', 'point'], default: 'range' }, help: 'range (gap locks, as MyRocks range locking) or point locks' },
  lock_wait_timeout: { spec: { kind: 'int', min: 1, max: 31536000, default: 50 }, help: 'seconds a lock request may wait (innodb_lock_wait_timeout)' },
  binlog_commit_wait_count: { spec: { kind: 'int', min: 0, max: 1000000, default: 0 }, help: 'group commit: wait for this many commits ...' },
  binlog_commit_wait_usec: { spec: { kind: 'int', min: 0, max: 100000000, default: 100000 }, help: '... but no longer than this many microseconds' },
  max_binlog_size: { spec: { kind: 'size', min: 4096, max: GiB, default: GiB }, help: 'rotate the binlog past this size' },
  read_only: { spec: { kind: 'bool', default: false }, help: 'refuse writes from clients (replication still applies)' },
  log_slave_updates: { spec: { kind: 'bool', default: false }, help: 'a replica writes what it applies to its own binlog (today a replica always does: its binlog is what makes applied transactions crash-safe; OFF is not honoured yet)' },
  skip_slave_start: { spec: { kind: 'bool', default: false }, help: 'do not start the replica threads at startup (by default they start again if they ran when the server stopped; master.info in the datadir)' },
  slave_parallel_mode: { spec: { kind: 'enum', values: ['none', 'minimal', 'conservative', 'optimistic', 'aggressive'], default: 'optimistic' }, help: 'how a replica runs transactions in parallel' },
  slave_parallel_threads: { spec: { kind: 'int', min: 0, max: 256, default: 16 }, help: 'replica worker count (0: serial)' },
  slave_parallel_max_queued: { spec: { kind: 'size', min: 1024, max: GiB, default: 128 * 1024 }, help: 'bytes of events queued per worker' },
  slave_transaction_retries: { spec: { kind: 'int', min: 0, max: 1000000, default: 10 }, help: 'retries of a transaction that hit a temporary error' },
  user: {
    spec: { kind: 'list', default: ['root'] },
    help: 'an account, NAME or NAME:PASSWORD (repeatable); NAME alone takes --password (mysql_native_password)',
  },
  password: { spec: { kind: 'string', default: '' }, help: 'password of accounts given without one' },
  users_file: { spec: { kind: 'string', default: '' }, help: "file of accounts, one 'NAME:PASSWORD' a line ('#' comments)" },
  shutdown_timeout: { spec: { kind: 'int', min: 0, max: 3600, default: 10 }, help: 'seconds running statements get to finish on SIGINT/SIGTERM' },
  engine_checkpoint_interval_ms: { spec: { kind: 'int', min: 0, max: 3600000, default: 1000 }, help: 'engine checkpoint every this many ms while commits arrive (0: by binlog bytes only)' },
} as const satisfies Record<string, OptionDefinition>;

export type OptionName = keyof typeof OPTIONS;

type ValueOf<S extends OptionSpec> = S extends { kind: 'bool' }
  ? boolean
  : S extends { kind: 'int' | 'size' }
    ? number
    : S extends { kind: 'list' }
      ? readonly string[]
      : string;

/** The resolved configuration: every option with its value. */
export type ServerConfig = { readonly [K in OptionName]: ValueOf<(typeof OPTIONS)[K]['spec']> };

/** `bind-address`, `BIND_ADDRESS` and `bind_address` all name the same option. */
export function canonicalName(raw: string): string {
  return raw.trim().toLowerCase().replaceAll('-', '_');
}

export function isOptionName(name: string): name is OptionName {
  return Object.hasOwn(OPTIONS, name);
}
