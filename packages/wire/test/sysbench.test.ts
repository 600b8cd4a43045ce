// sysbench (libmariadb / libmysqlclient underneath) against a server built on this package:
// a Lua script that prepares `SELECT ?`, binds an INT, executes, and runs `SELECT 1`.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ColumnFlag, ColumnType, type ColumnDefinition, type WireServer, type WireValue } from '../src/index.js';
import { PASSWORD, startServer } from './helpers.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const ensure = spawnSync('bash', [path.join(repoRoot, 'scripts/ensure-apt.sh'), 'sysbench'], { encoding: 'utf8' });
const missing = ensure.status === 0 ? undefined : `sysbench unavailable: ${(ensure.stderr || ensure.stdout).trim()}`;
if (missing !== undefined) console.warn(`[skip] sysbench test: ${missing}`);

const SCRIPT = `
function thread_init()
  drv = sysbench.sql.driver()
  con = drv:connect()
  stmt = con:prepare("SELECT ?")
  param = stmt:bind_create(sysbench.sql.type.INT)
  stmt:bind_param(param)
end
function event()
  param:set(sysbench.rand.uniform(1, 1000000))
  stmt:execute()
  con:query("SELECT 1")
end
function thread_done()
  stmt:close()
  con:disconnect()
end
`;

describe.skipIf(missing !== undefined)('sysbench against @lockstep/wire', () => {
  let server: WireServer;
  let port: number;
  let dir: string;
  const executed: WireValue[] = [];
  let queries = 0;
  const value: ColumnDefinition = { name: 'v', type: ColumnType.LONGLONG, flags: ColumnFlag.NUM };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'lockstep-wire-sysbench-'));
    writeFileSync(path.join(dir, 'probe.lua'), SCRIPT);
    ({ server, port } = await startServer({}, {
      query: () => {
        queries += 1;
        return { kind: 'rows', columns: [value], rows: [[1n]] };
      },
      // libmysqlclient trusts the column count given at prepare: it must match what execute returns.
      prepare: () => ({ params: 1, columns: [value] }),
      execute: (_s, _st, params) => {
        executed.push(params[0]!);
        return { kind: 'rows', columns: [value], rows: [params] };
      },
    }));
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('4 threads run 400 events of prepared execute + query', async () => {
    const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        'sysbench',
        ['probe.lua', '--db-driver=mysql', '--mysql-host=127.0.0.1', `--mysql-port=${port}`, '--mysql-user=root', `--mysql-password=${PASSWORD}`, '--threads=4', '--events=400', '--time=0', 'run'],
        { cwd: dir, timeout: 60_000 },
        (error, stdout, stderr) => {
          resolve({ code: error === null ? 0 : 1, stdout, stderr });
        },
      );
    });
    expect(out.stdout + out.stderr).not.toMatch(/FATAL/);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/total number of events:\s+400/);
    expect(executed).toHaveLength(400);
    expect(queries).toBe(400);
    // sysbench binds its INT type as MYSQL_TYPE_LONGLONG: the server decodes bigint
    expect(executed.every((v) => typeof v === 'bigint' && v >= 1n && v <= 1_000_000n)).toBe(true);
  });
});
