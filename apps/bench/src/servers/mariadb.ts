// MariaDB 10.11 servers for the end-to-end benchmarks: throwaway datadirs made with
// mariadb-install-db, InnoDB with full durability (sync_binlog=1,
// innodb_flush_log_at_trx_commit=1), ROW binlog with GTIDs, bound to 127.0.0.1.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { ensureApt } from './ensure-apt.js';
import { freeLoopbackPort } from './free-port.js';
import { ServerStartError, spawnServer, type ServerHandle } from './server-process.js';
import type { Availability, ServerFlavor, StartOptions } from './types.js';

export const MARIADB_APT_PACKAGES = ['mariadb-server', 'mariadb-client', 'sysbench'] as const;
/** The account every benchmark logs in with (created by an init file at each start). */
export const BENCH_USER = 'bench';
export const BENCH_PASSWORD = 'bench';
/** Bind attempts when the free port we picked was taken meanwhile. */
const START_ATTEMPTS = 3;

function findBinary(names: readonly string[]): string | undefined {
  for (const name of names) {
    for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin']) {
      const file = join(dir, name);
      if (existsSync(file)) return file;
    }
  }
  return undefined;
}

/** Server options shared by both roles; replica-only ones are added in `start`. */
function serverArgs(options: StartOptions, port: number): string[] {
  const d = options.datadir;
  const args = [
    '--no-defaults',
    `--datadir=${d}`,
    `--socket=${join(d, 'mysqld.sock')}`,
    `--pid-file=${join(d, 'mysqld.pid')}`,
    `--log-error=${join(d, 'error.log')}`,
    `--init-file=${join(d, 'bench-init.sql')}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    '--skip-name-resolve',
    `--server-id=${options.serverId}`,
    '--default-storage-engine=InnoDB',
    '--innodb-flush-log-at-trx-commit=1',
    '--innodb-buffer-pool-size=512M',
    '--innodb-log-file-size=256M',
    `--log-bin=${join(d, 'binlog')}`,
    '--binlog-format=ROW',
    '--sync-binlog=1',
    '--max-connections=500',
    '--max-prepared-stmt-count=100000',
    `--user=${userInfo().username}`,
  ];
  if (options.role === 'replica') {
    args.push(
      `--relay-log=${join(d, 'relay')}`,
      '--log-slave-updates=0',
      '--skip-slave-start',
      '--read-only=0',
      `--slave-parallel-mode=${options.parallelMode ?? 'optimistic'}`,
      `--slave-parallel-threads=${options.parallelThreads ?? 0}`,
    );
  }
  return args;
}

export class MariaDbFlavor implements ServerFlavor {
  readonly name = 'MariaDB';
  private version: string | undefined;

  availability(): Promise<Availability> {
    const apt = ensureApt(MARIADB_APT_PACKAGES);
    if (!apt.ok) return Promise.resolve({ available: false, reason: apt.reason });
    const server = findBinary(['mariadbd', 'mysqld']);
    if (server === undefined) return Promise.resolve({ available: false, reason: 'mariadbd is not on this machine after scripts/ensure-apt.sh' });
    const out = spawnSync(server, ['--version'], { encoding: 'utf8' });
    this.version = /Ver\s+(\S+)/.exec(out.stdout)?.[1] ?? 'unknown';
    return Promise.resolve({ available: true, version: this.version });
  }

  /** mariadb-install-db into an empty directory (about 5 s); a datadir can then be copied while the server is stopped. */
  prepareDatadir(datadir: string): Promise<void> {
    mkdirSync(datadir, { recursive: true });
    const installer = findBinary(['mariadb-install-db', 'mysql_install_db']);
    if (installer === undefined) return Promise.reject(new Error('mariadb-install-db is not installed'));
    const result = spawnSync(installer, ['--no-defaults', `--datadir=${datadir}`, '--auth-root-authentication-method=normal', '--skip-test-db', `--user=${userInfo().username}`, '--innodb-log-file-size=256M'], { encoding: 'utf8', timeout: 120_000 });
    if (result.status !== 0) return Promise.reject(new Error(`mariadb-install-db failed (${String(result.status)}): ${result.stderr.slice(-2000)}`));
    return Promise.resolve();
  }

  async start(options: StartOptions): Promise<ServerHandle> {
    const server = findBinary(['mariadbd', 'mysqld']);
    if (server === undefined) throw new Error('mariadbd is not installed');
    // The account is created at every start, outside the binlog, so a replica's GTID
    // position only ever holds the primary's transactions.
    writeFileSync(
      join(options.datadir, 'bench-init.sql'),
      [
        'SET sql_log_bin=0;',
        `CREATE USER IF NOT EXISTS '${BENCH_USER}'@'127.0.0.1' IDENTIFIED BY '${BENCH_PASSWORD}';`,
        `GRANT ALL PRIVILEGES ON *.* TO '${BENCH_USER}'@'127.0.0.1' WITH GRANT OPTION;`,
        'CREATE DATABASE IF NOT EXISTS sbtest;',
        '',
      ].join('\n'),
    );
    let lastError: unknown;
    for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
      const port = await freeLoopbackPort();
      try {
        return await spawnServer({
          name: `MariaDB ${options.role} (server_id ${options.serverId})`,
          command: server,
          args: serverArgs(options, port),
          datadir: options.datadir,
          endpoint: { host: '127.0.0.1', port, user: BENCH_USER, password: BENCH_PASSWORD },
          logFile: join(options.datadir, 'stdout.log'),
          extraLogFiles: [join(options.datadir, 'error.log')],
        });
      } catch (error) {
        lastError = error;
        // Only a port taken between our probe and the bind is worth another attempt.
        if (!(error instanceof ServerStartError) || !/Address already in use|Can't start server: Bind/i.test(error.logTail)) throw error;
      }
    }
    throw lastError;
  }
}
