import { join } from 'node:path';
import fc from 'fast-check';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawKey, hotKeyCount, SYSBENCH_SPECIAL, UNIFORM } from '../src/load/distributions.js';
import { LATENCY_BUCKETS, LatencyHistogram } from '../src/load/latency-histogram.js';
import { errnoOf, LoadAbortedError, MAX_ERRORS, prepareTables, RETRYABLE_ERRNOS, runLoad } from '../src/load/load-generator.js';
import { cValue, padValue, statementSql, transactionSteps } from '../src/load/oltp.js';
import { SeededRandom } from '../src/load/prng.js';
import type { ServerHandle } from '../src/servers/server-process.js';
import { mariadb, mariadbMissing, throwawayDir, type Throwaway } from './mariadb-fixture.js';

describe('key distributions and statements (no server)', () => {
  it('draws the same keys for the same seed', () => {
    const a = new SeededRandom(99);
    const b = new SeededRandom(99);
    const c = new SeededRandom(100);
    const sa = Array.from({ length: 50 }, () => drawKey(a, 10_000, SYSBENCH_SPECIAL));
    expect(Array.from({ length: 50 }, () => drawKey(b, 10_000, SYSBENCH_SPECIAL))).toEqual(sa);
    expect(Array.from({ length: 50 }, () => drawKey(c, 10_000, SYSBENCH_SPECIAL))).not.toEqual(sa);
  });

  it('keeps keys in range; the hot spot takes about hotRes% of accesses, uniform about its share', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), fc.integer({ min: 100, max: 100_000 }), (seed, size) => {
        const random = new SeededRandom(seed);
        const hot = hotKeyCount(size, SYSBENCH_SPECIAL);
        let hotHits = 0;
        let uniformHot = 0;
        const draws = 4000;
        for (let i = 0; i < draws; i++) {
          const key = drawKey(random, size, SYSBENCH_SPECIAL);
          expect(key).toBeGreaterThanOrEqual(1);
          expect(key).toBeLessThanOrEqual(size);
          if (key <= hot) hotHits += 1;
          if (drawKey(random, size, UNIFORM) <= hot) uniformHot += 1;
        }
        // 75% forced into the hot set plus the uniform draws landing there by chance.
        expect(hotHits / draws).toBeGreaterThan(0.7);
        expect(hotHits / draws).toBeLessThan(0.82);
        expect(uniformHot / draws).toBeLessThan(0.05);
      }),
      { numRuns: 12 },
    );
  });

  it("builds sysbench's statements and transaction shapes", () => {
    expect(statementSql('inserts', 3)).toBe('INSERT INTO sbtest3 (id, k, c, pad) VALUES (?, ?, ?, ?)');
    expect(statementSql('distinct_ranges', 1)).toBe('SELECT DISTINCT c FROM sbtest1 WHERE id BETWEEN ? AND ? ORDER BY c');
    const random = new SeededRandom(1);
    expect(transactionSteps('oltp_point_select', random, 1, 100, UNIFORM).map((s) => s.statement)).toEqual(['point_selects']);
    expect(transactionSteps('oltp_write_only', random, 1, 100, UNIFORM).map((s) => s.statement)).toEqual(['index_updates', 'non_index_updates', 'deletes', 'inserts']);
    const rw = transactionSteps('oltp_read_write', random, 4, 100, UNIFORM);
    expect(rw.map((s) => s.statement)).toEqual([...Array<string>(10).fill('point_selects'), 'simple_ranges', 'sum_ranges', 'order_ranges', 'distinct_ranges', 'index_updates', 'non_index_updates', 'deletes', 'inserts']);
    const range = rw.find((s) => s.statement === 'sum_ranges')!;
    expect((range.params[1] as number) - (range.params[0] as number)).toBe(99);
    const [del, ins] = rw.slice(-2);
    expect(ins!.params[0]).toBe(del!.params[0]); // delete then insert of the same id
    expect(ins!.table).toBe(del!.table);
    expect(cValue(random)).toMatch(/^(\d{11}-){9}\d{11}$/);
    expect(padValue(random)).toMatch(/^(\d{11}-){4}\d{11}$/);
  });

  it('latency histogram quantiles are within 1% of the exact ones and memory is fixed', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.01, max: 10_000, noNaN: true }), { minLength: 1, maxLength: 500 }), (values) => {
        const histogram = new LatencyHistogram();
        for (const v of values) histogram.record(v);
        const sorted = [...values].sort((a, b) => a - b);
        for (const q of [0.5, 0.95, 0.99]) {
          const exact = sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
          const estimate = histogram.quantile(q);
          expect(estimate).toBeGreaterThanOrEqual(exact * 0.999);
          expect(estimate).toBeLessThanOrEqual(exact * 1.011);
        }
        expect(histogram.count).toBe(values.length);
        expect(histogram.max).toBe(sorted.at(-1));
      }),
      { numRuns: 100 },
    );
    expect(LATENCY_BUCKETS).toBeLessThan(3000);
    expect(new LatencyHistogram().quantile(0.5)).toBeNaN();
  });

  it('reads errnos from mysql2 errors and treats only deadlock, lock wait timeout and 1020 as retryable', () => {
    expect(errnoOf(Object.assign(new Error('x'), { errno: 1213 }))).toBe(1213);
    expect(errnoOf(new Error('no errno'))).toBe(0);
    expect([...RETRYABLE_ERRNOS].sort()).toEqual([1020, 1205, 1213]);
  });
});

