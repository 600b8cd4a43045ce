import mysql2 from 'mysql2';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LockstepError } from '@lockstep/base';
import { ColumnType, type WireServer, type WireValue } from '../src/index.js';
import { KvHandler, PASSWORD, startServer } from './helpers.js';

const T = mysql2.TypedParameter;
const CONCURRENT_CONNECTIONS = Number(process.env.WIRE_TEST_CONNECTIONS ?? 120);

describe('mysql2 clients against a server built on @lockstep/wire', () => {
  let server: WireServer;
  let port: number;
  let handler: KvHandler;
  const open = (extra: mysql.ConnectionOptions = {}): Promise<mysql.Connection> =>
    mysql.createConnection({ host: '127.0.0.1', port, user: 'root', password: PASSWORD, ...extra });

  beforeAll(async () => {
    handler = new KvHandler();
    ({ server, port } = await startServer({ maxConnections: CONCURRENT_CONNECTIONS + 10, maxPacketBytes: 40 * 1024 * 1024 }, handler));
  });
  afterAll(async () => {
    await server.close();
  });

  it('text queries: rows, NULL, OK with affected rows and insert id, errors with errno and SQLSTATE', async () => {
    const c = await open();
    try {
      const [ins] = await c.query("insert into kv values ('a', 'alpha')");
      expect(ins).toMatchObject({ affectedRows: 1, insertId: 1 });
      await c.query("insert into kv values ('b', null)");
      const [rows, fields] = await c.query('select k, v from kv');
      expect(rows).toEqual([
        { k: 'a', v: 'alpha' },
        { k: 'b', v: null },
      ]);
      expect((fields).map((f) => [f.name, f.table])).toEqual([
        ['k', 'kv'],
        ['v', 'kv'],
      ]);
      const [one] = await c.query("select v from kv where k = 'a'");
      expect(one).toEqual([{ v: 'alpha' }]);
      const [none] = await c.query("select v from kv where k = 'zzz'");
      expect(none).toEqual([]);
      const err = await c.query('selec nonsense').catch((e: unknown) => e);
      expect(err).toMatchObject({ errno: 1064, sqlState: '42000' });
      expect((err as Error).message).toMatch(/error in your SQL syntax/);
      // the connection goes on after a handler error
      await c.ping();
      const [again] = await c.query('select 1');
      expect(again).toEqual([{ 1: 1 }]);
    } finally {
      await c.end();
    }
  });

  it('multi-statement results come with MORE_RESULTS_EXISTS', async () => {
    const c = await open({ multipleStatements: true });
    try {
      const [results] = await c.query('select 1; select 2');
      expect(results).toEqual([[{ 1: 1 }], [{ 2: 2 }]]);
    } finally {
      await c.end();
    }
  });

  it('connects with a database (CONNECT_WITH_DB) and with an empty password', async () => {
    const c = await open({ database: 'shop' });
    await c.end();
    const n = await mysql.createConnection({ host: '127.0.0.1', port, user: 'nopw' });
    const [rows] = await n.query('select 1');
    expect(rows).toEqual([{ 1: 1 }]);
    await n.end();
  });

  it('wrong password and unknown user: ER_ACCESS_DENIED_ERROR 1045', async () => {
    const bad = await open({ password: 'nope' }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ errno: 1045, sqlState: '28000' });
    const unknown = await open({ user: 'ghost' }).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ errno: 1045 });
    expect((unknown as Error).message).toMatch(/Access denied for user 'ghost'/);
  });

  it('an account that requires another plugin is refused with 1251 naming it', async () => {
    const err = await open({ user: 'shauser', password: 'x' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ errno: 1251 });
    expect((err as Error).message).toMatch(/caching_sha2_password/);
  });

  it('prepared statements decode every parameter type the SQL subset uses', async () => {
    const c = await open({ timezone: 'Z', dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
    try {
      const params = [
        T.TINY(-128),
        T.TINY.unsigned(255),
        T.SHORT(-32768),
        T.SHORT.unsigned(65535),
        T.INT24(-8388608),
        T.LONG(-2147483648),
        T.LONG.unsigned(4294967295),
        T.LONGLONG(-9223372036854775808n),
        T.LONGLONG.unsigned(18446744073709551615n),
        T.FLOAT(1.5),
        T.DOUBLE(-2.25e200),
        T.DECIMAL('12345678901234567890.5'),
        T.VARCHAR('héllo'),
        T.BLOB(Buffer.from([0, 1, 2, 255])),
        T.DATE(new Date(Date.UTC(2026, 10, 25))),
        T.DATETIME(new Date(Date.UTC(2026, 10, 25, 10, 11, 12, 345))),
        T.TIMESTAMP(new Date(Date.UTC(1999, 0, 2, 3, 4, 5))),
        T.TIME('-27:05:06.5'),
        T.YEAR(2026),
        null,
        'plain string',
        7,
        true,
      ];
      const placeholders = params.map(() => '?').join(', ');
      const [rows] = await c.execute(`select ${placeholders}`, params);
      const got = handler.executed.at(-1)!;
      const expected: WireValue[] = [
        -128,
        255,
        -32768,
        65535,
        -8388608,
        -2147483648,
        4294967295,
        -9223372036854775808n,
        18446744073709551615n,
        1.5,
        -2.25e200,
        '12345678901234567890.5',
        'héllo',
        Buffer.from([0, 1, 2, 255]),
        { year: 2026, month: 11, day: 25, hour: 0, minute: 0, second: 0, microsecond: 0 },
        { year: 2026, month: 11, day: 25, hour: 10, minute: 11, second: 12, microsecond: 345000 },
        { year: 1999, month: 1, day: 2, hour: 3, minute: 4, second: 5, microsecond: 0 },
        { negative: true, days: 1, hours: 3, minutes: 5, seconds: 6, microseconds: 500000 },
        2026,
        null,
        'plain string',
        7,
        1,
      ];
      expect(got).toEqual(expected);
      // The binary result set (echoed back) decodes in mysql2 to the same values.
      const row = (rows as Record<string, unknown>[])[0]!;
      expect(row.p0).toBe('-128'); // echoed as LONGLONG, which bigNumberStrings returns as text
      expect(row.p7).toBe('-9223372036854775808');
      expect(row.p8).toBe('18446744073709551615');
      expect(row.p10).toBe(-2.25e200);
      expect(row.p12).toBe('héllo');
      expect(row.p13).toEqual(Buffer.from([0, 1, 2, 255]));
      expect(row.p15).toBe('2026-11-25 10:11:12.345000');
      expect(row.p17).toBe('-27:05:06.5'); // mysql2's own rendering of a binary TIME
      expect(row.p19).toBeNull();
      // Second execute of the cached statement: mysql2 sends the types again; values change.
      await c.execute(`select ${placeholders}`, params.map((p, i) => (i === 21 ? 8 : p)));
      expect(handler.executed.at(-1)![21]).toBe(8);
    } finally {
      await c.end();
    }
  });

  it('unprepare and re-prepare: statements close and ids are not reused', async () => {
    const c = await open();
    try {
      await c.execute('select ?', [1]);
      c.unprepare('select ?');
      const [rows] = await c.execute('select ?', ['x']);
      expect(rows).toEqual([{ p0: 'x' }]);
    } finally {
      await c.end();
    }
  });

  it('a query and a result larger than 16 MiB are split into frames and joined', async () => {
    const c = await open();
    try {
      const big = 'y'.repeat(17 * 1024 * 1024 + 3);
      const [rows] = await c.query(`select length('${big}')`);
      expect(rows).toEqual([{ 1: big.length }]);
      const [rows2] = await c.query(`select repeat('x', ${17 * 1024 * 1024 + 5})`);
      const value = (rows2 as { r: Buffer }[])[0]!.r;
      expect(value.length).toBe(17 * 1024 * 1024 + 5);
      await c.ping();
    } finally {
      await c.end();
    }
  });

  it(`${CONCURRENT_CONNECTIONS} concurrent connections each run their own queries`, async () => {
    const conns = await Promise.all(Array.from({ length: CONCURRENT_CONNECTIONS }, () => open()));
    try {
      expect(server.connectionCount).toBeGreaterThanOrEqual(CONCURRENT_CONNECTIONS);
      await Promise.all(
        conns.map(async (c, i) => {
          for (let j = 0; j < 5; j++) {
            await c.query(`insert into kv values ('c${i}-${j}', 'v${i}')`);
            const [rows] = await c.query(`select v from kv where k = 'c${i}-${j}'`);
            expect(rows).toEqual([{ v: `v${i}` }]);
            const [e] = await c.execute('select ?', [i * 1000 + j]);
            expect(e).toEqual([{ p0: i * 1000 + j }]);
          }
        }),
      );
      const ids = new Set(server.connections().map((x) => x.connectionId));
      expect(ids.size).toBe(server.connectionCount);
    } finally {
      await Promise.all(conns.map((c) => c.end()));
    }
  });
});

