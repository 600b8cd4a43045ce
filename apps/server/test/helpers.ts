import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AddressInfo, createServer } from 'node:net';
import mysql from 'mysql2/promise';
import pino from 'pino';
import { parseArguments } from '../src/config/parse-config.js';
import { startServer, type ServerHandle } from '../src/server.js';

export const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const serverEntry = join(repositoryRoot, 'apps', 'server', 'dist', 'main.js');

/** A port that was free a moment ago on 127.0.0.1 (for options where 0 means "off"). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => {
        resolve(port);
      });
    });
  });
}

export function tempDir(prefix = 'lockstep-server-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => { rmSync(path, { recursive: true, force: true }); } };
}

/** A server in this process on a free 127.0.0.1 port, logging nothing. */
export async function startTestServer(datadir: string, flags: readonly string[] = []): Promise<ServerHandle> {
  const { config } = parseArguments(['--datadir', datadir, '--port', '0', '--log-level', 'silent', '--engine-checkpoint-interval-ms', '200', ...flags], () => '');
  return startServer(config, { logger: pino({ level: 'silent' }) });
}

export function connect(server: { host: string; port: number }, options: { user?: string; password?: string; database?: string } = {}): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: server.host,
    port: server.port,
    user: options.user ?? 'root',
    password: options.password ?? '',
    ...(options.database === undefined ? {} : { database: options.database }),
    supportBigNumbers: true,
  });
}

/** `bash scripts/ensure-apt.sh PACKAGES`: undefined when installed, else the reason. */
export function ensureApt(...packages: string[]): string | undefined {
  const result = spawnSync('bash', [join(repositoryRoot, 'scripts', 'ensure-apt.sh'), ...packages], { encoding: 'utf8', timeout: 600_000 });
  if (result.status === 0) return undefined;
  return (result.stderr.trim() || result.stdout.trim() || `ensure-apt exited with ${String(result.status)}`).split('\n')[0];
}

export interface ChildServer {
  readonly child: ChildProcess;
  readonly port: number;
  readonly host: string;
  output(): string;
  /** Resolves with the exit code (or signal name). */
  readonly exited: Promise<number | string>;
}

/** Runs the built `lockstep-server` as a child process; resolves once it logs "ready for connections". */
export function spawnChildServer(datadir: string, flags: readonly string[] = [], timeoutMs = 30_000): Promise<ChildServer> {
  const child = spawn(process.execPath, [serverEntry, '--datadir', datadir, '--port', '0', '--log-level', 'info', ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve(code ?? signal ?? 'unknown');
    });
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${timeoutMs} ms:\n${text}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8');
      for (const line of text.split('\n')) {
        if (!line.includes('ready for connections')) continue;
        const parsed = JSON.parse(line) as { port: number; host: string };
        clearTimeout(timer);
        resolve({ child, port: parsed.port, host: parsed.host, output: () => text, exited });
        return;
      }
    };
    child.stderr.on('data', onData);
    child.stdout.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${String(code)}) before it was ready:\n${text}`));
    });
  });
}
