import mysql from 'mysql2/promise';
import { afterEach, describe, expect, it } from 'vitest';
import { Capability, Command, PacketWriter, createWireServer, readAuthSwitchRequest, scrambleNativePassword, type WireServer } from '../src/index.js';
import { PASSWORD, startServer } from './helpers.js';
import { RawClient, errOf } from './raw-client.js';

let server: WireServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(limits: Parameters<typeof startServer>[0] = {}): Promise<number> {
  const started = await startServer(limits);
  server = started.server;
  return started.port;
}

const open = (port: number): Promise<mysql.Connection> => mysql.createConnection({ host: '127.0.0.1', port, user: 'root', password: PASSWORD });

describe('limits, each with its MySQL errno', () => {
  it('max connections: the next client gets ER_CON_COUNT_ERROR (1040); a freed slot is reusable', async () => {
    const port = await start({ maxConnections: 3 });
    const conns = await Promise.all([open(port), open(port), open(port)]);
    const refused = await open(port).catch((e: unknown) => e);
    expect(refused).toMatchObject({ errno: 1040, sqlState: '08004' });
    await conns[0].end();
    // wait until the server has seen the close, then a new connection fits
    while (server!.connectionCount > 2) await new Promise((r) => setImmediate(r));
    const again = await open(port);
    await again.query('select 1');
    await Promise.all([again.end(), conns[1].end(), conns[2].end()]);
  });

  it('handshake timeout: a client that never answers the handshake gets ERR 1159 and is closed', async () => {
    const port = await start({ handshakeTimeoutMs: 100 });
    const raw = await RawClient.connect(port);
    const handshake = await raw.read();
    expect(handshake!.payload[0]).toBe(10);
    const err = errOf(await raw.read());
    expect(err).toMatchObject({ errno: 1159, sqlState: '08S01' });
    expect(err!.message).toMatch(/handshake exceeded 100 ms/);
    await raw.closedPromise;
  });

  it('idle timeout (wait_timeout): an idle session gets ERR 1159 with sequence id 1 and is closed', async () => {
    const port = await start({ idleTimeoutMs: 150 });
    const raw = await RawClient.connect(port);
    const { reply } = await raw.login('root', PASSWORD);
    expect(reply.payload[0]).toBe(0);
    const packet = await raw.read();
    expect(packet!.seq).toBe(1);
    expect(errOf(packet)).toMatchObject({ errno: 1159 });
    await raw.closedPromise;
    // mysql2 sees the same as an error on its next query or as the connection ending
  });

  it('max packet: a larger payload gets ER_NET_PACKET_TOO_LARGE (1153) from its header alone; others go on', async () => {
    const port = await start({ maxPacketBytes: 1024 });
    const bystander = await open(port);
    const raw = await RawClient.connect(port);
    await raw.login('root', PASSWORD);
    // announce 16 MiB - 1 and send nothing more: the server answers at once, without waiting for the body
    raw.write(Buffer.from([0xff, 0xff, 0xfe, 0x00]));
    const err = errOf(await raw.read());
    expect(err).toMatchObject({ errno: 1153, sqlState: '08S01' });
    await raw.closedPromise;
    const c = await open(port);
    const tooBig = await c.query(`select length('${'z'.repeat(2000)}')`).catch((e: unknown) => e);
    expect(tooBig).toMatchObject({ errno: 1153 });
    const [rows] = await bystander.query('select 1');
    expect(rows).toEqual([{ 1: 1 }]);
    await bystander.end();
    c.destroy();
  });

  it('bad handshake: garbage, an SSL request, or a pre-4.1 client get ER_HANDSHAKE_ERROR (1043)', async () => {
    const port = await start();
    for (const payload of [
      Buffer.from([1, 2, 3]),
      (() => {
        const w = new PacketWriter();
        w.u32(Capability.PROTOCOL_41 | Capability.SSL).u32(1 << 24).u8(45).zeros(23);
        return w.take();
      })(),
      Buffer.concat([Buffer.from([0x00, 0x00, 0x00, 0x00]), Buffer.alloc(40)]),
    ]) {
      const raw = await RawClient.connect(port);
      await raw.read();
      raw.send(payload, 1);
      const reply = await raw.read();
      expect(reply!.seq).toBe(2);
      expect(errOf(reply)).toMatchObject({ errno: 1043, sqlState: '08S01' });
      await raw.closedPromise;
    }
  });

  it('a handshake response with the wrong sequence id gets ER_NET_PACKETS_OUT_OF_ORDER (1156)', async () => {
    const port = await start();
    const raw = await RawClient.connect(port);
    await raw.read();
    raw.send(Buffer.alloc(40), 4);
    expect(errOf(await raw.read())).toMatchObject({ errno: 1156 });
    await raw.closedPromise;
  });

  it('a command with a sequence id other than 0 gets 1156 and the connection closes', async () => {
    const port = await start();
    const raw = await RawClient.connect(port);
    await raw.login('root', PASSWORD);
    expect(errOf(await raw.command(Buffer.from([Command.PING]), 3))).toMatchObject({ errno: 1156 });
    await raw.closedPromise;
  });

  it('an unknown command gets ER_UNKNOWN_COM_ERROR (1047) and the connection goes on', async () => {
    const port = await start();
    const raw = await RawClient.connect(port);
    await raw.login('root', PASSWORD);
    expect(errOf(await raw.command(Buffer.from([Command.DAEMON])))).toMatchObject({ errno: 1047, sqlState: '08S01' });
    expect(errOf(await raw.command(Buffer.from([0xee, 1, 2])))).toMatchObject({ errno: 1047 });
    expect((await raw.command(Buffer.from([Command.PING])))!.payload[0]).toBe(0);
    raw.close();
  });

  it('a malformed command gets ER_MALFORMED_PACKET (1835) naming the field, and the connection closes', async () => {
    const port = await start();
    const raw = await RawClient.connect(port);
    await raw.login('root', PASSWORD);
    const err = errOf(await raw.command(Buffer.from([Command.STMT_EXECUTE, 1, 0])));
    expect(err).toMatchObject({ errno: 1835 });
    expect(err!.message).toMatch(/statement_id needs 4 bytes at offset 1/);
    await raw.closedPromise;
  });

  it('too many commands sent ahead of their answers while an async handler works: cut off at maxQueuedCommands', async () => {
    // A handler that does not answer until the gate opens: everything sent meanwhile queues.
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const started = await startServer({ maxQueuedCommands: 8 }, {
      query: async () => {
        await gate;
        return { kind: 'ok' };
      },
    });
    server = started.server;
    const raw = await RawClient.connect(started.port);
    await raw.login('root', PASSWORD);
    const w = new PacketWriter();
    for (let i = 0; i < 10; i++) {
      w.reset(0);
      w.begin().u8(Command.QUERY).string('select 1').end();
      raw.write(w.take());
    }
    // 1 running + 8 queued fit; the 10th is one too many
    const err = errOf(await raw.read());
    expect(err).toMatchObject({ errno: 1835 });
    expect(err!.message).toMatch(/more than 8 commands/);
    open();
    await raw.closedPromise;
  });

  it('pipelined commands to a synchronous handler are answered as they arrive, in order', async () => {
    const port = await start({ maxQueuedCommands: 2 });
    const raw = await RawClient.connect(port);
    await raw.login('root', PASSWORD);
    const w = new PacketWriter();
    for (let i = 0; i < 50; i++) {
      w.sequenceId = 0;
      w.begin().u8(Command.QUERY).string(`insert into kv values ('p${i}', 'v')`).end();
    }
    raw.write(w.take());
    for (let i = 0; i < 50; i++) {
      const ok = await raw.read();
      expect(ok!.payload[0]).toBe(0);
      expect(ok!.payload[2]).toBe(i + 1); // last insert id: the table's size
    }
    raw.close();
  });

  it('max prepared statements per connection: ER_MAX_PREPARED_STMT_COUNT_REACHED (1461)', async () => {
    const port = await start({ maxPreparedStatements: 2 });
    const c = await open(port);
    await c.prepare('select ?');
    await c.prepare('select ?, ?');
    const err = await c.prepare('select ?, ?, ?').catch((e: unknown) => e);
    expect(err).toMatchObject({ errno: 1461 });
    await c.end();
  });

  it('long data beyond maxLongDataBytes is reported by the next execute (1153)', async () => {
    const port = await start({ maxLongDataBytes: 10 });
    const raw = await RawClient.connect(port);
    await raw.login('root', PASSWORD);
    const prepared = await raw.command(Buffer.concat([Buffer.from([Command.STMT_PREPARE]), Buffer.from('select ?')]));
    const id = prepared!.payload.readUInt32LE(1);
    for (let p = await raw.read(); p!.payload[0] !== 0xfe; p = await raw.read()) {
      // parameter definitions up to their EOF
    }
    const longData = (bytes: Buffer): Buffer => {
      const w = new PacketWriter();
      w.u8(Command.STMT_SEND_LONG_DATA).u32(id).u16(0).bytes(bytes);
      return w.take();
    };
    raw.send(longData(Buffer.alloc(8, 1)), 0);
    raw.send(longData(Buffer.alloc(8, 2)), 0);
    const exec = new PacketWriter();
    exec.u8(Command.STMT_EXECUTE).u32(id).u8(0).u32(1).u8(0).u8(1).u8(252).u8(0);
    expect(errOf(await raw.command(exec.take()))).toMatchObject({ errno: 1153 });
    raw.close();
  });
});

