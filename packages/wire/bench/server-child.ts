// A benchmark server in its own process, so its CPU time can be measured apart from the
// clients'. Usage: tsx bench/server-child.ts lockstep|mysql2|raw
// Prints {"port":N} on stdout; on each line "cpu" from stdin prints process.cpuUsage().
// It loads the BUILT package (dist/), what users run: the TypeScript sources under tsx
// carry a name-keeping helper on every closure that costs about a microsecond per query.
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import mysql2 from 'mysql2';
import type { ColumnDefinition, QueryResult } from '../src/index.js';

// Types from the sources, code from the build (a path in a variable, so typechecking a
// fresh checkout does not need dist/).
const distEntry = new URL('../dist/index.js', import.meta.url).href;
const wire = (await import(distEntry)) as typeof import('../src/index.js');
const {
  Capability,
  ColumnType,
  PacketWriter,
  SERVER_CAPABILITIES,
  createWireServer,
  writeBinaryRow,
  writeColumnCount,
  writeColumnDefinition,
  writeEof,
  writeHandshakeV10,
  writeOk,
  writePrepareOk,
  writeTextRow,
} = wire;

const kind = process.argv[2] ?? 'lockstep';
const column: ColumnDefinition = { name: 'v', type: ColumnType.VAR_STRING };
const oneRow: QueryResult = { kind: 'rows', columns: [column], rows: [['x']] };

async function startLockstep(): Promise<number> {
  const server = createWireServer({
    handler: {
      query: () => oneRow,
      prepare: () => ({ params: 1, columns: [column] }),
      execute: () => oneRow,
    },
    users: [{ user: 'root', password: 'pw' }],
    limits: { maxConnections: 1000 },
  });
  return (await server.listen(0)).port;
}

interface Mysql2ServerConnection {
  stream: Socket;
  serverHandshake(args: object): void;
  on(event: string, listener: (...args: unknown[]) => void): void;
  writeTextResult(rows: object[], columns: object[]): void;
  writeColumns(columns: object[]): void;
  writeBinaryRow(row: unknown[]): void;
  writeEof(): void;
  writeOk(): void;
  writePacket(packet: unknown): void;
  close(): void;
}

interface Mysql2Server {
  on(event: 'connection', listener: (conn: Mysql2ServerConnection) => void): void;
  listen(port: number, host: string, callback: () => void): void;
  _server: { address(): AddressInfo };
}

interface Mysql2Packet {
  offset: number;
  writeInt8(n: number): void;
  writeInt16(n: number): void;
  writeInt32(n: number): void;
}

async function startMysql2(): Promise<number> {
  // mysql2 has no writer for COM_STMT_PREPARE's answer; we build it with its Packet class.
  const require = createRequire(import.meta.url);
  const packetFile = join(dirname(require.resolve('mysql2')), 'lib', 'packets', 'packet.js');
  const Packet = require(packetFile) as new (seq: number, buf: Buffer, start: number, end: number) => Mysql2Packet;
  const ColumnDefinitionPacket = require(join(dirname(packetFile), 'column_definition.js')) as { toPacket(column: object, encoding: string): unknown };
  const mysqlColumn = { catalog: 'def', schema: '', table: '', orgTable: '', name: 'v', orgName: 'v', characterSet: 45, columnLength: 1020, columnType: ColumnType.VAR_STRING, flags: 0, decimals: 0 };
  // mysql2's typings are narrower than its code (createServer takes a handler, listen takes host and callback).
  const server = (mysql2.createServer as unknown as () => Mysql2Server)();
  let nextId = 1;
  server.on('connection', (conn: Mysql2ServerConnection) => {
    // Without this mysql2's one-write-per-packet answers meet delayed ACKs (40 ms a round trip).
    conn.stream.setNoDelay(true);
    conn.serverHandshake({
      protocolVersion: 10,
      serverVersion: '5.5.5-10.11.0-mysql2',
      connectionId: nextId++,
      statusFlags: 2,
      characterSet: 45,
      capabilityFlags: SERVER_CAPABILITIES & ~Capability.DEPRECATE_EOF,
    });
    conn.on('query', () => {
      conn.writeTextResult([{ v: 'x' }], [mysqlColumn]);
    });
    conn.on('stmt_prepare', () => {
      const buffer = Buffer.alloc(16);
      const packet = new Packet(0, buffer, 0, 16);
      packet.offset = 4;
      packet.writeInt8(0);
      packet.writeInt32(1);
      packet.writeInt16(1); // columns
      packet.writeInt16(1); // params
      packet.writeInt8(0);
      packet.writeInt16(0);
      conn.writePacket(packet);
      conn.writePacket(ColumnDefinitionPacket.toPacket({ ...mysqlColumn, name: '?' }, 'utf8'));
      conn.writeEof();
      conn.writePacket(ColumnDefinitionPacket.toPacket(mysqlColumn, 'utf8'));
      conn.writeEof();
    });
    conn.on('stmt_execute', () => {
      conn.writeColumns([mysqlColumn]);
      conn.writeBinaryRow(['x']);
      conn.writeEof();
    });
    conn.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve();
    });
  });
  return server._server.address().port;
}

/** The floor: a socket server that answers every command with prebuilt bytes (no decoding, no encoding). */
async function startRaw(): Promise<number> {
  const w = new PacketWriter();
  writeHandshakeV10(w, { serverVersion: '5.5.5-raw', connectionId: 1, authPluginData: Buffer.alloc(20, 65), capabilities: SERVER_CAPABILITIES & ~Capability.DEPRECATE_EOF, characterSet: 45, statusFlags: 2, authPluginName: 'mysql_native_password' });
  const handshake = w.take();
  w.reset(2);
  writeOk(w, { statusFlags: 2 });
  const authOk = w.take();
  w.reset(1);
  writePrepareOk(w, 1, 1, 1);
  writeColumnDefinition(w, { name: '?', type: ColumnType.VAR_STRING });
  writeEof(w, 2);
  writeColumnDefinition(w, column);
  writeEof(w, 2);
  const prepared = w.take();
  w.reset(1);
  writeColumnCount(w, 1);
  writeColumnDefinition(w, column);
  writeEof(w, 2);
  writeBinaryRow(w, [column], ['x']);
  writeEof(w, 2);
  const executed = w.take();
  w.reset(1);
  writeColumnCount(w, 1);
  writeColumnDefinition(w, column);
  writeEof(w, 2);
  writeTextRow(w, [column], ['x']);
  writeEof(w, 2);
  const queried = w.take();
  const server = createNetServer((socket: Socket) => {
    socket.setNoDelay(true);
    let authed = false;
    socket.write(handshake);
    socket.on('data', (chunk: Buffer) => {
      if (!authed) {
        authed = true;
        socket.write(authOk);
        return;
      }
      const command = chunk[4];
      if (command === 0x17) socket.write(executed);
      else if (command === 0x03) socket.write(queried);
      else if (command === 0x16) socket.write(prepared);
      else if (command === 0x01) socket.end();
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const port = kind === 'mysql2' ? await startMysql2() : kind === 'raw' ? await startRaw() : await startLockstep();
process.stdout.write(`${JSON.stringify({ port })}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line === 'cpu') process.stdout.write(`${JSON.stringify(process.cpuUsage())}\n`);
});
lines.on('close', () => {
  process.exit(0);
});
