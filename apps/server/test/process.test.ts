// The built lockstep-server as a child process: --help, SIGTERM, and kill -9 under load.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { nodeFileSystem } from '@lockstep/base';
import { readBinlogTransactions } from '@lockstep/tc';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPTIONS } from '../src/config/options.js';
import { serverEntry, spawnChildServer, tempDir } from './helpers.js';

const built = existsSync(serverEntry);
if (!built) console.warn(`skipping process tests: ${serverEntry} is missing (run npm run build -w lockstep-server)`);
/** Rows the crash test writes before it kills the server (raise with LOCKSTEP_CRASH_ROWS). */
const CRASH_ROWS = Number(process.env.LOCKSTEP_CRASH_ROWS ?? 400);
const WRITERS = 8;

describe.skipIf(!built)('lockstep-server process', () => {
  it('--help documents every option', () => {
    const result = spawnSync(process.execPath, [serverEntry, '--help'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    for (const name of Object.keys(OPTIONS)) expect(result.stdout).toContain(`--${name.replaceAll('_', '-')}`);
  });

  it('refuses a bad option with status 2 naming it', () => {
    const result = spawnSync(process.execPath, [serverEntry, '--port=banana'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--port');
  });

  it('stops cleanly on SIGTERM and then opens without recovery', async () => {
    const dir = tempDir();
    try {
      const server = await spawnChildServer(dir.path);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(server.output()).toContain('stopped cleanly');
      const again = await spawnChildServer(dir.path);
      expect(again.output()).toContain('"uncleanShutdown":false');
      again.child.kill('SIGINT');
      expect(await again.exited).toBe(0);
    } finally {
      dir.remove();
    }
  });

  it('kill -9 under a write load loses no acknowledged commit; binlog and table agree; it serves again', async () => {
    const dir = tempDir();
    try {
      const first = await spawnChildServer(dir.path);
      const pool = mysql.createPool({ host: first.host, port: first.port, user: 'root', connectionLimit: WRITERS });
      await pool.query('CREATE DATABASE crash');
      await pool.query('CREATE TABLE crash.t (id INT NOT NULL PRIMARY KEY, v VARCHAR(32) NOT NULL, n BIGINT NOT NULL)');
      const acknowledged = new Set<number>();
      let next = 0;
      let killed = false;
      const writer = async (): Promise<void> => {
        for (;;) {
          const id = next++;
          try {
            await pool.execute('INSERT INTO crash.t (id, v, n) VALUES (?, ?, ?)', [id, `row-${String(id)}`, id * 3]);
            acknowledged.add(id);
            if (id % 5 === 0) {
              await pool.execute('UPDATE crash.t SET n = n + 1 WHERE id = ?', [id]);
            }
          } catch {
            if (killed) return;
            throw new Error(`write ${String(id)} failed before the kill`);
          }
          if (acknowledged.size >= CRASH_ROWS && !killed) {
            killed = true;
            first.child.kill('SIGKILL');
          }
        }
      };
      await Promise.all(Array.from({ length: WRITERS }, writer));
      await first.exited;
      await pool.end().catch(() => undefined);

      const second = await spawnChildServer(dir.path);
      expect(second.output()).toContain('"uncleanShutdown":true');
      const c = await mysql.createConnection({ host: second.host, port: second.port, user: 'root' });
      try {
        const [rows] = await c.query<RowDataPacket[]>('SELECT id, n FROM crash.t ORDER BY id');
        const table = new Map(rows.map((r) => [Number(r.id), Number(r.n)]));
        for (const id of acknowledged) expect(table.has(id), `acknowledged row ${String(id)}`).toBe(true);
        // The binlog's view of the table equals the table.
        const fromBinlog = new Map<number, number>();
        for await (const tx of readBinlogTransactions({ fs: nodeFileSystem, dir: join(dir.path, 'binlog') })) {
          for (const e of tx.events) {
            if (e.kind === 'writeRows') for (const r of e.rows) fromBinlog.set(Number(r[0]), Number(r[2]));
            else if (e.kind === 'updateRows') for (const r of e.rows) fromBinlog.set(Number(r.after[0]), Number(r.after[2]));
            else if (e.kind === 'deleteRows') for (const r of e.rows) fromBinlog.delete(Number(r[0]));
          }
        }
        expect(fromBinlog).toEqual(table);
        await c.execute('INSERT INTO crash.t (id, v, n) VALUES (?, ?, ?)', [1_000_000, 'after', 0]);
        const [[count]] = await c.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM crash.t');
        expect(Number(count!.n)).toBe(table.size + 1);
      } finally {
        await c.end();
        second.child.kill('SIGTERM');
        expect(await second.exited).toBe(0);
      }
    } finally {
      dir.remove();
    }
  }, 60_000);
});

describe.skipIf(!built)('one server per datadir', () => {
  it('a second process on the same datadir is refused naming the first; a stale pid file (kill -9) is taken over', async () => {
    const dir = tempDir();
    try {
      const first = await spawnChildServer(dir.path);
      const second = spawnSync(process.execPath, [serverEntry, '--datadir', dir.path, '--port', '0'], { encoding: 'utf8', timeout: 30_000 });
      expect(second.status).toBe(1);
      expect(second.stderr).toContain(`in use by the running process ${String(first.child.pid)}`);
      first.child.kill('SIGKILL');
      await first.exited;
      const third = await spawnChildServer(dir.path);
      third.child.kill('SIGTERM');
      expect(await third.exited).toBe(0);
      expect(existsSync(join(dir.path, 'lockstep.pid'))).toBe(false);
    } finally {
      dir.remove();
    }
  }, 60_000);
});