describe('an asynchronous handler (every method returns a promise)', () => {
  it('answers text queries, prepared statements, errors and init db in order', async () => {
    const kv = new KvHandler();
    const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
    const dbs: string[] = [];
    const { server, port } = await startServer({}, {
      query: async (s, sql) => {
        await tick();
        return kv.query(s, sql);
      },
      prepare: async (s, sql) => {
        await tick();
        return kv.prepare(s, sql);
      },
      execute: async (s, st, p) => {
        await tick();
        return kv.execute(s, st, p);
      },
      initDb: async (_s, db) => {
        await tick();
        if (db === 'missing') throw Object.assign(new Error(`Unknown database '${db}'`), { errno: 1049, sqlState: '42000' });
        dbs.push(db);
      },
    });
    try {
      const c = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', password: PASSWORD, database: 'first' });
      const results = await Promise.all([c.query('select 1'), c.execute('select ?', ['a']), c.query('nope').catch((e: unknown) => e), c.query("insert into kv values ('x', 'y')")]);
      expect(results[0][0]).toEqual([{ 1: 1 }]);
      expect(results[1][0]).toEqual([{ p0: 'a' }]);
      expect(results[2]).toMatchObject({ errno: 1064 });
      expect(results[3][0]).toMatchObject({ affectedRows: 1 });
      const changed = await c.changeUser({ database: 'second' }).catch((e: unknown) => e); // COM_CHANGE_USER is not supported
      expect(changed).toMatchObject({ errno: 1047 });
      await c.end();
      expect(dbs).toEqual(['first']);
      const missing = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', password: PASSWORD, database: 'missing' }).catch((e: unknown) => e);
      expect(missing).toMatchObject({ errno: 1049 });
    } finally {
      await server.close();
    }
  });
});

