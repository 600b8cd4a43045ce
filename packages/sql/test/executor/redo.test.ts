import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RowsFlag } from '@lockstep/binlog';
import { MAX_ROWS_EVENT_BYTES, type Session } from '../../src/index.js';
import { openTestEngine, rowsOf, type TestEngine } from './harness.js';

const RUNS = Number(process.env.LOCKSTEP_SQL_REDO_RUNS ?? 25);

const SCHEMA = [
  'CREATE DATABASE d',
  'CREATE TABLE d.t (id INT NOT NULL PRIMARY KEY, k INT NOT NULL DEFAULT 0, u INT, c VARCHAR(12) NOT NULL DEFAULT \'\', KEY k_1 (k), UNIQUE KEY u_1 (u))',
  'CREATE TABLE d.h (a INT, b VARCHAR(4))',
];

const id = fc.integer({ min: 1, max: 12 });
const small = fc.integer({ min: -3, max: 3 });
const uVal = fc.option(fc.integer({ min: 1, max: 6 }), { nil: null });
const word = fc.constantFrom('a', 'bb', 'ccc', 'x y', "o'k");
const sqlStr = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const sqlU = (u: number | null): string => (u === null ? 'NULL' : String(u));

const statement = fc.oneof(
  fc.tuple(id, small, uVal, word).map(([i, k, u, c]) => `INSERT INTO t (id, k, u, c) VALUES (${i}, ${k}, ${sqlU(u)}, ${sqlStr(c)})`),
  fc.tuple(id, small, uVal, id, small).map(([i, k, u, j, k2]) => `INSERT IGNORE INTO t (id, k, u) VALUES (${i}, ${k}, ${sqlU(u)}), (${j}, ${k2}, NULL)`),
  fc.tuple(id, small, uVal).map(([i, k, u]) => `REPLACE INTO t (id, k, u) VALUES (${i}, ${k}, ${sqlU(u)})`),
  fc.tuple(id, small).map(([i, k]) => `INSERT INTO t (id, k) VALUES (${i}, ${k}) ON DUPLICATE KEY UPDATE k = k + 1`),
  fc.tuple(id, id, small).map(([a, b, k]) => `UPDATE t SET k = k + ${k} WHERE id BETWEEN ${Math.min(a, b)} AND ${Math.max(a, b)}`),
  fc.tuple(small, word).map(([k, c]) => `UPDATE t SET c = ${sqlStr(c)} WHERE k = ${k}`),
  fc.tuple(id, id).map(([a, b]) => `UPDATE t SET id = ${b + 20} WHERE id = ${a}`),
  fc.tuple(id, uVal).map(([a, u]) => `UPDATE t SET u = ${sqlU(u)} WHERE id = ${a}`),
  fc.tuple(small).map(([k]) => `DELETE FROM t WHERE k > ${k}`),
  fc.tuple(id).map(([i]) => `DELETE FROM t WHERE id = ${i} OR u = ${i}`),
  fc.tuple(small, word).map(([a, b]) => `INSERT INTO h VALUES (${a}, ${sqlStr(b.slice(0, 4))})`),
  fc.tuple(small).map(([a]) => `UPDATE h SET a = a + 1 WHERE a = ${a}`),
  fc.tuple(small).map(([a]) => `DELETE FROM h WHERE a < ${a}`),
  fc.constantFrom('BEGIN', 'COMMIT', 'ROLLBACK', 'CREATE INDEX c_1 ON t (c)'),
);

async function snapshot(s: Session): Promise<unknown> {
  return {
    t: rowsOf(await s.execute('SELECT id, k, u, c FROM t ORDER BY id')),
    byK: rowsOf(await s.execute('SELECT id FROM t WHERE k >= -100 ORDER BY k, id')),
    byU: rowsOf(await s.execute('SELECT id FROM t WHERE u BETWEEN 0 AND 100 ORDER BY u')),
    h: rowsOf(await s.execute('SELECT a, b FROM h ORDER BY a, b')),
  };
}

async function redoAll(from: TestEngine, to: TestEngine): Promise<void> {
  for (const tx of from.committer.log) {
    await to.engine.redo(tx.events, async (t) => {
      await t.commit();
    });
  }
}

describe('executor: binlog events and redo', () => {
  it(`redo of the logged transactions into a fresh engine gives equal tables and indexes (${RUNS} random histories)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(statement, { minLength: 1, maxLength: 40 }), async (statements) => {
        const primary = await openTestEngine();
        const s = primary.engine.session({ connectionId: 1, user: 'u', host: 'h' });
        for (const q of SCHEMA) await s.execute(q);
        await s.execute('USE d');
        for (const q of statements) {
          try {
            await s.execute(q);
          } catch (error) {
            const errno = (error as { errno?: number }).errno;
            if (errno !== 1062 && errno !== 1061) throw error;
          }
        }
        await s.execute('COMMIT');
        const replica = await openTestEngine();
        await redoAll(primary, replica);
        const r = replica.engine.session({ connectionId: 1, user: 'u', host: 'h', database: 'd' });
        expect(await snapshot(r)).toEqual(await snapshot(s));
        expect(rowsOf(await r.execute('SHOW CREATE TABLE t'))).toEqual(rowsOf(await s.execute('SHOW CREATE TABLE t')));
        await primary.close();
        await replica.close();
      }),
      { numRuns: RUNS },
    );
  });

  it('a large statement is split into rows events within the bound, STMT_END on the last only', async () => {
    const te = await openTestEngine();
    const s = te.engine.session({ connectionId: 1, user: 'u', host: 'h' });
    await s.execute('CREATE DATABASE d');
    await s.execute('CREATE TABLE d.w (id INT NOT NULL PRIMARY KEY, c VARCHAR(200) NOT NULL)');
    const values = Array.from({ length: 300 }, (_v, i) => `(${i}, '${'x'.repeat(150)}')`).join(', ');
    await s.execute(`INSERT INTO d.w VALUES ${values}`);
    const events = te.committer.log.at(-1)!.events;
    const rowsEvents = events.filter((e) => e.kind === 'writeRows');
    expect(rowsEvents.length).toBeGreaterThan(4);
    expect(rowsEvents.reduce((n, e) => n + e.rows.length, 0)).toBe(300);
    for (const e of rowsEvents.slice(0, -1)) expect(e.rowsFlags & RowsFlag.STMT_END).toBe(0);
    expect(rowsEvents.at(-1)!.rowsFlags & RowsFlag.STMT_END).toBe(RowsFlag.STMT_END);
    for (const e of rowsEvents) expect(e.rows.length * 160).toBeLessThanOrEqual(MAX_ROWS_EVENT_BYTES + 200);
    // Applied to a fresh engine by redo, and the replica's write set names every row.
    const replica = await openTestEngine();
    await redoAll(te, replica);
    const r = replica.engine.session({ connectionId: 1, user: 'u', host: 'h', database: 'd' });
    expect(rowsOf(await r.execute('SELECT COUNT(*), SUM(id) FROM w'))).toEqual([[300n, 44850n]]);
    const applier = replica.engine.rowApplier();
    const keys = events.flatMap((e) => applier.writeSet(e));
    expect(new Set(keys).size).toBe(300);
    expect(keys[0]).toMatch(/^d\.w:/);
    await te.close();
    await replica.close();
  });
});
