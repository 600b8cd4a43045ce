import { afterEach, describe, expect, it } from 'vitest';
import {
  ConnectionClosedError,
  ReconnectExhaustedError,
  ServerError,
  WireClient,
  WireTimeoutError,
  createWireServer,
  openBinlogStream,
  type RegisterSlaveRequest,
  type WireServer,
} from '../src/index.js';
import { PASSWORD, startServer } from './helpers.js';
import { EVENT, FILE, FakePrimary, eventBody, eventType } from './primary.js';

let server: WireServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function primary(count: number): Promise<{ port: number; fake: FakePrimary }> {
  const fake = new FakePrimary(count);
  server = createWireServer({ handler: fake, users: [{ user: 'repl', password: 'pw' }] });
  fake.onDrop = (session) => {
    server!.kill(session.connectionId);
  };
  const { port } = await server.listen(0);
  return { port, fake };
}

async function collect(events: AsyncIterable<Buffer>, limit = Infinity): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const e of events) {
    out.push(Buffer.from(e));
    if (out.length >= limit) break;
  }
  return out;
}

describe('WireClient', () => {
  it('connects, queries (with CLIENT_DEPRECATE_EOF), pings and closes', async () => {
    const started = await startServer();
    server = started.server;
    const client = await WireClient.connect({ port: started.port, user: 'root', password: PASSWORD });
    expect(client.serverVersion).toBe('5.5.5-10.11.0-MariaDB-Lockstep');
    expect(client.capabilities & 0x1000000).not.toBe(0);
    const ok = await client.query("insert into kv values ('a', 'x')");
    expect(ok).toMatchObject({ kind: 'ok', affectedRows: 1n, lastInsertId: 1n });
    await client.query("insert into kv values ('b', null)");
    const rows = await client.query('select k, v from kv');
    expect(rows.kind === 'rows' && rows.rows).toEqual([
      ['a', 'x'],
      ['b', null],
    ]);
    expect(rows.kind === 'rows' && rows.columns.map((c) => c.name)).toEqual(['k', 'v']);
    const all = await client.queryAll('select 1; select 2');
    expect(all.map((r) => r.kind === 'rows' && r.rows)).toEqual([[['1']], [['2']]]);
    await client.ping();
    await client.close();
    expect(client.closed).toBe(true);
  });

  it('without CLIENT_DEPRECATE_EOF: result sets end with EOF packets and still decode', async () => {
    const started = await startServer();
    server = started.server;
    const client = await WireClient.connect({ port: started.port, user: 'root', password: PASSWORD, deprecateEof: false });
    expect(client.capabilities & 0x1000000).toBe(0);
    await client.query("insert into kv values ('a', null)");
    const rows = await client.query('select k, v from kv');
    expect(rows.kind === 'rows' && rows.rows).toEqual([['a', null]]);
    const all = await client.queryAll('select 1; select 2');
    expect(all.map((r) => r.kind === 'rows' && r.rows)).toEqual([[['1']], [['2']]]);
    await client.close();
  });

  it('server errors are ServerError with errno, SQLSTATE and message; the connection goes on', async () => {
    const started = await startServer();
    server = started.server;
    const client = await WireClient.connect({ port: started.port, user: 'root', password: PASSWORD });
    const err = await client.query('nonsense').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(err).toMatchObject({ errno: 1064, sqlState: '42000', code: 'WIRE_SERVER_ERROR' });
    expect((await client.query('select 1')).kind).toBe('rows');
    await client.close();
    const denied = await WireClient.connect({ port: started.port, user: 'root', password: 'bad' }).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(ServerError);
    expect(denied).toMatchObject({ errno: 1045, sqlState: '28000' });
  });

  it('a refused connection (max connections) is ServerError 1040; a dead port is ConnectionClosedError', async () => {
    const started = await startServer({ maxConnections: 1 });
    server = started.server;
    const first = await WireClient.connect({ port: started.port, user: 'root', password: PASSWORD });
    const second = await WireClient.connect({ port: started.port, user: 'root', password: PASSWORD }).catch((e: unknown) => e);
    expect(second).toMatchObject({ errno: 1040 });
    await first.close();
    const port = started.port;
    await server.close();
    server = undefined;
    const dead = await WireClient.connect({ port, user: 'root' }).catch((e: unknown) => e);
    expect(dead).toBeInstanceOf(ConnectionClosedError);
  });

  it('a server that never answers: connect times out with WireTimeoutError', async () => {
    const { createServer } = await import('node:net');
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const err = await WireClient.connect({ port, user: 'x', connectTimeoutMs: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WireTimeoutError);
    await new Promise<void>((r) => silent.close(() => { r(); }));
  });
});

describe('binlog dump (client and server sides)', () => {
  it('file mode: negotiates the checksum, registers, streams events from a position, ends at EOF (non-blocking)', async () => {
    const { port, fake } = await primary(5);
    const client = await WireClient.connect({ port, user: 'repl', password: 'pw' });
    const events = await client.binlogDump({ serverId: 7, mode: 'file', file: FILE, position: fake.events[2]!.start, nonBlocking: true, reportHost: 'replica-1', reportPort: 3307 });
    const got = await collect(events);
    expect(client.dumpChecksum).toBe('CRC32');
    expect(got.map(eventType)).toEqual([EVENT.ROTATE, EVENT.FORMAT_DESCRIPTION, EVENT.QUERY, EVENT.QUERY, EVENT.QUERY]);
    expect(got.slice(2).map((e) => eventBody(e, true))).toEqual(['q2', 'q3', 'q4']);
    expect(fake.registered).toEqual([{ serverId: 7, hostname: 'replica-1', user: '', password: '', port: 3307, replicationRank: 0, masterId: 0 } satisfies RegisterSlaveRequest]);
    const dump = fake.dumps[0]!;
    expect(dump.request).toMatchObject({ command: 'binlog-dump', serverId: 7, flags: 1, file: FILE, position: BigInt(fake.events[2]!.start) });
    expect(dump.vars.get('master_binlog_checksum')).toBe('CRC32');
    expect(dump.vars.get('mariadb_slave_capability')).toBe('4');
    await client.close();
  });

  it('MariaDB GTID mode: @slave_connect_state and strict mode are set before COM_BINLOG_DUMP with an empty file name', async () => {
    const { port, fake } = await primary(4);
    fake.checksum = 'NONE';
    const client = await WireClient.connect({ port, user: 'repl', password: 'pw' });
    const events = await client.binlogDump({ serverId: 8, mode: 'gtid', gtidState: '0-1-2', gtidStrictMode: true, nonBlocking: true });
    const got = await collect(events);
    expect(got.slice(2).map((e) => eventBody(e, false))).toEqual(['q2', 'q3']);
    const dump = fake.dumps[0]!;
    expect(dump.request).toMatchObject({ file: '', position: 4n });
    expect(Object.fromEntries(dump.vars)).toMatchObject({
      master_binlog_checksum: 'NONE',
      mariadb_slave_capability: '4',
      slave_connect_state: '0-1-2',
      slave_gtid_strict_mode: '1',
      slave_gtid_ignore_duplicates: '0',
    });
    await client.close();
  });

  it('a primary that cannot serve the dump answers ERR 1236, which the client throws as ServerError', async () => {
    const { port, fake } = await primary(1);
    fake.failDumps = true;
    const client = await WireClient.connect({ port, user: 'repl', password: 'pw' });
    const events = await client.binlogDump({ serverId: 9, mode: 'file', file: FILE, position: 4 });
    const err = await collect(events).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(err).toMatchObject({ errno: 1236 });
  });

  it('heartbeats arrive while the primary is idle; silence beyond the heartbeat timeout is WireTimeoutError', async () => {
    const { port, fake } = await primary(1);
    const client = await WireClient.connect({ port, user: 'repl', password: 'pw' });
    const events = await client.binlogDump({ serverId: 9, mode: 'file', file: FILE, position: 4, heartbeatPeriodMs: 20 });
    const got = await collect(events, 6);
    expect(got.slice(3).map(eventType)).toEqual([EVENT.HEARTBEAT, EVENT.HEARTBEAT, EVENT.HEARTBEAT]);
    expect(fake.dumps[0]!.vars.get('master_heartbeat_period')).toBe(String(20_000_000));
    await client.close();

    fake.heartbeats = false;
    const quiet = await WireClient.connect({ port, user: 'repl', password: 'pw' });
    const silent = await quiet.binlogDump({ serverId: 9, mode: 'file', file: FILE, position: 4, heartbeatPeriodMs: 20, heartbeatTimeoutMs: 150 });
    const err = await collect(silent).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WireTimeoutError);
  });

  it('backpressure: a replica that stops reading stops the primary (sink.send waits), then everything arrives in order', async () => {
    const COUNT = 600;
    const { port, fake } = await primary(0);
    for (let i = 0; i < COUNT; i++) fake.append(`${i}:`.padEnd(64 * 1024, 'x'));
    const client = await WireClient.connect({ port, user: 'repl', password: 'pw', maxQueuedPackets: 8, maxQueuedBytes: 256 * 1024 });
    const events = await client.binlogDump({ serverId: 9, mode: 'file', file: FILE, position: 4, nonBlocking: true, checksum: 'NONE' });
    const iterator = events[Symbol.asyncIterator]();
    for (let i = 0; i < 12; i++) await iterator.next();
    // Stop reading. Without backpressure the primary would write all COUNT events into the socket at once.
    let stableTicks = 0;
    for (let tick = 0; tick < 200_000 && stableTicks < 200; tick++) {
      await new Promise((r) => setImmediate(r));
      stableTicks = fake.sendPending ? stableTicks + 1 : 0;
      if (fake.sent === COUNT) break;
    }
    expect(fake.sent).toBeLessThan(COUNT);
    expect(fake.sendPending).toBe(true);
    const stalledAt = fake.sent;
    const rest: string[] = [];
    for (let r = await iterator.next(); r.done !== true; r = await iterator.next()) rest.push(eventBody(r.value, false).split(':')[0]!);
    expect(rest).toEqual(Array.from({ length: COUNT - 10 }, (_, i) => String(i + 10)));
    expect(stalledAt).toBeGreaterThan(10);
    await client.close();
  });
});

