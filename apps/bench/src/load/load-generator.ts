// The built-in load generator: sysbench's OLTP mixes over the MySQL protocol with mysql2,
// N client connections, prepared statements, fixed seeds, a fixed transaction count or a
// duration, per-transaction latency, errors counted by errno, and sysbench's handling of
// deadlocks and lock-wait timeouts (roll back and run the event again).
//
// Invariants: completed + failed transactions ≤ the requested count; every error lands in
// exactly one errno bucket; every wait is bounded (connect timeout, the run's deadline,
// MAX_RETRIES_PER_TRANSACTION, MAX_ERRORS).
import { createConnection, type Connection, type PreparedStatementInfo } from 'mysql2/promise';
import type { Endpoint } from '../servers/server-process.js';
import { UNIFORM, type KeyDistribution } from './distributions.js';
import { LatencyHistogram } from './latency-histogram.js';
import { createIndexSql, createTableSql, cValue, padValue, statementSql, transactionSteps, usesTransactions, workloadStatements, type OltpWorkload, type StatementName } from './oltp.js';
import { SeededRandom } from './prng.js';

/** sysbench's default --mysql-ignore-errors: deadlock, lock wait timeout, "error on read of the table". */
export const RETRYABLE_ERRNOS: ReadonlySet<number> = new Set([1213, 1205, 1020]);
/** A transaction retried more often than this counts as failed ("retries exhausted"). */
export const MAX_RETRIES_PER_TRANSACTION = 100;
/** The run stops (LoadAbortedError) after this many non-retryable errors. */
export const MAX_ERRORS = 1000;
/** Rows per multi-row INSERT when filling a table. */
export const PREPARE_BATCH_ROWS = 1000;
/** Errno used for errors without one (a lost connection mysql2 reports by code only). */
export const NO_ERRNO = 0;

export interface LoadOptions {
  readonly workload: OltpWorkload;
  readonly connections: number;
  readonly distribution?: KeyDistribution;
  readonly seed: number;
  /** Stop after this many transactions (across all connections)... */
  readonly transactions?: number;
  /** ... or after this long (at least one of the two is required). */
  readonly durationMs?: number;
  readonly tables?: number;
  readonly tableSize: number;
  readonly database?: string;
}

export interface LoadResult {
  readonly workload: OltpWorkload;
  readonly connections: number;
  readonly completed: number;
  readonly failed: number;
  readonly seconds: number;
  readonly tps: number;
  readonly latencyMs: { readonly mean: number; readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number };
  /** Non-retryable errors by errno (0: no errno, e.g. a lost connection). */
  readonly errors: Readonly<Record<number, number>>;
  /** Transactions rolled back and run again, by errno (1213, 1205, 1020). */
  readonly retries: Readonly<Record<number, number>>;
}

export class LoadAbortedError extends Error {
  readonly code = 'LOAD_ABORTED';
  constructor(message: string, readonly errors: Readonly<Record<number, number>>) {
    super(message);
    this.name = 'LoadAbortedError';
  }
}

/** The MySQL errno of an error thrown by mysql2 (0 when it has none). */
export function errnoOf(error: unknown): number {
  if (typeof error === 'object' && error !== null && 'errno' in error && typeof error.errno === 'number') return error.errno;
  return NO_ERRNO;
}

function connectionLost(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const errno = errnoOf(error);
  return errno === 2013 || errno === 2006 || errno === 2055 || code === 'PROTOCOL_CONNECTION_LOST' || code === 'ECONNRESET' || code === 'EPIPE';
}

function open(endpoint: Endpoint, database: string | undefined): Promise<Connection> {
  return createConnection({ host: endpoint.host, port: endpoint.port, user: endpoint.user, password: endpoint.password, ...(database === undefined ? {} : { database }), connectTimeout: 10_000 });
}

/**
 * sysbench `prepare` equivalent: drops and creates sbtest1..N with sysbench's DDL, fills
 * each with `tableSize` rows (k uniform in [1, tableSize], c and pad from its templates)
 * in multi-row INSERTs, then creates the secondary index k_N.
 */
export async function prepareTables(endpoint: Endpoint, options: { readonly tables?: number; readonly tableSize: number; readonly seed: number; readonly database?: string }): Promise<void> {
  const database = options.database ?? 'sbtest';
  const connection = await open(endpoint, undefined);
  try {
    await connection.query(`CREATE DATABASE IF NOT EXISTS \`${database}\``);
    await connection.query(`USE \`${database}\``);
    const random = new SeededRandom(options.seed);
    for (let table = 1; table <= (options.tables ?? 1); table++) {
      await connection.query(`DROP TABLE IF EXISTS sbtest${table}`);
      await connection.query(createTableSql(table));
      for (let first = 1; first <= options.tableSize; first += PREPARE_BATCH_ROWS) {
        const rows: string[] = [];
        for (let i = first; i < Math.min(options.tableSize + 1, first + PREPARE_BATCH_ROWS); i++) rows.push(`(${random.int(1, options.tableSize)}, '${cValue(random)}', '${padValue(random)}')`);
        await connection.query(`INSERT INTO sbtest${table}(k, c, pad) VALUES${rows.join(',')}`);
      }
      await connection.query(createIndexSql(table));
    }
  } finally {
    await connection.end();
  }
}

