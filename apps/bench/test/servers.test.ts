import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gtidDistance, parseGtidPosition } from '../src/e2e/gtid.js';
import { changeMaster, connect, gtidBinlogPos, gtidSlavePos, retriedTransactions, slaveStatus, waitForGtid } from '../src/e2e/replication-ops.js';
import { parseSysbenchOutput } from '../src/e2e/sysbench.js';
import { prepareTables, runLoad } from '../src/load/load-generator.js';
import { freeLoopbackPort } from '../src/servers/free-port.js';
import { LOCKSTEP_NOT_AVAILABLE, LockstepFlavor } from '../src/servers/lockstep.js';
import { liveServerPids, ServerStartError, spawnServer } from '../src/servers/server-process.js';
import { mariadb, mariadbMissing, throwawayDir, type Throwaway } from './mariadb-fixture.js';

describe('GTID positions', () => {
  it('parses positions and measures the distance per domain', () => {
    const primary = parseGtidPosition('0-1-2006,1-5-10');
    expect(primary.get(0)).toBe(2006n);
    expect(gtidDistance(primary, parseGtidPosition('0-1-2000'))).toBe(6 + 10);
    expect(gtidDistance(primary, parseGtidPosition('0-1-2006,1-5-10'))).toBe(0);
    expect(gtidDistance(parseGtidPosition(''), parseGtidPosition('0-1-3'))).toBe(0);
    expect(() => parseGtidPosition('0-1')).toThrow(/not a GTID/);
  });
});

describe('sysbench output', () => {
  it('reads tps, errors and latency percentiles from the histogram', () => {
    const output = [
      'Latency histogram (values are in milliseconds)',
      '       value  ------------- distribution ------------- count',
      '       1.000 |****                                     10',
      '       2.000 |**********************************       80',
      '       9.000 |**                                       9',
      '      40.000 |*                                        1',
      ' ',
      'SQL statistics:',
      '    queries performed:',
      '        queries:                             600    (120.00 per sec.)',
      '    transactions:                        100    (20.00 per sec.)',
      '    ignored errors:                      3      (0.60 per sec.)',
      '    reconnects:                          0      (0.00 per sec.)',
      'General statistics:',
      '    total time:                          5.0010s',
      'Latency (ms):',
      '         min:                                    0.90',
      '         avg:                                    2.50',
      '         max:                                   40.10',
      '         95th percentile:                        9.06',
    ].join('\n');
    const result = parseSysbenchOutput(output);
    expect(result).toMatchObject({ transactions: 100, tps: 20, queries: 600, ignoredErrors: 3, reconnects: 0, seconds: 5.001 });
    expect(result.latencyMs).toEqual({ avg: 2.5, p50: 2, p95: 9.06, p99: 9, max: 40.1 });
    expect(() => parseSysbenchOutput('FATAL: no such table')).toThrow(/lacks/);
  });
});