describe('BinlogStream (reconnecting)', () => {
  it('file mode: after the primary drops the connection it reconnects and resumes at the next event, no gaps or repeats', async () => {
    const { port, fake } = await primary(10);
    fake.dropAfter = 4;
    const reconnects: unknown[] = [];
    const stream = openBinlogStream({
      connection: { port, user: 'repl', password: 'pw' },
      dump: { serverId: 5, mode: 'file', file: FILE, position: 4, nonBlocking: true },
      reconnect: { initialDelayMs: 1, maxDelayMs: 5, maxAttempts: 3 },
      onReconnect: (_attempt, error) => reconnects.push(error),
    });
    const bodies: string[] = [];
    for await (const e of stream) if (eventType(e) === EVENT.QUERY) bodies.push(eventBody(e, true));
    expect(bodies).toEqual(Array.from({ length: 10 }, (_, i) => `q${i}`));
    expect(stream.reconnects).toBe(1);
    expect(reconnects[0]).toBeInstanceOf(ConnectionClosedError);
    expect(fake.dumps.map((d) => d.request.position)).toEqual([4n, BigInt(fake.events[4]!.start)]);
    expect(stream.position).toEqual({ file: FILE, position: BigInt(fake.events[9]!.end) });
  });

  it('GTID mode: the dump function is asked again on reconnect, with the state the consumer applied', async () => {
    const { port, fake } = await primary(6);
    fake.dropAfter = 2;
    let applied = 0;
    const attempts: number[] = [];
    const stream = openBinlogStream({
      connection: { port, user: 'repl', password: 'pw' },
      dump: (attempt) => {
        attempts.push(attempt);
        return { serverId: 5, mode: 'gtid', gtidState: `0-1-${applied}`, nonBlocking: true };
      },
      reconnect: { initialDelayMs: 1 },
    });
    const bodies: string[] = [];
    for await (const e of stream) {
      if (eventType(e) !== EVENT.QUERY) continue;
      bodies.push(eventBody(e, true));
      applied += 1;
    }
    expect(bodies).toEqual(['q0', 'q1', 'q2', 'q3', 'q4', 'q5']);
    expect(attempts).toEqual([0, 1]);
  });

  it('gives up with ReconnectExhaustedError after maxAttempts consecutive failures', async () => {
    const started = await startServer();
    const port = started.port;
    await started.server.close();
    const stream = openBinlogStream({
      connection: { port, user: 'repl' },
      dump: { serverId: 5, mode: 'file', file: FILE, position: 4 },
      reconnect: { initialDelayMs: 1, maxDelayMs: 2, maxAttempts: 3 },
    });
    const err = await collect(stream).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReconnectExhaustedError);
    expect((err as ReconnectExhaustedError).cause).toBeInstanceOf(ConnectionClosedError);
    expect(stream.reconnects).toBe(3);
  });

  it('non-retryable server errors end the stream at once (1236, 1045)', async () => {
    const { port, fake } = await primary(1);
    fake.failDumps = true;
    const stream = openBinlogStream({ connection: { port, user: 'repl', password: 'pw' }, dump: { serverId: 5, mode: 'file', file: FILE, position: 4 } });
    await expect(collect(stream)).rejects.toMatchObject({ errno: 1236 });
    expect(stream.reconnects).toBe(0);
    const denied = openBinlogStream({ connection: { port, user: 'repl', password: 'bad' }, dump: { serverId: 5, mode: 'file', file: FILE, position: 4 } });
    await expect(collect(denied)).rejects.toMatchObject({ errno: 1045 });
  });

  it('close() while waiting for events ends iteration cleanly and the primary sees the replica leave', async () => {
    const { port, fake } = await primary(2);
    const stream = openBinlogStream({ connection: { port, user: 'repl', password: 'pw' }, dump: { serverId: 5, mode: 'file', file: FILE, position: 4 } });
    const bodies: string[] = [];
    for await (const e of stream) {
      if (eventType(e) === EVENT.QUERY) bodies.push(eventBody(e, true));
      if (bodies.length === 2) await stream.close();
    }
    expect(bodies).toEqual(['q0', 'q1']);
    for (let i = 0; i < 1000 && server!.connectionCount > 0; i++) await new Promise((r) => setTimeout(r, 2));
    expect(server!.connectionCount).toBe(0);
    expect(fake.dumps).toHaveLength(1);
  });
});