describe('observability', () => {
  it('onConnectionAborted is told of every connection closed for a violation or a limit', async () => {
    const aborted: { id: number; error: unknown }[] = [];
    const observed = createWireServer({
      users: [{ user: 'root', password: PASSWORD }],
      limits: { maxConnections: 1 },
      handler: { query: () => ({ kind: 'ok' }) },
      onConnectionAborted: (id, error) => {
        aborted.push({ id, error });
        throw new Error('observers may fail; the server goes on');
      },
    });
    server = observed;
    const { port } = await observed.listen(0);
    const raw = await RawClient.connect(port);
    await raw.read();
    const second = await RawClient.connect(port);
    expect(errOf(await second.read())).toMatchObject({ errno: 1040 });
    raw.send(Buffer.from([1, 2, 3]), 1);
    expect(errOf(await raw.read())).toMatchObject({ errno: 1043 });
    await raw.closedPromise;
    expect(aborted.map((a) => (a.error as { errno: number }).errno)).toEqual([1040, 1043]);
    expect(aborted[1]!.id).toBe(1);
  });
});

describe('authentication plugins', () => {
  for (const plugin of ['caching_sha2_password', 'client_ed25519', 'sha256_password']) {
    it(`a client asking for ${plugin} is switched to mysql_native_password`, async () => {
      const port = await start();
      const raw = await RawClient.connect(port);
      const { handshake, reply } = await raw.login('root', PASSWORD, { plugin });
      expect(reply.seq).toBe(2);
      const request = readAuthSwitchRequest(reply.payload);
      expect(request.pluginName).toBe('mysql_native_password');
      expect(request.pluginData.equals(Buffer.from(handshake.authPluginData))).toBe(true);
      raw.send(scrambleNativePassword(PASSWORD, request.pluginData), 3);
      const ok = await raw.read();
      expect(ok!.seq).toBe(4);
      expect(ok!.payload[0]).toBe(0);
      expect((await raw.command(Buffer.from([Command.PING])))!.payload[0]).toBe(0);
      raw.close();
    });
  }

  it('a wrong password after the switch is still 1045', async () => {
    const port = await start();
    const raw = await RawClient.connect(port);
    const { reply } = await raw.login('root', PASSWORD, { plugin: 'caching_sha2_password' });
    raw.send(scrambleNativePassword('wrong', readAuthSwitchRequest(reply.payload).pluginData), 3);
    expect(errOf(await raw.read())).toMatchObject({ errno: 1045 });
    await raw.closedPromise;
  });

  it('a client without PLUGIN_AUTH cannot name another plugin: its token is checked as native (1045)', async () => {
    const port = await start();
    const raw = await RawClient.connect(port);
    // PLUGIN_AUTH off: the plugin name is not sent, so the server reads the (ed25519-style) token as native, and it is wrong.
    const { reply } = await raw.login('root', PASSWORD, { plugin: 'client_ed25519', capabilities: Capability.PROTOCOL_41 | Capability.SECURE_CONNECTION });
    expect(errOf(reply)).toMatchObject({ errno: 1045 });
  });
});

