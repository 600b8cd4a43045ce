// `npm start`: a primary on 127.0.0.1:3307 and an optimistic parallel replica on
// 127.0.0.1:3308 (separate processes, data under ./data), connected on first start and
// resumed on later starts, with a live status line; Ctrl-C / SIGTERM stops both cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WireClient, type ClientQueryResult } from '@lockstep/wire';

const HELP = `lockstep start: runs a Lockstep primary and a parallel replica of it.

  --datadir DIR        data root: DIR/primary, DIR/replica, logs DIR/*.log (env LOCKSTEP_DATA_DIR; default ./data where npm was run)
  --primary-port N     primary port (env LOCKSTEP_PRIMARY_PORT; default 3307)
  --replica-port N     replica port (env LOCKSTEP_REPLICA_PORT; default 3308)
  --mode MODE          replica slave_parallel_mode (env LOCKSTEP_REPLICA_MODE; default optimistic)
  --threads N          replica slave_parallel_threads (env LOCKSTEP_REPLICA_THREADS; default 16)
  --no-status          no status line
  --help               this text
`;

/** How long each server gets to open its datadir (recovery included). */
const READY_TIMEOUT_MS = 120_000;
const STATUS_INTERVAL_MS = 1000;

interface Options {
  datadir: string;
  primaryPort: number;
  replicaPort: number;
  mode: string;
  threads: number;
  status: boolean;
}

