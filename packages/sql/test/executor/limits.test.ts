import { describe, expect, it } from 'vitest';
import { ManualClock } from '@lockstep/base';
import { MAX_BINLOG_ROW_BYTES, MAX_PREPARED_STATEMENTS, MAX_USER_VARIABLES, MAX_WARNINGS, PURGE_BATCH_KEYS, StatementChanges } from '../../src/index.js';
import { openTestEngine, rowsOf, type TestEngine } from './harness.js';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function untilWaiting(te: TestEngine): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (te.db.transactions().some((t) => t.waitingForLock)) return;
    await settle();
  }
  throw new Error('no transaction started waiting for a lock');
}

async function kvKeys(te: TestEngine, indexId: number): Promise<number> {
  const t = te.db.begin();
  let n = 0;
  const it = t.scan(indexId);
  for await (const _e of it) n++;
  it.close();
  await t.rollback();
  return n;
}

describe('executor: bounds and failures', () => {
  it('a lock wait timeout (1205) fails only the statement; the transaction and its earlier writes stay', async () => {
    const clock = new ManualClock();
    const te = await openTestEngine({ clock, lockWaitTimeoutMs: 1000 });
    const a = te.engine.session({ connectionId: 1, user: 'u', host: 'h' });
    await a.execute('CREATE DATABASE d');
    await a.execute('CREATE TABLE d.t (id INT PRIMARY KEY, v INT)');
    await a.execute('INSERT INTO d.t VALUES (1, 0), (2, 0)');
    const b = te.engine.session({ connectionId: 2, user: 'u', host: 'h', database: 'd' });
    await a.execute('BEGIN');
    await a.execute('UPDATE d.t SET v = 1 WHERE id = 1');
    await b.execute('BEGIN');
    await b.execute('UPDATE t SET v = 2 WHERE id = 2');
    const waiting = b.execute('UPDATE t SET v = 2 WHERE id = 1');
    waiting.catch(() => undefined);
    await untilWaiting(te);
    clock.advance(1000);
    await expect(waiting).rejects.toMatchObject({ errno: 1205 });
    expect(b.inTransaction).toBe(true);
    await a.execute('COMMIT');
    await b.execute('COMMIT');
    expect(rowsOf(await a.execute('SELECT id, v FROM d.t ORDER BY id'))).toEqual([[1, 1], [2, 2]]);
    await te.close();
  });

  it('KILL CONNECTION rolls back and refuses later statements; a session on an unknown database is 1049', async () => {
    const te = await openTestEngine();
    const a = te.engine.session({ connectionId: 1, user: 'u', host: 'h' });
    await a.execute('CREATE DATABASE d');
    await a.execute('CREATE TABLE d.t (id INT PRIMARY KEY)');
    await a.execute('BEGIN');
    await a.execute('INSERT INTO d.t VALUES (1)');
    a.kill(false);
    await expect(a.execute('COMMIT')).rejects.toMatchObject({ errno: 1235 });
    await a.close();
    const b = te.engine.session({ connectionId: 2, user: 'u', host: 'h', database: 'd' });
    expect(rowsOf(await b.execute('SELECT COUNT(*) FROM t'))).toEqual([[0n]]);
    expect(() => te.engine.session({ connectionId: 3, user: 'u', host: 'h', database: 'nope' })).toThrow(expect.objectContaining({ errno: 1049 }) as Error);
    await te.close();
  });

  it(`DROP TABLE deletes every key of the table in batches of ${PURGE_BATCH_KEYS}`, async () => {
    const te = await openTestEngine();
    const s = te.engine.session({ connectionId: 1, user: 'u', host: 'h' });
    await s.execute('CREATE DATABASE d');
    await s.execute('CREATE TABLE d.t (id INT PRIMARY KEY, k INT, KEY k_1 (k))');
    const n = PURGE_BATCH_KEYS * 2 + 17;
    for (let i = 0; i < n; i += 500) await s.execute(`INSERT INTO d.t VALUES ${Array.from({ length: Math.min(500, n - i) }, (_v, j) => `(${i + j}, ${j})`).join(',')}`);
    const table = te.engine.catalog.getTable('d', 't');
    const ids = table.indexIds();
    expect(await kvKeys(te, ids[0]!)).toBe(n);
    await s.execute('DROP DATABASE d');
    for (const id of ids) expect(await kvKeys(te, id)).toBe(0);
    await te.close();
  });

  it(`bounds: ${MAX_PREPARED_STATEMENTS} prepared statements (1461), ${MAX_USER_VARIABLES} user variables, ${MAX_WARNINGS} warnings`, async () => {
    const te = await openTestEngine();
    const s = te.engine.session({ connectionId: 1, user: 'u', host: 'h' });
    for (let i = 0; i < MAX_PREPARED_STATEMENTS; i++) s.prepare('SELECT 1');
    expect(() => s.prepare('SELECT 1')).toThrow(expect.objectContaining({ errno: 1461 }) as Error);
    for (let i = 0; i < MAX_USER_VARIABLES; i++) await s.execute(`SET @v${i} = ${i}`);
    await s.execute('SET @v0 = 5'); // an existing one can change
    await expect(s.execute('SET @one_too_many = 1')).rejects.toMatchObject({ errno: 1235 });
    await s.execute('CREATE DATABASE d');
    await s.execute('CREATE TABLE d.t (id INT PRIMARY KEY)');
    await s.execute('INSERT INTO d.t VALUES (1)');
    const r = await s.execute(`INSERT IGNORE INTO d.t VALUES ${Array.from({ length: MAX_WARNINGS + 10 }, () => '(1)').join(',')}`);
    expect(r).toMatchObject({ affectedRows: 0n, warnings: MAX_WARNINGS });
    expect(rowsOf(await s.execute('SHOW WARNINGS'))).toHaveLength(MAX_WARNINGS);
    await te.close();
  });
});

describe('executor: binlog row bound', () => {
  it(`a row change larger than the bound fails with 1534 (bound ${MAX_BINLOG_ROW_BYTES} bytes, tested with a small one)`, async () => {
    const te = await openTestEngine();
    const s = te.engine.session({ connectionId: 1, user: 'u', host: 'h' });
    await s.execute('CREATE DATABASE d');
    await s.execute('CREATE TABLE d.t (id INT PRIMARY KEY, c VARCHAR(100))');
    await s.execute("INSERT INTO d.t VALUES (1, 'small')");
    const table = te.engine.catalog.getTable('d', 't');
    const changes = new StatementChanges(64);
    changes.add(table, 'write', undefined, [1, 'x'], 20);
    expect(() => {
      changes.add(table, 'write', undefined, [2, 'y'.repeat(100)], 110);
    }).toThrow(expect.objectContaining({ errno: 1534 }) as Error);
    expect(changes.events().filter((e) => e.kind === 'writeRows')).toHaveLength(1);
    await te.close();
  });
});