describe('timeouts on a manual clock (deterministic)', () => {
  it('idle timeout fires exactly at its bound, not while a slow command runs, and the handshake bound likewise', async () => {
    const { ManualClock } = await import('@lockstep/base');
    const clock = new ManualClock();
    let release: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const manual = createWireServer({
      users: [{ user: 'root', password: PASSWORD }],
      clock,
      limits: { idleTimeoutMs: 1_000, handshakeTimeoutMs: 500 },
      handler: {
        query: async (_s, sql) => {
          if (sql === 'slow') await slow;
          return { kind: 'ok' };
        },
      },
    });
    server = manual;
    const { port } = await manual.listen(0);
    const settle = async (): Promise<void> => {
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    };

    // handshake: nothing at 499 ms, ERR 1159 at 500 ms
    const shy = await RawClient.connect(port);
    await shy.read();
    clock.advance(499);
    await settle();
    expect(shy.closed).toBe(false);
    clock.advance(1);
    expect(errOf(await shy.read())).toMatchObject({ errno: 1159 });

    // idle: a connection in a long command is not idle; after it, the bound counts from its end
    const busy = await RawClient.connect(port);
    await busy.login('root', PASSWORD);
    busy.send(Buffer.concat([Buffer.from([Command.QUERY]), Buffer.from('slow')]), 0);
    while (manual.questions < 1) await new Promise((r) => setImmediate(r)); // the server has the command
    clock.advance(5_000);
    await settle();
    expect(busy.closed).toBe(false);
    release();
    expect((await busy.read())!.payload[0]).toBe(0);
    clock.advance(999);
    await settle();
    expect(busy.closed).toBe(false);
    clock.advance(1);
    const idle = await busy.read();
    expect(idle!.seq).toBe(1);
    expect(errOf(idle)).toMatchObject({ errno: 1159 });
    expect(errOf(idle)!.message).toMatch(/wait_timeout/);
  });
});
