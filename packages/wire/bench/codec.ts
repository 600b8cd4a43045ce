// The codec alone, in-process and without sockets: decode one COM_STMT_EXECUTE (one VARCHAR
// parameter) and encode its one-row binary result set (column count, definition, EOF, row,
// EOF) — ours vs the functions mysql2's server uses for the same packets.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Wire from '../src/index.js';

interface Mysql2Packet {
  readInt8(): number;
  buffer: Buffer;
}
type PacketCtor = new (seq: number, buf: Buffer, start: number, end: number) => Mysql2Packet;
interface Mysql2Packets {
  Packet: PacketCtor;
  Execute: { fromPacket(packet: Mysql2Packet, encoding: string): { values: unknown[] } };
  ResultSetHeader: { toPacket(count: number): Mysql2Packet };
  ColumnDefinition: { toPacket(column: object, encoding: string): Mysql2Packet };
  EOF: { toPacket(): Mysql2Packet };
  BinaryRow: { toPacket(row: unknown[], encoding: string): Mysql2Packet };
}

export function codecNsPerOp(wire: typeof Wire, iterations: number): { lockstep: number; mysql2: number } {
  const require = createRequire(import.meta.url);
  const packets = require(join(dirname(require.resolve('mysql2')), 'lib', 'packets', 'index.js')) as Mysql2Packets;
  // The execute packet mysql2's client sends for execute('select ?', ['a']).
  const w = new wire.PacketWriter();
  w.begin().u8(wire.Command.STMT_EXECUTE).u32(1).u8(0).u32(1).u8(0).u8(1).u8(wire.ColumnType.VAR_STRING).u8(0).lenencString('a').end();
  const framed = w.take();
  const payload = framed.subarray(4);
  const column: Wire.ColumnDefinition = { name: 'v', type: wire.ColumnType.VAR_STRING };
  const mysqlColumn = { catalog: 'def', schema: '', table: '', orgTable: '', name: 'v', orgName: 'v', characterSet: 45, columnLength: 1020, columnType: 253, flags: 0, decimals: 0 };
  const out = new wire.PacketWriter(4096);
  let sink = 0;

  const ours = (): void => {
    const r = new wire.PacketReader(payload, 1);
    const header = wire.readStmtExecuteHeader(r);
    const { params } = wire.readStmtExecuteParams(r, 1, undefined);
    out.reset(1);
    wire.writeColumnCount(out, 1);
    wire.writeColumnDefinition(out, column);
    wire.writeEof(out, 2);
    wire.writeBinaryRow(out, [column], ['x']);
    wire.writeEof(out, 2);
    sink += out.take().length + header.statementId + params.length;
  };
  const theirs = (): void => {
    const packet = new packets.Packet(0, framed, 0, framed.length);
    packet.readInt8();
    const { values } = packets.Execute.fromPacket(packet, 'utf8');
    const parts = [
      packets.ResultSetHeader.toPacket(1),
      packets.ColumnDefinition.toPacket(mysqlColumn, 'utf8'),
      packets.EOF.toPacket(),
      packets.BinaryRow.toPacket(['x'], 'utf8'),
      packets.EOF.toPacket(),
    ];
    // mysql2's writePacket stamps each header and writes each buffer: count the concatenation it implies
    sink += Buffer.concat(parts.map((p) => p.buffer)).length + values.length;
  };
  // CPU time (user + system) rather than wall time: the machine is shared, and preemption
  // by other processes would inflate wall time.
  const time = (fn: () => void): number => {
    for (let i = 0; i < Math.min(50_000, iterations); i++) fn();
    const start = process.cpuUsage();
    for (let i = 0; i < iterations; i++) fn();
    const used = process.cpuUsage(start);
    return ((used.user + used.system) * 1000) / iterations;
  };
  const lockstep = time(ours);
  const mysql2 = time(theirs);
  if (sink === 0) throw new Error('unreachable');
  return { lockstep, mysql2 };
}
