import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireServer } from '../src/index.js';
import { KvHandler, PASSWORD, startServer } from './helpers.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function ensureApt(...packages: string[]): string | undefined {
  const result = spawnSync('bash', [path.join(repoRoot, 'scripts/ensure-apt.sh'), ...packages], { encoding: 'utf8' });
  if (result.status === 0) return undefined;
  const reason = `${packages.join(', ')} unavailable: ${(result.stderr || result.stdout || `exit ${result.status}`).trim()}`;
  console.warn(`[skip] mariadb command-line client tests: ${reason}`);
  return reason;
}

const missing = ensureApt('mariadb-client');
const hasScript = spawnSync('script', ['--version']).status === 0;
if (!hasScript) console.warn('[skip] interactive mariadb session test: the `script` program (util-linux) is not installed');

function mariadb(port: number, args: string[], user = 'root', password = PASSWORD): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'mariadb',
      ['--no-defaults', '-h127.0.0.1', `-P${port}`, `-u${user}`, `-p${password}`, '--connect-timeout=10', ...args],
      { timeout: 30_000 },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
      },
    );
  });
}

describe.skipIf(missing !== undefined)('the mariadb command-line client against @lockstep/wire', () => {
  let server: WireServer;
  let port: number;
  let handler: KvHandler;
  beforeAll(async () => {
    handler = new KvHandler();
    ({ server, port } = await startServer({}, handler));
  });
  afterAll(async () => {
    await server.close();
  });

  it('batch mode: -e with several statements prints tab-separated results', async () => {
    const r = await mariadb(port, ['-e', "insert into kv values ('a', 'one'); insert into kv values ('b', null); select k, v from kv"]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('k\tv\na\tone\nb\tNULL\n');
  });

  it('batch mode sends only the statements given (no startup queries)', async () => {
    const before = handler.log.length;
    const r = await mariadb(port, ['--batch', '--skip-column-names', '-e', 'select 1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('1\n');
    expect(handler.log.slice(before)).toEqual(['select 1']);
  });

  it.skipIf(!hasScript)('an interactive session (on a pseudo-terminal) first asks select @@version_comment limit 1', async () => {
    const before = handler.log.length;
    const r = await new Promise<string>((resolve) => {
      const child = execFile('script', ['-qc', `mariadb --no-defaults -h127.0.0.1 -P${port} -uroot -p${PASSWORD}`, '/dev/null'], { timeout: 30_000 }, (_e, stdout) => {
        resolve(stdout);
      });
      child.stdin!.end('select 1;\nquit\n');
    });
    expect(handler.log.slice(before)).toEqual(['select @@version_comment limit 1', 'select 1']);
    expect(r).toMatch(/Server version: (5\.5\.5-)?10\.11\.0-MariaDB-Lockstep Lockstep test server/);
    expect(r).toMatch(/\| 1 \|/);
  });

  it('a server error is printed with its errno and SQLSTATE, and the exit code is 1', async () => {
    const r = await mariadb(port, ['-e', 'selec nonsense']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ERROR 1064 \(42000\)/);
  });

  it('a wrong password is ERROR 1045 (28000)', async () => {
    const r = await mariadb(port, ['-e', 'select 1'], 'root', 'wrong');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ERROR 1045 \(28000\): Access denied for user 'root'/);
  });

  it('a database on the command line goes through CONNECT_WITH_DB, and a 100 kB statement round-trips', async () => {
    const big = 'q'.repeat(100_000);
    const r = await mariadb(port, ['--skip-column-names', 'shop', '-e', `select length('${big}')`]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('100000\n');
  });
});
