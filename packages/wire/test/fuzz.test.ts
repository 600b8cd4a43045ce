import { connect } from 'node:net';
import { Random } from '@lockstep/base';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Capability,
  ColumnType,
  Command,
  NATIVE_PASSWORD_PLUGIN,
  PacketWriter,
  createWireServer,
  readHandshakeV10,
  scrambleNativePassword,
  writeBinlogDump,
  writeHandshakeResponse,
  writeRegisterSlave,
  type WireServer,
} from '../src/index.js';
import { KvHandler, PASSWORD } from './helpers.js';

/** Connections thrown at the server; raise with WIRE_FUZZ_RUNS=5000. */
const RUNS = Number(process.env.WIRE_FUZZ_RUNS ?? 400);
const SEED = process.env.WIRE_FUZZ_SEED ?? 'wire-fuzz-1';
const PARALLEL = 8;

function frame(payload: Uint8Array, seq: number): Buffer {
  const w = new PacketWriter();
  w.reset(seq);
  w.begin().bytes(payload).end();
  return w.take();
}

/** Valid command payloads to mutate. */
function corpus(): Buffer[] {
  const out: Buffer[] = [];
  const text = (command: number, s: string): Buffer => Buffer.concat([Buffer.from([command]), Buffer.from(s)]);
  out.push(text(Command.QUERY, 'select 1'), text(Command.QUERY, "insert into kv values ('f', 'z')"), text(Command.QUERY, 'select k, v from kv'));
  out.push(Buffer.from([Command.PING]), text(Command.INIT_DB, 'db'), Buffer.from([Command.SET_OPTION, 0, 0]), Buffer.from([Command.STATISTICS]));
  out.push(text(Command.STMT_PREPARE, 'select ?, ?'));
  const exec = new PacketWriter();
  exec.u8(Command.STMT_EXECUTE).u32(1).u8(0).u32(1).u8(0).u8(1).u8(ColumnType.LONGLONG).u8(0x80).u8(ColumnType.DATETIME).u8(0).u64(7n).u8(7).u16(2026).u8(1).u8(2).u8(3).u8(4).u8(5);
  out.push(exec.take());
  const ld = new PacketWriter();
  ld.u8(Command.STMT_SEND_LONG_DATA).u32(1).u16(0).bytes(Buffer.from('data'));
  out.push(ld.take(), Buffer.from([Command.STMT_RESET, 1, 0, 0, 0]), Buffer.from([Command.STMT_CLOSE, 1, 0, 0, 0]), Buffer.from([Command.PROCESS_KILL, 9, 9, 0, 0]));
  const reg = new PacketWriter();
  writeRegisterSlave(reg, { serverId: 9, hostname: 'h', user: 'u', password: 'p', port: 1, replicationRank: 0, masterId: 0 });
  out.push(reg.take().subarray(4));
  const dump = new PacketWriter();
  writeBinlogDump(dump, { serverId: 9, flags: 1, file: 'b.000001', position: 4 });
  out.push(dump.take().subarray(4));
  return out;
}

function mutate(random: Random, input: Buffer): Buffer {
  const bytes = Buffer.from(input);
  switch (random.int(0, 4)) {
    case 0: {
      for (let i = random.int(1, 4); i > 0 && bytes.length > 0; i--) bytes[random.int(0, bytes.length - 1)] = random.int(0, 255);
      return bytes;
    }
    case 1:
      return bytes.subarray(0, random.int(0, bytes.length));
    case 2:
      return Buffer.concat([bytes, Buffer.from(random.bytes(random.int(1, 40)))]);
    case 3: {
      // lengths in the middle: plant a length-encoded prefix claiming a lot
      const at = random.int(0, Math.max(0, bytes.length - 1));
      if (bytes.length > 0) bytes[at] = random.pick([0xfb, 0xfc, 0xfd, 0xfe, 0xff]);
      return bytes;
    }
    default:
      return Buffer.from(random.bytes(random.int(0, 64)));
  }
}

