import { describe, expect, it } from 'vitest';
import { openTestEngine } from './harness.js';

describe('executor: replica write sets and applyEvent', () => {
  it('write sets name primary and unique keys of both images; unknown for DDL and tables without a primary key', async () => {
    const te = await openTestEngine();
    const s = te.engine.session({ connectionId: 1, user: 'u', host: 'h' });
    await s.execute('CREATE DATABASE d');
    await s.execute('USE d');
    await s.execute('CREATE TABLE t (id INT PRIMARY KEY, u INT, UNIQUE KEY u_1 (u))');
    await s.execute('CREATE TABLE h (a INT)');
    await s.execute('INSERT INTO t VALUES (1, 10), (2, NULL)');
    await s.execute('UPDATE t SET id = 3 WHERE id = 1');
    await s.execute('INSERT INTO h VALUES (1)');
    const applier = te.engine.rowApplier();
    const sets = te.committer.log.map((tx) => tx.events.map((e) => applier.writeSet(e)));
    const [createDb, createT, createH, insert, update, insertH] = sets;
    expect(createDb).toEqual([undefined]);
    expect(createT).toEqual([undefined]);
    expect(createH).toEqual([undefined]);
    expect(insert![0]).toEqual([]);
    expect(insert![1]).toHaveLength(3); // two primary keys, one unique key (the NULL one conflicts with nobody)
    expect(update![1]!.filter((k) => k.startsWith('d.t:'))).toHaveLength(2); // old and new primary key
    expect(update![1]!.filter((k) => k.startsWith('d.t.u_1:'))).toHaveLength(1); // the same unique value in both images
    expect(insertH![1]).toBeUndefined();
    // applyEvent applies the same transactions into another engine's transaction.
    const replica = await openTestEngine();
    const r = replica.engine.session({ connectionId: 1, user: 'u', host: 'h' });
    await r.execute('CREATE DATABASE d');
    await r.execute('CREATE TABLE d.t (id INT PRIMARY KEY, u INT, UNIQUE KEY u_1 (u))');
    const apply = replica.engine.rowApplier();
    for (const tx of [te.committer.log[3]!, te.committer.log[4]!]) {
      const t = replica.db.begin();
      for (const e of tx.events) await apply.applyEvent(t, e);
      await t.commit();
    }
    const rows = await r.execute('SELECT id, u FROM d.t ORDER BY id');
    expect(rows.kind === 'rows' && rows.rows).toEqual([[2, null], [3, 10]]);
    // A before image that is not there: 1032.
    const t = replica.db.begin();
    await expect((async () => {
      for (const e of te.committer.log[4]!.events) await apply.applyEvent(t, e);
    })()).rejects.toMatchObject({ errno: 1032 });
    await t.rollback();
    await te.close();
    await replica.close();
  });
});