describe.skipIf(mariadbMissing !== undefined)('load generator against a real MariaDB 10.11', () => {
  let scratch: Throwaway;
  let server: ServerHandle;

  beforeAll(async () => {
    scratch = throwawayDir('bench-load-');
    const datadir = join(scratch.dir, 'primary');
    await mariadb.prepareDatadir(datadir);
    server = await mariadb.start({ role: 'primary', datadir, serverId: 1 });
    scratch.servers.push(server);
    await prepareTables(server, { tableSize: 1000, seed: 5 });
  }, 60_000);

  afterAll(async () => {
    await scratch.cleanup();
  }, 60_000);

  it("prepares sysbench's table layout and row count", async () => {
    const connection = await createConnection({ host: server.host, port: server.port, user: server.user, password: server.password, database: 'sbtest' });
    try {
      const [count] = await connection.query<RowDataPacket[]>('SELECT COUNT(*) AS n, MIN(id) AS lo, MAX(id) AS hi FROM sbtest1');
      expect(count[0]).toMatchObject({ n: 1000, lo: 1, hi: 1000 });
      const [create] = await connection.query<RowDataPacket[]>('SHOW CREATE TABLE sbtest1');
      const ddl = String(create[0]!['Create Table']);
      for (const part of ['`id` int(11) NOT NULL AUTO_INCREMENT', "`k` int(11) NOT NULL DEFAULT 0", "`c` char(120) NOT NULL DEFAULT ''", "`pad` char(60) NOT NULL DEFAULT ''", 'PRIMARY KEY (`id`)', 'KEY `k_1` (`k`)', 'ENGINE=InnoDB']) expect(ddl).toContain(part);
    } finally {
      await connection.end();
    }
  });

  it('runs each OLTP mix for an exact transaction count with latencies, keeping the row count', async () => {
    for (const workload of ['oltp_point_select', 'oltp_write_only', 'oltp_read_write'] as const) {
      const result = await runLoad(server, { workload, connections: 4, seed: 1, transactions: 120, tableSize: 1000, distribution: SYSBENCH_SPECIAL });
      expect(result.completed + result.failed).toBe(120);
      expect(result.failed).toBe(0);
      expect(result.errors).toEqual({});
      expect(result.latencyMs.p50).toBeGreaterThan(0);
      expect(result.latencyMs.p99).toBeGreaterThanOrEqual(result.latencyMs.p50);
      expect(result.latencyMs.max).toBeGreaterThanOrEqual(result.latencyMs.p99);
    }
    const connection = await createConnection({ host: server.host, port: server.port, user: server.user, password: server.password, database: 'sbtest' });
    const [rows] = await connection.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM sbtest1');
    await connection.end();
    expect(rows[0]!.n).toBe(1000); // delete + insert of the same id keeps the row count
  }, 60_000);

  it('retries deadlocks and lock-wait timeouts on a tiny hot table and completes every transaction', async () => {
    await prepareTables(server, { tableSize: 10, seed: 6, database: 'tiny' });
    const result = await runLoad(server, { workload: 'oltp_write_only', connections: 12, seed: 2, transactions: 300, tableSize: 10, database: 'tiny' });
    expect(result.completed).toBe(300);
    for (const errno of Object.keys(result.retries)) expect(RETRYABLE_ERRNOS.has(Number(errno))).toBe(true);
    expect(result.errors).toEqual({});
  }, 60_000);

  it('classifies a non-retryable error by errno and stops at MAX_ERRORS', async () => {
    // sbtest2 does not exist: every prepare fails with 1146, before any transaction.
    await expect(runLoad(server, { workload: 'oltp_point_select', connections: 1, seed: 3, transactions: 1, tables: 2, tableSize: 10 })).rejects.toMatchObject({ errno: 1146 });
    // A unique key on k (k = id): k=k+1 and the inserts' random k collide, so most
    // transactions fail with 1062, which is not retryable, until MAX_ERRORS stops the run.
    const connection = await createConnection({ host: server.host, port: server.port, user: server.user, password: server.password, database: 'tiny' });
    await connection.query('UPDATE sbtest1 SET k = id');
    await connection.query('ALTER TABLE sbtest1 ADD UNIQUE KEY uk (k)');
    await connection.end();
    const run = runLoad(server, { workload: 'oltp_write_only', connections: 2, seed: 4, transactions: MAX_ERRORS * 3, tableSize: 10, database: 'tiny' });
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LoadAbortedError);
    expect(Object.keys((error as LoadAbortedError).errors).map(Number)).toContain(1062);
  }, 60_000);
});
