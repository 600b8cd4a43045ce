// startServer: opens the datadir, recovers, and serves MySQL clients (the primary role).
import { mkdir, stat } from 'node:fs/promises';
import type { Server as HttpServer } from 'node:http';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { nodeFileSystem } from '@lockstep/base';
import type { BinlogEvent } from '@lockstep/binlog';
import { KvStore } from '@lockstep/kv';
import { SqlEngine } from '@lockstep/sql';
import { BinlogFileCoordinator, type BinlogFileRecoveryReport, type RecoveredTransaction } from '@lockstep/tc';
import { TransactionDb, decodeCoordinatorPosition } from '@lockstep/txn';
import { type WireServer, type WireUser, createWireServer } from '@lockstep/wire';
import pino, { type Logger } from 'pino';
import type { ServerConfig } from './config/options.js';
import { BinlogCommitter } from './internal/committer.js';
import { ConnectionTable } from './internal/connection-table.js';
import { type MetricSample, QUERY_KINDS, ServerCounters, renderMetrics as renderText, startMetricsServer } from './internal/metrics.js';
import { lockDatadir } from './internal/datadir-lock.js';
import { LockstepServerHooks, SERVER_VERSION } from './internal/server-hooks.js';
import { createHandler } from './internal/wire-handler.js';
import { writePosition } from './replication/apply-target.js';
import { BinlogDumpServer } from './replication/dump-server.js';
import { ReplicaController } from './replication/replica.js';

/** After the shutdown timeout, statements get this long to end once killed. */
export const KILLED_STATEMENT_GRACE_MS = 2000;

export interface StartServerOptions {
  /** Accounts (mysql_native_password). Default: what `config.user` / `config.password` say. */
  readonly users?: readonly WireUser[];
  /** Default: pino to stderr at `config.log_level`. */
  readonly logger?: Logger;
}

/** A running server. `stop()` is the graceful shutdown (SIGINT/SIGTERM call it). */
export interface ServerHandle {
  readonly host: string;
  readonly port: number;
  /** The metrics endpoint's port, undefined when off. */
  readonly metricsPort: number | undefined;
  readonly datadir: string;
  readonly config: ServerConfig;
  /** What opening the datadir found and redid. */
  readonly recovery: BinlogFileRecoveryReport;
  readonly logger: Logger;
  /** The Prometheus text the metrics endpoint serves. */
  metrics(): string;
  /** The replica role (CHANGE MASTER / START SLAVE run through it). */
  readonly replica: ReplicaController;
  /** Stops accepting, lets running statements finish (up to `shutdown_timeout`), closes everything cleanly. Idempotent. */
  stop(): Promise<void>;
  /** Resolves when the server stopped. */
  readonly stopped: Promise<void>;
}

function accountsFrom(config: ServerConfig): WireUser[] {
  return config.user.map((text) => {
    const colon = text.indexOf(':');
    return colon === -1 ? { user: text, password: config.password } : { user: text.slice(0, colon), password: text.slice(colon + 1) };
  });
}

/**
 * Opens `config.datadir` (kv under `kv/`, binlog under `binlog/` with its index file),
 * recovers (binlog tail repair, redo of what the engine lost into the SQL engine, prepared
 * XIDs settled, GTID state from the binlog), and serves on `bind_address:port`.
 */
