// A database server child process we started: waits until it accepts a MySQL-protocol
// login, stops it by its PID, and remembers every live child so that a benchmark that
// fails or is interrupted still stops what it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, existsSync } from 'node:fs';
import { createConnection } from 'mysql2/promise';

/** How long a server may take to accept its first login. */
export const SERVER_START_TIMEOUT_MS = 60_000;
/** How long a server may take to exit after SIGTERM before it is killed with SIGKILL. */
export const SERVER_STOP_TIMEOUT_MS = 60_000;
/** How often readiness is probed while a server starts. */
const READY_PROBE_INTERVAL_MS = 100;

export interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
}

/** A running server we started. `stop()` is idempotent and never throws. */
export interface ServerHandle extends Endpoint {
  readonly name: string;
  readonly pid: number;
  readonly datadir: string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  stop(): Promise<void>;
}

export interface SpawnServerOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly datadir: string;
  readonly endpoint: Endpoint;
  /** stdout and stderr of the child are appended here. */
  readonly logFile: string;
  /** Extra files whose tail is worth showing when the start fails (e.g. MariaDB's error log). */
  readonly extraLogFiles?: readonly string[];
  readonly startTimeoutMs?: number;
}

export class ServerStartError extends Error {
  readonly code = 'SERVER_START_FAILED';
  constructor(message: string, readonly logTail: string) {
    super(`${message}${logTail === '' ? '' : `\n--- log tail ---\n${logTail}`}`);
    this.name = 'ServerStartError';
  }
}

const live = new Map<number, ChildProcess>();
let exitHookInstalled = false;

/** Sends SIGKILL to every server child still running (process exit, SIGINT, SIGTERM). */
export function killAllStartedServers(): void {
  for (const [pid, child] of live) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  live.clear();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', killAllStartedServers);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAllStartedServers();
      process.exit(130);
    });
  }
}

/** PIDs of server children started by this process and not yet exited (for tests). */
export function liveServerPids(): number[] {
  return [...live.keys()];
}

function tail(file: string, lines = 30): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n').trim();
}

async function canLogin(endpoint: Endpoint): Promise<boolean> {
  try {
    const connection = await createConnection({ ...endpoint, connectTimeout: 2000 });
    await connection.query('SELECT 1');
    await connection.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts `command args` and resolves once a MySQL-protocol login on `endpoint` succeeds.
 * REQUIRES: the command serves the MySQL protocol on endpoint.host:port.
 * Fails with ServerStartError (carrying the log tail) when the process exits first or the
 * start timeout passes; in both cases nothing is left running.
 */
export async function spawnServer(options: SpawnServerOptions): Promise<ServerHandle> {
  installExitHook();
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(options.command, options.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const pid = child.pid;
  if (pid === undefined) throw new ServerStartError(`${options.name}: could not spawn ${options.command}`, '');
  live.set(pid, child);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(pid);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  let exitStatus: number | string | undefined;
  void exited.then((status) => (exitStatus = status));

  const stop = async (): Promise<void> => {
    if (exitStatus !== undefined) return;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      exited.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => {
          resolve(true);
        }, SERVER_STOP_TIMEOUT_MS);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
      await exited;
    }
    log.end();
  };
  const logTail = (): string => [options.logFile, ...(options.extraLogFiles ?? [])].map((f) => tail(f)).filter((t) => t !== '').join('\n');

  const deadline = performance.now() + (options.startTimeoutMs ?? SERVER_START_TIMEOUT_MS);
  for (;;) {
    if (exitStatus !== undefined) {
      log.end();
      throw new ServerStartError(`${options.name} exited with ${String(exitStatus)} before accepting logins`, logTail());
    }
    if (await canLogin(options.endpoint)) break;
    if (performance.now() > deadline) {
      await stop();
      throw new ServerStartError(`${options.name} did not accept a login on ${options.endpoint.host}:${options.endpoint.port} within ${options.startTimeoutMs ?? SERVER_START_TIMEOUT_MS} ms`, logTail());
    }
    await new Promise((resolve) => setTimeout(resolve, READY_PROBE_INTERVAL_MS));
  }
  return { name: options.name, pid, datadir: options.datadir, ...options.endpoint, exited, stop };
}
