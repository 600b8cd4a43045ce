// The end-to-end suite one server flavor runs (MariaDB now, Lockstep when it serves):
// (a) real sysbench OLTP on the primary, (b) replica catch-up of a fixed history per
// parallel mode and worker count, (c) replica lag under a live load.
// Invariants: every server started here is stopped before `runServerSuite` returns or
// throws; every wait has a timeout; the replica is checked equal to the primary after each
// catch-up.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { ServerHandle } from '../servers/server-process.js';
import type { ParallelMode, ServerFlavor } from '../servers/types.js';
import { gtidDistance, parseGtidPosition } from './gtid.js';
import { changeMaster, connect, gtidBinlogPos, gtidSlavePos, retriedTransactions, slaveStatus, waitForGtid } from './replication-ops.js';
import { slope } from './stats.js';
import { sysbenchPrepare, sysbenchRun, type SysbenchResult, type SysbenchScript } from './sysbench.js';
import { SYSBENCH_SPECIAL, UNIFORM, type KeyDistribution } from '../load/distributions.js';
import { runLoad, type LoadResult } from '../load/load-generator.js';

export interface CatchUpConfig {
  readonly mode: ParallelMode;
  readonly threads: number;
}

export interface SuiteOptions {
  readonly workdir: string;
  readonly threads: number;
  readonly oltpSeconds: number;
  readonly oltpScripts: readonly SysbenchScript[];
  readonly tableSize: number;
  readonly historyTransactions: number;
  /** Catch-up configurations in run order; the last one stays up for the lag measurement. */
  readonly catchUp: readonly CatchUpConfig[];
  readonly lagSeconds: number;
  /** Seconds per built-in load generator run (each OLTP mix x uniform and hot-spot keys); 0 skips them. */
  readonly generatorSeconds: number;
  /** Bound on any single wait for a replica to catch up. */
  readonly catchUpTimeoutMs: number;
  readonly log: (line: string) => void;
}

export interface OltpResult {
  readonly script: SysbenchScript;
  readonly result: SysbenchResult;
}

export interface CatchUpResult extends CatchUpConfig {
  readonly transactions: number;
  readonly seconds: number;
  readonly rate: number;
  readonly retried: number;
  readonly equal: boolean;
}

export interface LagSample {
  readonly second: number;
  readonly secondsBehindMaster: number | null;
  readonly gtidDistance: number;
}

export interface LagResult extends CatchUpConfig {
  readonly primaryTps: number;
  readonly samples: readonly LagSample[];
  readonly maxDistance: number;
  readonly maxSecondsBehind: number;
  /** Least-squares growth of the GTID distance over the run's second half, transactions per second. */
  readonly growthPerSecond: number;
  readonly verdict: 'bounded' | 'growing';
  readonly drainSeconds: number;
  readonly retried: number;
  readonly equal: boolean;
}

export interface GeneratorResult {
  readonly distribution: 'uniform' | 'hot-spot';
  readonly result: LoadResult;
}

export interface SuiteResult {
  readonly flavor: string;
  readonly version: string;
  readonly oltp: readonly OltpResult[];
  readonly catchUp: readonly CatchUpResult[];
  readonly lag: LagResult | undefined;
  readonly historyTps: number;
  readonly generator: readonly GeneratorResult[];
}

const SYSBENCH_SLACK_MS = 120_000;

async function tableSummary(connection: Connection): Promise<string> {
  const [rows] = await connection.query<RowDataPacket[]>('SELECT COUNT(*) AS n, SUM(k) AS k FROM sbtest.sbtest1');
  return `${String(rows[0]?.n)}/${String(rows[0]?.k)}`;
}

/**
 * REQUIRES: flavor.availability() said available. Uses `options.workdir` (created,
 * and emptied at the end). Stops every server it started, also when it throws.
 */