export async function startServer(config: ServerConfig, options: StartServerOptions = {}): Promise<ServerHandle> {
  const logger = options.logger ?? pino({ name: 'lockstep-server', level: config.log_level }, pino.destination(2));
  const datadir = resolve(config.datadir);
  const kvDir = join(datadir, 'kv');
  const binlogDir = join(datadir, 'binlog');
  await mkdir(kvDir, { recursive: true });
  await mkdir(binlogDir, { recursive: true });
  const unlockDatadir = await lockDatadir(datadir);

  const counters = new ServerCounters();
  const connections = new ConnectionTable();
  const committer = new BinlogCommitter();
  committer.onDelayedError = (error) => {
    logger.error({ err: error }, 'a commit is durable in the binlog but its engine commit failed (recovery will redo it)');
  };
  let tc: BinlogFileCoordinator | undefined;
  /** Set once the wire server exists (KILL from a hook needs it). */
  const wireRef: { current: WireServer | undefined } = { current: undefined };
  const replicaRef: { current: ReplicaController | undefined } = { current: undefined };

  let store: KvStore;
  try {
    store = await KvStore.open(kvDir);
  } catch (error) {
    await unlockDatadir();
    throw error;
  }
  const db = new TransactionDb(store, { lockingMode: config.locking_mode as 'range' | 'point', lockWaitTimeoutMs: config.lock_wait_timeout * 1000, participantName: 'lockstep' });
  const hooks = new LockstepServerHooks({
    config,
    tc: () => {
      if (tc === undefined) throw new Error('the binlog coordinator is not open');
      return tc;
    },
    connections,
    binlogFiles: {
      async list() {
        const names = tc === undefined ? [] : [...tc.writer.files];
        return Promise.all(names.map(async (name) => ({ name, size: (await stat(join(binlogDir, name))).size })));
      },
    },
    killConnection: (id) => {
      setImmediate(() => wireRef.current?.kill(id));
    },
    hostname: hostname(),
    replica: replicaRef,
  });

  let engine: SqlEngine;
  try {
    engine = await SqlEngine.open({
      db,
      committer,
      hooks,
      lockingMode: config.locking_mode as 'range' | 'point',
      lockWaitTimeoutMs: config.lock_wait_timeout * 1000,
      readOnly: () => hooks.readOnly,
    });
    const started = Date.now();
    tc = await BinlogFileCoordinator.open({
      fs: nodeFileSystem,
      dir: binlogDir,
      serverId: config.server_id,
      domainId: config.gtid_domain_id,
      maxFileBytes: config.max_binlog_size,
      participants: [db.participant()],
      durablePosition: () => {
        const bytes = store.durableCoordinatorPosition();
        return bytes === undefined ? undefined : decodeCoordinatorPosition(bytes);
      },
      redo: (_participant, transaction: RecoveredTransaction<BinlogEvent[]>) =>
        engine.redo(transaction.events, async (t) => {
          // A replicated transaction keeps its replica position with its rows (gtid_slave_pos).
          if (transaction.gtid.serverId !== config.server_id) await writePosition(t, transaction.gtid);
          const branch = t.branch();
          branch.commitOrdered(transaction.end);
          await branch.commit?.();
        }),
      engineCheckpointIntervalMs: config.engine_checkpoint_interval_ms,
      ...(config.binlog_commit_wait_count > 0 ? { commitWaitCount: config.binlog_commit_wait_count, commitWaitUs: config.binlog_commit_wait_usec } : {}),
    });
    committer.attach(tc);
    const r = tc.recovery;
    logger.info(
      { uncleanShutdown: r.uncleanShutdown, truncatedBytes: r.truncatedBytes, scannedFrom: r.scannedFrom, scanned: r.transactionsScanned, redone: r.redone, preparedCommitted: r.preparedCommitted, preparedRolledBack: r.preparedRolledBack, ms: Date.now() - started },
      r.uncleanShutdown ? 'recovered after an unclean shutdown' : 'datadir opened',
    );
  } catch (error) {
    await tc?.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    await unlockDatadir();
    throw error;
  }
  const coordinator = tc;
  const dumps = new BinlogDumpServer({ fs: nodeFileSystem, binlogDir, serverId: config.server_id, tc: () => coordinator });
  const replica = new ReplicaController({
    datadir,
    serverId: config.server_id,
    port: config.port,
    engine,
    db,
    store,
    tc: coordinator,
    lockingMode: config.locking_mode as 'range' | 'point',
    nextXid: () => committer.allocateXid(),
    logger: logger.child({ role: 'replica' }),
    settings: () => ({
      mode: hooks.globalVariable('slave_parallel_mode') as 'none' | 'minimal' | 'conservative' | 'optimistic' | 'aggressive',
      threads: Number(hooks.globalVariable('slave_parallel_threads')),
      maxQueued: Number(hooks.globalVariable('slave_parallel_max_queued')),
      retries: Number(hooks.globalVariable('slave_transaction_retries')),
    }),
  });
  replicaRef.current = replica;

  let stopping = false;
  const users = options.users ?? accountsFrom(config);
  const loopback = config.bind_address === '127.0.0.1' || config.bind_address === '::1' || config.bind_address === 'localhost';
  const open = users.filter((u) => (u.password ?? '') === '' && u.passwordHash === undefined).map((u) => u.user);
  if (!loopback && open.length > 0) logger.warn({ bindAddress: config.bind_address, accounts: open }, 'accounts without a password are reachable from the network');
  const wireServer = createWireServer({
    users,
    serverVersion: `5.5.5-${SERVER_VERSION}`,
    limits: { maxConnections: config.max_connections, maxPacketBytes: config.max_allowed_packet },
    handler: createHandler({ engine: () => engine, committer, connections, counters, logger, stopping: () => stopping, dumps }),
    onConnectionAborted: (connectionId, error) => {
      counters.abortedConnections += 1;
      logger.info({ connectionId, err: error }, 'aborted connection');
    },
  });
  wireRef.current = wireServer;
  let address;
  try {
    address = await wireServer.listen(config.port, config.bind_address);
  } catch (error) {
    await engine.close().catch(() => undefined);
    await coordinator.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    await unlockDatadir();
    throw error;
  }

  const collect = (): MetricSample[] => {
    const s = coordinator.stats();
    const txn = db.status().counters;
    const queries = QUERY_KINDS.flatMap((kind) =>
      (['text', 'prepared'] as const).map((protocol) => ({ labels: { kind, protocol }, value: counters.queries(protocol, kind) })),
    );
    return [
      { name: 'lockstep_connections', help: 'Client connections open now.', type: 'gauge', values: [{ value: connections.size }] },
      { name: 'lockstep_connections_total', help: 'Client connections accepted (authenticated) since start.', type: 'counter', values: [{ value: counters.connectionsTotal }] },
      { name: 'lockstep_aborted_connections_total', help: 'Connections closed for a protocol violation or a limit.', type: 'counter', values: [{ value: counters.abortedConnections }] },
      { name: 'lockstep_queries_total', help: 'Statements received, by first keyword and protocol.', type: 'counter', values: queries },
      { name: 'lockstep_statement_errors_total', help: 'Statements answered with an error.', type: 'counter', values: [{ value: counters.statementErrors }] },
      { name: 'lockstep_statements_running', help: 'Statements running now.', type: 'gauge', values: [{ value: connections.running }] },
      { name: 'lockstep_commits_total', help: 'Transactions committed through the binlog.', type: 'counter', values: [{ value: s.commits }] },
      { name: 'lockstep_failed_commits_total', help: 'Commits the coordinator failed.', type: 'counter', values: [{ value: s.failedCommits }] },
      { name: 'lockstep_commit_groups_total', help: 'Group commits (binlog appends).', type: 'counter', values: [{ value: s.groups }] },
      { name: 'lockstep_binlog_fsyncs_total', help: 'Binlog fsyncs (one per group).', type: 'counter', values: [{ value: s.flushes }] },
      { name: 'lockstep_commits_per_fsync', help: 'Commits per binlog fsync since start.', type: 'gauge', values: [{ value: s.flushes === 0 ? 0 : s.commits / s.flushes }] },
      { name: 'lockstep_largest_commit_group', help: 'Largest group commit since start.', type: 'gauge', values: [{ value: s.largestGroup }] },
      { name: 'lockstep_binlog_flush_latency_p99_seconds', help: 'p99 of binlog write+fsync over recent groups.', type: 'gauge', values: [{ value: s.flushLatencyP99Ms / 1000 }] },
      { name: 'lockstep_engine_checkpoints_total', help: 'Engine checkpoints.', type: 'counter', values: [{ value: s.engineCheckpoints }] },
      { name: 'lockstep_binlog_rotations_total', help: 'Binlog file rotations.', type: 'counter', values: [{ value: s.rotations }] },
      { name: 'lockstep_binlog_position_bytes', help: 'Offset in the binlog file being written.', type: 'gauge', values: [{ value: coordinator.writer.position.offset }] },
      { name: 'lockstep_lock_waits_total', help: 'Row lock waits started.', type: 'counter', values: [{ value: txn.lockWaits }] },
      { name: 'lockstep_lock_wait_timeouts_total', help: 'Row lock waits that timed out (1205).', type: 'counter', values: [{ value: txn.lockWaitTimeouts }] },
      { name: 'lockstep_deadlocks_total', help: 'Deadlocks detected (1213).', type: 'counter', values: [{ value: txn.deadlocks }] },
      { name: 'lockstep_transactions_rolled_back_total', help: 'Transactions rolled back.', type: 'counter', values: [{ value: txn.rolledBack }] },
      { name: 'lockstep_duplicate_keys_total', help: 'Duplicate-key errors (1062).', type: 'counter', values: [{ value: txn.duplicateKeys }] },
    ];
  };

  let metricsServer: HttpServer | undefined;
  let metricsPort: number | undefined;
  if (config.metrics_port !== 0) {
    const started = await startMetricsServer(config.metrics_port, config.bind_address, collect);
    metricsServer = started.server;
    metricsPort = started.port;
  }

  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => {
    resolveStopped = r;
  });
  let stopping$: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping$ ??= (async () => {
      stopping = true;
      logger.info({ running: connections.running, connections: connections.size }, 'shutting down');
      await replica.close().catch((error: unknown) => {
        logger.error({ err: error }, 'stopping the replica threads failed');
      });
      const drained = await connections.whenIdle(config.shutdown_timeout * 1000);
      if (!drained) {
        logger.warn({ running: connections.running }, 'statements still running at the shutdown timeout: killing them');
        for (const entry of connections.list()) entry.session.kill(true);
        // A killed lock wait ends at once; a statement busy elsewhere gets one more bounded wait.
        if (!(await connections.whenIdle(KILLED_STATEMENT_GRACE_MS))) logger.warn({ running: connections.running }, 'statements still running after KILL QUERY: closing anyway');
      }
      await wireServer.close();
      // Sessions whose socket close has not been reported yet are closed here (rolls back open transactions).
      for (const entry of connections.list()) {
        connections.remove(entry.id);
        entry.closing ??= entry.session.close().catch(() => undefined);
        connections.closing.add(entry.closing);
      }
      await Promise.all([...connections.closing]);
      if (metricsServer !== undefined) await new Promise<void>((r) => metricsServer.close(() => { r(); }));
      await engine.close();
      committer.attach(undefined);
      await coordinator.close();
      await db.close();
      await store.close();
      await unlockDatadir();
      logger.info('stopped cleanly');
      resolveStopped();
    })();
    return stopping$;
  };

  logger.info({ host: address.address, port: address.port, metricsPort, datadir, serverId: config.server_id, gtidBinlogPos: hooks.globalVariable('gtid_binlog_pos') }, 'ready for connections');
  // A replica whose threads ran when it stopped starts them again (MariaDB without --skip-slave-start).
  await replica.open(!config.skip_slave_start).catch((error: unknown) => {
    logger.error({ err: error }, 'cannot start the replica threads');
  });
  return {
    host: address.address,
    port: address.port,
    metricsPort,
    datadir,
    config,
    recovery: coordinator.recovery,
    logger,
    metrics: () => renderText(collect()),
    replica,
    stop,
    stopped,
  };
}
