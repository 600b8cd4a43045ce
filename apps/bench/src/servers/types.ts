import type { ServerHandle } from './server-process.js';

export type ServerRole = 'primary' | 'replica';

/** MariaDB's slave_parallel_mode values; `none` with 0 threads means serial apply. */
export type ParallelMode = 'none' | 'minimal' | 'conservative' | 'optimistic' | 'aggressive';

export interface StartOptions {
  readonly role: ServerRole;
  /** A directory this server owns; created and initialised by `prepareDatadir`. */
  readonly datadir: string;
  readonly serverId: number;
  /** Replica only: how it applies (both are set again with SET GLOBAL by the benchmarks). */
  readonly parallelMode?: ParallelMode;
  readonly parallelThreads?: number;
}

export type Availability = { readonly available: true; readonly version: string } | { readonly available: false; readonly reason: string };

/**
 * One kind of server the end-to-end benchmarks drive (MariaDB, Lockstep): everything they
 * need beyond SQL over the wire. The replication benchmarks only use SQL that MariaDB and
 * Lockstep both speak (CHANGE MASTER TO, START/STOP SLAVE, SHOW SLAVE STATUS,
 * @@gtid_binlog_pos, @@gtid_slave_pos, SHOW GLOBAL STATUS).
 */
export interface ServerFlavor {
  readonly name: string;
  /** Whether this flavor can run here, and if not, why (said plainly in every table). */
  availability(): Promise<Availability>;
  /** Initialises an empty datadir (mariadb-install-db; nothing for Lockstep). */
  prepareDatadir(datadir: string): Promise<void>;
  /** Starts a server on a free 127.0.0.1 port; resolves once it accepts logins. */
  start(options: StartOptions): Promise<ServerHandle>;
}