describe('server processes', () => {
  it('gives free loopback ports', async () => {
    const a = await freeLoopbackPort();
    expect(a).toBeGreaterThan(0);
    expect(a).toBeLessThan(65536);
  });

  it('reports a server that exits before accepting logins, with its output, and leaves nothing running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-spawn-'));
    try {
      const port = await freeLoopbackPort();
      const attempt = spawnServer({ name: 'short-lived', command: process.execPath, args: ['-e', 'console.error("cannot serve: not built"); process.exit(3)'], datadir: dir, endpoint: { host: '127.0.0.1', port, user: 'u', password: 'p' }, logFile: join(dir, 'log') });
      const error = await attempt.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ServerStartError);
      expect((error as ServerStartError).message).toMatch(/exited with 3/);
      expect((error as ServerStartError).logTail).toContain('cannot serve: not built');
      expect(liveServerPids()).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops a server that never accepts a login at its start timeout (by PID)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-spawn-'));
    try {
      const port = await freeLoopbackPort();
      const attempt = spawnServer({ name: 'silent', command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'], datadir: dir, endpoint: { host: '127.0.0.1', port, user: 'u', password: 'p' }, logFile: join(dir, 'log'), startTimeoutMs: 500 });
      await expect(attempt).rejects.toThrow(/did not accept a login/);
      expect(liveServerPids()).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the Lockstep seam', () => {
  it('says plainly that Lockstep is not available when its entry point is missing or does not serve', async () => {
    const missing = await new LockstepFlavor({ entry: '/nonexistent/main.js' }).availability();
    expect(missing).toEqual({ available: false, reason: expect.stringContaining(LOCKSTEP_NOT_AVAILABLE) as unknown });
    const dir = mkdtempSync(join(tmpdir(), 'bench-seam-'));
    try {
      const entry = join(dir, 'main.js');
      writeFileSync(entry, 'console.error("lockstep-server: serving clients is not built yet"); process.exit(1);\n');
      const stub = await new LockstepFlavor({ entry }).availability();
      expect(stub.available).toBe(false);
      expect(!stub.available && stub.reason).toBe(`${LOCKSTEP_NOT_AVAILABLE}: lockstep-server: serving clients is not built yet`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('probes the real apps/server build: available, or not available with the reason', async () => {
    const real = await new LockstepFlavor().availability();
    if (!real.available) {
      console.warn(`Lockstep seam: ${real.reason}`);
      expect(real.reason.startsWith(LOCKSTEP_NOT_AVAILABLE)).toBe(true);
    } else expect(real.version).toBe('lockstep-server');
    expect(liveServerPids()).toEqual([]);
  }, 30_000);
});

describe.skipIf(mariadbMissing !== undefined)('MariaDB primary + replica on loopback', () => {
  let scratch: Throwaway;

  beforeAll(() => {
    scratch = throwawayDir('bench-repl-');
  });

  afterAll(async () => {
    await scratch.cleanup();
    expect(liveServerPids()).toEqual([]);
  }, 120_000);

  it('replicates a load by GTID, catches up after a stop, and both servers stop by PID', async () => {
    const primaryDir = join(scratch.dir, 'primary');
    const replicaDir = join(scratch.dir, 'replica');
    await mariadb.prepareDatadir(primaryDir);
    await mariadb.prepareDatadir(replicaDir);
    const primary = await mariadb.start({ role: 'primary', datadir: primaryDir, serverId: 1 });
    scratch.servers.push(primary);
    const replica = await mariadb.start({ role: 'replica', datadir: replicaDir, serverId: 2, parallelMode: 'optimistic', parallelThreads: 4 });
    scratch.servers.push(replica);
    expect(primary.port).not.toBe(replica.port);
    expect(primary.host).toBe('127.0.0.1');

    await prepareTables(primary, { tableSize: 200, seed: 1 });
    const primarySql = await connect(primary);
    const replicaSql = await connect(replica);
    try {
      await changeMaster(replicaSql, primary);
      await replicaSql.query('START SLAVE');
      await waitForGtid(replicaSql, await gtidBinlogPos(primarySql), performance.now(), 60_000);
      await replicaSql.query('STOP SLAVE');
      await runLoad(primary, { workload: 'oltp_write_only', connections: 4, seed: 9, transactions: 200, tableSize: 200 });
      const target = await gtidBinlogPos(primarySql);
      expect(gtidDistance(parseGtidPosition(target), parseGtidPosition(await gtidSlavePos(replicaSql)))).toBeGreaterThanOrEqual(200);
      await replicaSql.query('START SLAVE');
      await waitForGtid(replicaSql, target, performance.now(), 60_000);
      const status = await slaveStatus(replicaSql);
      expect(status).toMatchObject({ Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes', Parallel_Mode: 'optimistic' });
      expect(Number.isInteger(await retriedTransactions(replicaSql))).toBe(true);
      const checksum = async (c: typeof primarySql): Promise<unknown> => (await c.query('CHECKSUM TABLE sbtest.sbtest1'))[0];
      expect(await checksum(replicaSql)).toEqual(await checksum(primarySql));
    } finally {
      await primarySql.end();
      await replicaSql.end();
    }
    await replica.stop();
    await primary.stop();
    expect(await primary.exited).toBe(0);
    expect(await replica.exited).toBe(0);
    expect(existsSync(join(primaryDir, 'mysqld.pid'))).toBe(false); // a clean shutdown removes it
  }, 120_000);
});
