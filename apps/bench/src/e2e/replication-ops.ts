// Replication driven over SQL only — the statements MariaDB 10.11 and Lockstep both speak —
// so one measurement serves both servers.
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import type { Endpoint } from '../servers/server-process.js';
import { gtidDistance, parseGtidPosition } from './gtid.js';

/** How often catch-up progress is polled. */
export const CATCH_UP_POLL_MS = 20;

export function connect(endpoint: Endpoint): Promise<Connection> {
  return createConnection({ host: endpoint.host, port: endpoint.port, user: endpoint.user, password: endpoint.password, connectTimeout: 10_000 });
}

async function scalar(connection: Connection, sql: string): Promise<string> {
  const [rows] = await connection.query<RowDataPacket[]>(sql);
  const first = rows[0];
  if (first === undefined) return '';
  return String(Object.values(first)[0] ?? '');
}

export async function gtidBinlogPos(connection: Connection): Promise<string> {
  return scalar(connection, 'SELECT @@GLOBAL.gtid_binlog_pos');
}

export async function gtidSlavePos(connection: Connection): Promise<string> {
  return scalar(connection, 'SELECT @@GLOBAL.gtid_slave_pos');
}

export async function slaveStatus(connection: Connection): Promise<Record<string, unknown> | undefined> {
  const [rows] = await connection.query<RowDataPacket[]>('SHOW SLAVE STATUS');
  return rows[0];
}

/** SHOW GLOBAL STATUS LIKE 'Slave_retried_transactions' (0 when the server lacks it). */
export async function retriedTransactions(connection: Connection): Promise<number> {
  const [rows] = await connection.query<RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Slave_retried_transactions'");
  return Number(rows[0]?.Value ?? 0);
}

export async function changeMaster(replica: Connection, primary: Endpoint): Promise<void> {
  await replica.query(`CHANGE MASTER TO MASTER_HOST='${primary.host}', MASTER_PORT=${primary.port}, MASTER_USER='${primary.user}', MASTER_PASSWORD='${primary.password}', MASTER_USE_GTID=slave_pos`);
}

export class ReplicationStoppedError extends Error {
  readonly code = 'REPLICATION_STOPPED';
  constructor(message: string) {
    super(message);
    this.name = 'ReplicationStoppedError';
  }
}

/** Fails when a replica thread has stopped with an error (so a broken run ends at once, not at its timeout). */
async function checkReplicaHealthy(replica: Connection): Promise<void> {
  const status = await slaveStatus(replica);
  if (status === undefined) throw new ReplicationStoppedError('SHOW SLAVE STATUS is empty: the replica is not configured');
  const sqlError = typeof status.Last_SQL_Error === 'string' ? status.Last_SQL_Error : '';
  const ioError = typeof status.Last_IO_Error === 'string' ? status.Last_IO_Error : '';
  if (status.Slave_SQL_Running === 'No' || sqlError !== '') throw new ReplicationStoppedError(`replica SQL thread stopped: ${sqlError}`);
  if (ioError !== '' && status.Slave_IO_Running === 'No') throw new ReplicationStoppedError(`replica I/O thread stopped: ${ioError}`);
}

/**
 * Polls @@gtid_slave_pos until it reaches `target` in every domain; resolves with the
 * elapsed milliseconds since `startedAt`. Fails after `timeoutMs` or when replication stops.
 */
export async function waitForGtid(replica: Connection, target: string, startedAt: number, timeoutMs: number): Promise<number> {
  const goal = parseGtidPosition(target);
  let polls = 0;
  for (;;) {
    const position = parseGtidPosition(await gtidSlavePos(replica));
    if (gtidDistance(goal, position) === 0) return performance.now() - startedAt;
    if (performance.now() - startedAt > timeoutMs) throw new ReplicationStoppedError(`replica did not reach ${target} within ${timeoutMs} ms (at ${[...position].map(([d, s]) => `${d}:${s}`).join(',')})`);
    if (++polls % 25 === 0) await checkReplicaHealthy(replica);
    await new Promise((resolve) => setTimeout(resolve, CATCH_UP_POLL_MS));
  }
}