interface ClientState {
  readonly connection: Connection;
  readonly statements: Map<string, PreparedStatementInfo>;
  readonly begin: PreparedStatementInfo | undefined;
  readonly commit: PreparedStatementInfo | undefined;
}

async function openClient(endpoint: Endpoint, options: LoadOptions): Promise<ClientState> {
  const connection = await open(endpoint, options.database ?? 'sbtest');
  const statements = new Map<string, PreparedStatementInfo>();
  for (let table = 1; table <= (options.tables ?? 1); table++) {
    for (const name of workloadStatements(options.workload)) statements.set(`${name}:${table}`, await connection.prepare(statementSql(name, table)));
  }
  const transactional = usesTransactions(options.workload);
  return { connection, statements, begin: transactional ? await connection.prepare('BEGIN') : undefined, commit: transactional ? await connection.prepare('COMMIT') : undefined };
}

/**
 * Runs `options.workload` on `options.connections` connections until the transaction count
 * or the duration is reached. REQUIRES: the tables exist (prepareTables or sysbench prepare).
 * Throws LoadAbortedError past MAX_ERRORS non-retryable errors or when no connection is left.
 */
export async function runLoad(endpoint: Endpoint, options: LoadOptions): Promise<LoadResult> {
  if (options.transactions === undefined && options.durationMs === undefined) throw new RangeError('runLoad needs a transaction count or a duration');
  const distribution = options.distribution ?? UNIFORM;
  const tables = options.tables ?? 1;
  const errors: Record<number, number> = {};
  const retries: Record<number, number> = {};
  const histogram = new LatencyHistogram();
  let claimed = 0;
  let completed = 0;
  let failed = 0;
  let errorCount = 0;
  let aborted: LoadAbortedError | undefined;
  const clients = await Promise.all(Array.from({ length: options.connections }, () => openClient(endpoint, options)));
  const started = performance.now();
  const deadline = options.durationMs === undefined ? Number.POSITIVE_INFINITY : started + options.durationMs;
  const claim = (): boolean => {
    if (aborted !== undefined || performance.now() >= deadline) return false;
    if (options.transactions !== undefined && claimed >= options.transactions) return false;
    claimed += 1;
    return true;
  };
  const countError = (errno: number): void => {
    errors[errno] = (errors[errno] ?? 0) + 1;
    errorCount += 1;
    if (errorCount >= MAX_ERRORS && aborted === undefined) aborted = new LoadAbortedError(`stopped after ${errorCount} errors (MAX_ERRORS)`, errors);
  };

  const runClient = async (client: ClientState, index: number): Promise<void> => {
    const random = new SeededRandom(options.seed * 1_000_003 + index);
    while (claim()) {
      const t0 = performance.now();
      let attempts = 0;
      for (;;) {
        const steps = transactionSteps(options.workload, random, tables, options.tableSize, distribution);
        try {
          if (client.begin !== undefined) await client.begin.execute([]);
          for (const step of steps) await client.statements.get(`${step.statement satisfies StatementName}:${step.table}`)!.execute(step.params);
          if (client.commit !== undefined) await client.commit.execute([]);
          histogram.record(performance.now() - t0);
          completed += 1;
          break;
        } catch (error) {
          if (connectionLost(error)) {
            countError(errnoOf(error));
            failed += 1;
            return; // this client is gone; the others carry on
          }
          await client.connection.query('ROLLBACK').catch(() => undefined);
          const errno = errnoOf(error);
          if (RETRYABLE_ERRNOS.has(errno) && attempts < MAX_RETRIES_PER_TRANSACTION) {
            attempts += 1;
            retries[errno] = (retries[errno] ?? 0) + 1;
            continue;
          }
          countError(errno);
          failed += 1;
          break;
        }
      }
    }
  };

  try {
    await Promise.all(clients.map((client, index) => runClient(client, index)));
  } finally {
    await Promise.all(clients.map((client) => client.connection.end().catch(() => undefined)));
  }
  if (aborted !== undefined) throw aborted;
  const seconds = (performance.now() - started) / 1000;
  if (completed === 0 && failed > 0) throw new LoadAbortedError(`no transaction completed; errors by errno: ${JSON.stringify(errors)}`, errors);
  return {
    workload: options.workload,
    connections: options.connections,
    completed,
    failed,
    seconds,
    tps: completed / seconds,
    latencyMs: { mean: histogram.mean, p50: histogram.quantile(0.5), p95: histogram.quantile(0.95), p99: histogram.quantile(0.99), max: histogram.max },
    errors,
    retries,
  };
}