function loginBytes(handshakePayload: Buffer, random: Random, spoil: boolean): Buffer {
  const hs = readHandshakeV10(handshakePayload);
  const w = new PacketWriter();
  w.reset(1);
  writeHandshakeResponse(w, {
    capabilities: Capability.PROTOCOL_41 | Capability.SECURE_CONNECTION | Capability.PLUGIN_AUTH | Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA | (random.bool() ? Capability.DEPRECATE_EOF : 0),
    maxPacketSize: 1 << 24,
    user: 'root',
    authResponse: scrambleNativePassword(PASSWORD, hs.authPluginData),
    authPluginName: random.bool(0.9) ? NATIVE_PASSWORD_PLUGIN : 'client_ed25519',
  });
  const bytes = w.take();
  if (!spoil) return bytes;
  return Buffer.concat([bytes.subarray(0, 4), mutate(random, bytes.subarray(4))]);
}

/** One hostile connection; resolves when the server has closed it or answered and we hung up. */
function attack(port: number, random: Random, commands: Buffer[]): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let stage = 0;
    const scenario = random.int(0, 3);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      resolve();
    });
    socket.on('data', (chunk: Buffer) => {
      if (stage === 0) {
        stage = 1;
        if (scenario === 0) {
          // random bytes instead of a handshake response
          socket.end(Buffer.from(random.bytes(random.int(0, 300))));
          return;
        }
        socket.write(loginBytes(chunk.subarray(4), random, scenario === 1));
        if (scenario === 1) socket.end();
        return;
      }
      if (stage === 1) {
        stage = 2;
        const parts: Buffer[] = [];
        for (let i = random.int(1, 6); i > 0; i--) {
          const base = random.pick(commands);
          const payload = scenario === 2 ? mutate(random, base) : base;
          const seq = random.bool(0.85) ? 0 : random.int(1, 255);
          let framed = frame(payload, seq);
          if (random.bool(0.1)) framed = framed.subarray(0, random.int(0, framed.length)); // truncated frame
          if (framed.length >= 3 && random.bool(0.05)) framed.writeUIntLE(random.int(0, 0xffffff), 0, 3); // lying length
          parts.push(framed);
        }
        const all = Buffer.concat(parts);
        // sometimes dribble the bytes in two writes
        const cut = random.int(0, all.length);
        socket.write(all.subarray(0, cut));
        socket.end(all.subarray(cut));
      }
    });
  });
}

describe('fuzz: random and mutated packets', () => {
  let server: WireServer;
  let port: number;
  beforeAll(async () => {
    const kv = new KvHandler();
    server = createWireServer({
      users: [{ user: 'root', password: PASSWORD }],
      limits: { maxPacketBytes: 1 << 20, maxConnections: 200 },
      handler: {
        query: (s, sql) => kv.query(s, sql),
        prepare: (s, sql) => kv.prepare(s, sql),
        execute: (s, st, p) => kv.execute(s, st, p),
        registerSlave: () => undefined,
        binlogDump: async (_s, _r, sink) => {
          await sink.send(Buffer.from('event-1'));
          await sink.send(Buffer.from('event-2'));
        },
      },
    });
    ({ port } = await server.listen(0));
  });
  afterAll(async () => {
    await server.close();
  });

  it(`survives ${RUNS} hostile connections and keeps serving a well-behaved mysql2 client (seed ${SEED})`, async () => {
    const random = new Random(SEED);
    const commands = corpus();
    const good = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', password: PASSWORD });
    try {
      for (let done = 0; done < RUNS; done += PARALLEL) {
        await Promise.all(Array.from({ length: Math.min(PARALLEL, RUNS - done) }, () => attack(port, random.fork(), commands)));
        if (done % (PARALLEL * 10) === 0) {
          const [rows] = await good.query('select 1');
          expect(rows, `seed ${SEED}, after ${done} connections`).toEqual([{ 1: 1 }]);
          const [echo] = await good.execute('select ?', [done]);
          expect(echo, `seed ${SEED}`).toEqual([{ p0: done }]);
        }
      }
      const [rows] = await good.query('select 1');
      expect(rows).toEqual([{ 1: 1 }]);
      // every hostile connection is gone; only the good one is left
      for (let i = 0; i < 1000 && server.connectionCount > 1; i++) await new Promise((r) => setTimeout(r, 5));
      expect(server.connectionCount, `seed ${SEED}`).toBe(1);
    } finally {
      await good.end();
    }
  });
});