describe('streamed rows (an async iterable result)', () => {
  it('text and binary results stream in chunks; an iterator error arrives as ERR in place of the next row', async () => {
    const col = [{ name: 'n', type: ColumnType.LONG }, { name: 's', type: ColumnType.VAR_STRING }];
    async function* rows(count: number, failAt?: number): AsyncGenerator<WireValue[]> {
      for (let i = 0; i < count; i++) {
        if (i === failAt) throw new LockstepError('TEST_INTERRUPTED', 'Query execution was interrupted', { errno: 1317, sqlState: '70100' });
        if (i % 1000 === 0) await new Promise((r) => setImmediate(r));
        yield [i, `row ${i} `.padEnd(40, '.')];
      }
    }
    const { server, port } = await startServer({}, {
      query: (_s, sql) => {
        const m = /^stream (\d+)(?: fail (\d+))?$/.exec(sql);
        if (m === null) return { kind: 'ok' };
        return { kind: 'rows', columns: col, rows: rows(Number(m[1]), m[2] === undefined ? undefined : Number(m[2])) };
      },
      prepare: () => ({ params: 1, columns: col }),
      execute: (_s, _st, params) => ({ kind: 'rows', columns: col, rows: rows(Number(params[0])) }),
    });
    try {
      const c = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', password: PASSWORD });
      const [many] = await c.query('stream 20000');
      const list = many as { n: number; s: string }[];
      expect(list).toHaveLength(20000);
      expect(list[19999]).toEqual({ n: 19999, s: 'row 19999 '.padEnd(40, '.') });
      const [bin] = await c.execute('stream ?', [15000]);
      expect((bin as { n: number }[]).map((r) => r.n)).toEqual(Array.from({ length: 15000 }, (_, i) => i));
      const failed = await c.query('stream 20000 fail 12000').catch((e: unknown) => e);
      expect(failed).toMatchObject({ errno: 1317, sqlState: '70100' });
      await c.ping();
      const [after] = await c.query('stream 3');
      expect(after).toHaveLength(3);
      await c.end();
    } finally {
      await server.close();
    }
  });
});