function parse(argv: readonly string[]): Options | 'help' {
  const env = process.env;
  const o: Options = {
    datadir: env.LOCKSTEP_DATA_DIR ?? join(env.INIT_CWD ?? process.cwd(), 'data'),
    primaryPort: Number(env.LOCKSTEP_PRIMARY_PORT ?? 3307),
    replicaPort: Number(env.LOCKSTEP_REPLICA_PORT ?? 3308),
    mode: env.LOCKSTEP_REPLICA_MODE ?? 'optimistic',
    threads: Number(env.LOCKSTEP_REPLICA_THREADS ?? 16),
    status: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--help' || a === '-h') return 'help';
    else if (a === '--datadir') o.datadir = value();
    else if (a === '--primary-port') o.primaryPort = Number(value());
    else if (a === '--replica-port') o.replicaPort = Number(value());
    else if (a === '--mode') o.mode = value();
    else if (a === '--threads') o.threads = Number(value());
    else if (a === '--no-status') o.status = false;
    else throw new Error(`unknown option ${a} (see --help)`);
  }
  for (const [name, port] of [['--primary-port', o.primaryPort], ['--replica-port', o.replicaPort]] as const) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name} must be a port number`);
  }
  o.datadir = resolve(o.datadir);
  return o;
}

interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly exited: Promise<number>;
}

function startChild(name: string, datadir: string, log: string, args: readonly string[]): Child {
  mkdirSync(datadir, { recursive: true });
  const out = openSync(log, 'a');
  const main = join(dirname(fileURLToPath(import.meta.url)), 'main.js');
  const child = spawn(process.execPath, [main, '--datadir', datadir, '--bind-address', '127.0.0.1', ...args], {
    stdio: ['ignore', out, out],
    // Its own process group: a terminal's Ctrl-C reaches only this launcher, which stops the
    // servers in order (a server getting SIGINT twice would exit at once).
    detached: true,
  });
  const exited = new Promise<number>((resolveExit) => {
    child.once('exit', (code, signal) => {
      resolveExit(code ?? (signal === null ? 1 : 128));
    });
  });
  return { name, process: child, exited };
}

async function connectWhenReady(port: number, child: Child): Promise<WireClient> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const state = { exited: false };
  void child.exited.then(() => {
    state.exited = true;
  });
  for (;;) {
    try {
      return await WireClient.connect({ host: '127.0.0.1', port, user: 'root', connectTimeoutMs: 2000 });
    } catch (error) {
      if (state.exited) throw new Error(`the ${child.name} exited while starting (see its log)`);
      if (Date.now() > deadline) throw new Error(`the ${child.name} did not accept connections on port ${port}: ${String(error)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function firstRow(result: ClientQueryResult): Record<string, string | null> | undefined {
  if (result.kind !== 'rows' || result.rows.length === 0) return undefined;
  const row = result.rows[0]!;
  return Object.fromEntries(result.columns.map((c, i) => [c.name, row[i] ?? null]));
}

/** The highest seq_no in a GTID list (a single-domain setup's commit count). */
function seqOf(list: string | null | undefined): number {
  let max = 0;
  for (const part of (list ?? '').split(',')) {
    const seq = Number(part.split('-')[2] ?? 0);
    if (seq > max) max = seq;
  }
  return max;
}

async function main(argv: readonly string[]): Promise<number> {
  let options;
  try {
    options = parse(argv);
  } catch (error) {
    process.stderr.write(`lockstep start: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  const { datadir, primaryPort, replicaPort } = options;
  mkdirSync(datadir, { recursive: true });
  const primary = startChild('primary', join(datadir, 'primary'), join(datadir, 'primary.log'), ['--port', String(primaryPort), '--server-id', '1']);
  const replica = startChild('replica', join(datadir, 'replica'), join(datadir, 'replica.log'), [
    '--port',
    String(replicaPort),
    '--server-id',
    '2',
    '--read-only=ON',
    '--log-slave-updates=ON',
    '--slave-parallel-mode',
    options.mode,
    '--slave-parallel-threads',
    String(options.threads),
  ]);
  const children = [primary, replica];

  let stopping: Promise<number> | undefined;
  const isStopping = (): boolean => stopping !== undefined;
  let timer: NodeJS.Timeout | undefined;
  const clients: WireClient[] = [];
  const stopAll = (reason: string): Promise<number> => {
    stopping ??= (async () => {
      clearInterval(timer);
      if (options.status && process.stdout.isTTY) process.stdout.write('\n');
      process.stdout.write(`${reason}: stopping the replica, then the primary\n`);
      for (const c of clients) await c.close().catch(() => undefined);
      // The replica first, so it stops applying before its primary goes away.
      let status = 0;
      for (const child of [replica, primary]) {
        if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGTERM');
        const code = await child.exited;
        process.stdout.write(`${child.name} exited with ${code}\n`);
        if (code !== 0) status = 1;
      }
      return status;
    })();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    void stopAll(`${signal} received`).then((status) => {
      process.exitCode = status;
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  for (const child of children) {
    void child.exited.then((code) => {
      if (stopping === undefined) {
        process.stderr.write(`the ${child.name} exited unexpectedly with ${code} (log: ${join(datadir, `${child.name}.log`)})\n`);
        void stopAll('a server exited').then(() => {
          process.exitCode = 1;
        });
      }
    });
  }

  try {
    const p = await connectWhenReady(primaryPort, primary);
    clients.push(p);
    const r = await connectWhenReady(replicaPort, replica);
    clients.push(r);
    const status = firstRow(await r.query('SHOW SLAVE STATUS'));
    if (status === undefined) {
      await r.query(`CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primaryPort}, MASTER_USER='root', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1`);
      await r.query('START SLAVE');
      process.stdout.write('replica connected to the primary (CHANGE MASTER TO + START SLAVE)\n');
    } else {
      process.stdout.write(`replica resumed from gtid_slave_pos ${status.Gtid_Slave_Pos ?? ''}\n`);
    }
    process.stdout.write(
      [
        `primary: 127.0.0.1:${primaryPort}   replica (read-only, ${options.mode}, ${options.threads} threads): 127.0.0.1:${replicaPort}`,
        `data and logs: ${datadir}`,
        `connect:  mariadb -h127.0.0.1 -P${primaryPort} -uroot      (replica: mariadb -h127.0.0.1 -P${replicaPort} -uroot)`,
        'Ctrl-C stops both.',
        '',
      ].join('\n'),
    );
    if (options.status) {
      let last: { at: number; commits: number; applied: number } | undefined;
      let busy = false;
      timer = setInterval(() => {
        if (busy || stopping !== undefined) return;
        busy = true;
        void (async () => {
          try {
            const pos = firstRow(await p.query('SELECT @@gtid_binlog_pos AS pos'));
            const s = firstRow(await r.query('SHOW SLAVE STATUS'));
            const commits = seqOf(pos?.pos);
            const applied = seqOf(s?.Gtid_Slave_Pos);
            const now = Date.now();
            const secs = last === undefined ? 1 : (now - last.at) / 1000;
            const line =
              `primary ${last === undefined ? 0 : Math.round((commits - last.commits) / secs)} commits/s | ` +
              `replica ${last === undefined ? 0 : Math.round((applied - last.applied) / secs)} applied/s, ` +
              `lag ${s?.Seconds_Behind_Master ?? 'NULL'} s / ${Math.max(0, commits - applied)} txn, ` +
              `retries ${s?.Retried_transactions ?? 0} | IO ${s?.Slave_IO_Running ?? '-'} SQL ${s?.Slave_SQL_Running ?? '-'}` +
              (s?.Last_IO_Error ? ` | IO error: ${s.Last_IO_Error}` : '') +
              (s?.Last_SQL_Error ? ` | SQL error: ${s.Last_SQL_Error}` : '');
            last = { at: now, commits, applied };
            if (!isStopping()) process.stdout.write(process.stdout.isTTY ? `\r\x1b[K${line}` : `${line}\n`);
          } catch {
            // A server restarting or stopping: the next tick tries again.
          } finally {
            busy = false;
          }
        })();
      }, STATUS_INTERVAL_MS);
    }
  } catch (error) {
    process.stderr.write(`lockstep start: ${error instanceof Error ? error.message : String(error)}\n`);
    await stopAll('start failed');
    return 1;
  }
  return await new Promise<number>((resolveMain) => {
    const check = setInterval(() => {
      if (stopping !== undefined) {
        clearInterval(check);
        void stopping.then(resolveMain);
      }
    }, 100);
  });
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`lockstep start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
