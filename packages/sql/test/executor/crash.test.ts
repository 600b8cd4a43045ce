import { describe, expect, it } from 'vitest';
import { SimFileSystem } from '@lockstep/base';
import { forEachSeed } from '@lockstep/base/testing';
import { openTestEngine, rowsOf } from './harness.js';

const SEEDS = Number(process.env.LOCKSTEP_SQL_CRASH_SEEDS ?? 4);

describe('executor: crash', () => {
  it(`every acknowledged (synced) commit and the catalog survive a crash with torn unsynced writes (${SEEDS} seeds)`, async () => {
    await forEachSeed(SEEDS, async (seed) => {
      const fs = new SimFileSystem({ seed });
      let te = await openTestEngine({ fs, syncCommit: true });
      const s = te.engine.session({ connectionId: 1, user: 'u', host: 'h' });
      await s.execute('CREATE DATABASE d');
      await s.execute('CREATE TABLE d.t (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, k INT NOT NULL, KEY k_1 (k))');
      const acknowledged: number[] = [];
      for (let i = 0; i < 20 + seed; i++) {
        const r = await s.execute(`INSERT INTO d.t (k) VALUES (${i})`);
        if (r.kind === 'ok') acknowledged.push(Number(r.lastInsertId));
        if (i % 5 === 4) await s.execute(`UPDATE d.t SET k = k + 100 WHERE id = ${acknowledged[i - 2]!}`);
      }
      const before = rowsOf(await s.execute('SELECT id, k FROM d.t ORDER BY id'));
      await s.execute('CREATE INDEX k_2 ON d.t (k, id)');
      fs.crash({ unsynced: 'torn' });
      await te.close(); // the dead process's handles: closing releases the directory
      te = await openTestEngine({ fs, syncCommit: true });
      const s2 = te.engine.session({ connectionId: 1, user: 'u', host: 'h', database: 'd' });
      expect(rowsOf(await s2.execute('SELECT id, k FROM t ORDER BY id'))).toEqual(before);
      expect(rowsOf(await s2.execute('SELECT id FROM t WHERE k >= 0 ORDER BY k, id')).length).toBe(before.length); // index k_1 complete
      expect(rowsOf(await s2.execute('SHOW INDEX FROM t')).map((r) => r[2])).toEqual(['PRIMARY', 'k_1', 'k_2', 'k_2']);
      const next = await s2.execute('INSERT INTO t (k) VALUES (-1)');
      expect(next).toMatchObject({ lastInsertId: BigInt(Math.max(...acknowledged) + 1) });
      await te.close();
    });
  });
});