export async function runServerSuite(flavor: ServerFlavor, version: string, options: SuiteOptions): Promise<SuiteResult> {
  const { log } = options;
  const started: ServerHandle[] = [];
  const connections: Connection[] = [];
  const open = async (server: ServerHandle): Promise<Connection> => {
    const connection = await connect(server);
    connections.push(connection);
    return connection;
  };
  const startServer = async (...args: Parameters<ServerFlavor['start']>): Promise<ServerHandle> => {
    const server = await flavor.start(...args);
    started.push(server);
    return server;
  };
  const stopServer = async (server: ServerHandle, connection?: Connection): Promise<void> => {
    if (connection !== undefined) await connection.end().catch(() => undefined);
    await server.stop();
  };
  rmSync(options.workdir, { recursive: true, force: true });
  mkdirSync(options.workdir, { recursive: true });
  const primaryDir = join(options.workdir, 'primary');
  const replicaDir = join(options.workdir, 'replica');
  const snapshotDir = join(options.workdir, 'replica-snapshot');
  try {
    log(`${flavor.name}: initialising datadirs`);
    await flavor.prepareDatadir(primaryDir);
    cpSync(primaryDir, replicaDir, { recursive: true });
    const primary = await startServer({ role: 'primary', datadir: primaryDir, serverId: 1 });
    const primarySql = await open(primary);
    log(`${flavor.name}: primary on ${primary.host}:${primary.port} (pid ${primary.pid}); sysbench prepare (1 table, ${options.tableSize} rows)`);
    // sysbench connects to an existing database; a server that starts empty (Lockstep) has none.
    await primarySql.query('CREATE DATABASE IF NOT EXISTS sbtest');
    await sysbenchPrepare(primary, 'oltp_write_only', { tableSize: options.tableSize, timeoutMs: SYSBENCH_SLACK_MS });

    // The replica copies the prepared tables, then is stopped and snapshotted.
    let replica = await startServer({ role: 'replica', datadir: replicaDir, serverId: 2, parallelMode: 'none', parallelThreads: 0 });
    let replicaSql = await open(replica);
    await changeMaster(replicaSql, primary);
    await replicaSql.query('START SLAVE');
    await waitForGtid(replicaSql, await gtidBinlogPos(primarySql), performance.now(), options.catchUpTimeoutMs);
    await replicaSql.query('STOP SLAVE');
    await stopServer(replica, replicaSql);
    cpSync(replicaDir, snapshotDir, { recursive: true });
    const snapshotPos = await gtidBinlogPos(primarySql);
    log(`${flavor.name}: replica synced and snapshotted at ${snapshotPos}`);

    log(`${flavor.name}: history: sysbench oltp_write_only, ${options.threads} threads, ${options.historyTransactions} transactions, replica stopped`);
    const history = await sysbenchRun(primary, { script: 'oltp_write_only', threads: options.threads, timeSeconds: 0, events: options.historyTransactions, tableSize: options.tableSize, seed: 7, timeoutMs: SYSBENCH_SLACK_MS * 5 });
    const target = await gtidBinlogPos(primarySql);
    const historyTransactions = gtidDistance(parseGtidPosition(target), parseGtidPosition(snapshotPos));
    const expected = await tableSummary(primarySql);
    log(`${flavor.name}: history done at ${history.tps.toFixed(0)} tps, primary at ${target}`);

    const catchUp: CatchUpResult[] = [];
    let lag: LagResult | undefined;
    for (const [index, config] of options.catchUp.entries()) {
      rmSync(replicaDir, { recursive: true, force: true });
      cpSync(snapshotDir, replicaDir, { recursive: true });
      replica = await startServer({ role: 'replica', datadir: replicaDir, serverId: 2, parallelMode: config.mode, parallelThreads: config.threads });
      replicaSql = await open(replica);
      const startPos = parseGtidPosition(await gtidSlavePos(replicaSql));
      const transactions = gtidDistance(parseGtidPosition(target), startPos);
      const t0 = performance.now();
      await replicaSql.query('START SLAVE');
      const ms = await waitForGtid(replicaSql, target, t0, options.catchUpTimeoutMs);
      const retried = await retriedTransactions(replicaSql);
      const equal = (await tableSummary(replicaSql)) === expected;
      const result: CatchUpResult = { ...config, transactions, seconds: ms / 1000, rate: (transactions * 1000) / ms, retried, equal };
      catchUp.push(result);
      log(`${flavor.name}: catch-up ${config.mode} x${config.threads}: ${transactions} txn in ${result.seconds.toFixed(1)} s = ${result.rate.toFixed(0)} txn/s, ${retried} retried${equal ? '' : ', TABLES DIFFER'}`);
      if (index < options.catchUp.length - 1) {
        await stopServer(replica, replicaSql);
        continue;
      }
      // (c) lag with the last configuration, which is caught up and running.
      if (options.lagSeconds > 0) lag = await measureLag(primary, primarySql, replicaSql, config, options);
      await stopServer(replica, replicaSql);
    }
    if (historyTransactions !== options.historyTransactions) log(`${flavor.name}: note: the history holds ${historyTransactions} GTIDs for ${options.historyTransactions} sysbench events`);

    const oltp: OltpResult[] = [];
    for (const script of options.oltpScripts) {
      log(`${flavor.name}: sysbench ${script}, ${options.threads} threads, ${options.oltpSeconds} s on the primary`);
      const result = await sysbenchRun(primary, { script, threads: options.threads, timeSeconds: options.oltpSeconds, tableSize: options.tableSize, seed: 11, timeoutMs: options.oltpSeconds * 1000 + SYSBENCH_SLACK_MS });
      oltp.push({ script, result });
      log(`${flavor.name}: ${script}: ${result.tps.toFixed(0)} tps, p95 ${result.latencyMs.p95} ms, p99 ${result.latencyMs.p99} ms, ${result.ignoredErrors} ignored errors`);
    }
    const generator: GeneratorResult[] = [];
    if (options.generatorSeconds > 0) {
      for (const script of options.oltpScripts) {
        for (const [distributionName, distribution] of [['uniform', UNIFORM], ['hot-spot', SYSBENCH_SPECIAL]] as const satisfies readonly (readonly [string, KeyDistribution])[]) {
          const result = await runLoad(primary, { workload: script, connections: options.threads, seed: 17, durationMs: options.generatorSeconds * 1000, tableSize: options.tableSize, distribution });
          generator.push({ distribution: distributionName, result });
          log(`${flavor.name}: built-in generator ${script} ${distributionName}: ${result.tps.toFixed(0)} tps, p50 ${result.latencyMs.p50.toFixed(2)} ms, p99 ${result.latencyMs.p99.toFixed(2)} ms, retries ${JSON.stringify(result.retries)}, errors ${JSON.stringify(result.errors)}`);
        }
      }
    }
    await stopServer(primary, primarySql);
    return { flavor: flavor.name, version, oltp, catchUp, lag, historyTps: history.tps, generator };
  } finally {
    for (const connection of connections) await connection.end().catch(() => undefined);
    for (const server of started) await server.stop();
    rmSync(options.workdir, { recursive: true, force: true });
  }
}

async function measureLag(primary: ServerHandle, primarySql: Connection, replicaSql: Connection, config: CatchUpConfig, options: SuiteOptions): Promise<LagResult> {
  const { log } = options;
  log(`${flavor(primary)}: lag: sysbench oltp_write_only ${options.threads} threads for ${options.lagSeconds} s with the replica running (${config.mode} x${config.threads}), sampled every second`);
  const retriedBefore = await retriedTransactions(replicaSql);
  const samples: LagSample[] = [];
  const load = sysbenchRun(primary, { script: 'oltp_write_only', threads: options.threads, timeSeconds: options.lagSeconds, tableSize: options.tableSize, seed: 13, timeoutMs: options.lagSeconds * 1000 + SYSBENCH_SLACK_MS });
  // An object, so the loop below re-reads what the promise callbacks set.
  const progress = { loadDone: false };
  void load.then(
    () => (progress.loadDone = true),
    () => (progress.loadDone = true),
  );
  const loadDone = (): boolean => progress.loadDone;
  const t0 = performance.now();
  for (let second = 1; !loadDone() && second <= options.lagSeconds + 5; second++) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, t0 + second * 1000 - performance.now())));
    if (loadDone()) break;
    const [primaryPos, replicaPos, status] = await Promise.all([gtidBinlogPos(primarySql), gtidSlavePos(replicaSql), slaveStatus(replicaSql)]);
    const behind = status?.Seconds_Behind_Master;
    samples.push({ second, secondsBehindMaster: behind === null || behind === undefined ? null : Number(behind), gtidDistance: gtidDistance(parseGtidPosition(primaryPos), parseGtidPosition(replicaPos)) });
  }
  const result = await load;
  const drainStart = performance.now();
  await waitForGtid(replicaSql, await gtidBinlogPos(primarySql), drainStart, options.catchUpTimeoutMs);
  const drainSeconds = (performance.now() - drainStart) / 1000;
  const equal = (await tableSummary(primarySql)) === (await tableSummary(replicaSql));
  const secondHalf = samples.filter((s) => s.second > options.lagSeconds / 2).map((s) => ({ x: s.second, y: s.gtidDistance }));
  const growthPerSecond = slope(secondHalf);
  // Growing: the backlog gains more than 2% of the primary's commit rate per second over
  // the second half of the run; otherwise the replica keeps up within a bounded distance.
  const verdict = growthPerSecond > 0.02 * result.tps ? 'growing' : 'bounded';
  const lag: LagResult = {
    ...config,
    primaryTps: result.tps,
    samples,
    maxDistance: Math.max(0, ...samples.map((s) => s.gtidDistance)),
    maxSecondsBehind: Math.max(0, ...samples.map((s) => s.secondsBehindMaster ?? 0)),
    growthPerSecond,
    verdict,
    drainSeconds,
    retried: (await retriedTransactions(replicaSql)) - retriedBefore,
    equal,
  };
  log(`${flavor(primary)}: lag: primary ${result.tps.toFixed(0)} tps, max distance ${lag.maxDistance} txn, max Seconds_Behind_Master ${lag.maxSecondsBehind}, growth ${growthPerSecond.toFixed(1)} txn/s → ${verdict}; drained in ${drainSeconds.toFixed(1)} s`);
  return lag;
}

function flavor(server: ServerHandle): string {
  return server.name.split(' ')[0] ?? server.name;
}
