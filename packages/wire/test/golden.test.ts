import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Capability,
  ColumnFlag,
  ColumnType,
  Command,
  PacketWriter,
  SERVER_CAPABILITIES,
  createWireServer,
  readHandshakeResponse,
  readHandshakeV10,
  writeBinaryRow,
  writeBinlogDump,
  writeColumnDefinition,
  writeEof,
  writeErr,
  writeHandshakeResponse,
  writeHandshakeV10,
  readOk,
  writeOk,
  writePrepareOk,
  writeRegisterSlave,
  writeSimpleCommand,
  writeTextRow,
  type WireServer,
} from '../src/index.js';
import { KvHandler, PASSWORD } from './helpers.js';
import { RawClient } from './raw-client.js';

/** Joins hex fragments (spaces allowed) and ASCII fragments written as 'a:text'. */
function hex(...parts: string[]): string {
  return parts.map((p) => (p.startsWith('a:') ? Buffer.from(p.slice(2)).toString('hex') : p.replace(/\s+/g, ''))).join('');
}

/** One framed packet: 3-byte length (computed), sequence id, payload. */
function pkt(seq: number, ...parts: string[]): string {
  const payload = hex(...parts);
  const length = payload.length / 2;
  return hex(Buffer.from([length & 0xff, (length >> 8) & 0xff, length >> 16, seq]).toString('hex'), payload);
}

function encode(build: (w: PacketWriter) => void, seq = 0): string {
  const w = new PacketWriter();
  w.reset(seq);
  build(w);
  return w.take().toString('hex');
}

describe('golden packets: encoders', () => {
  it('HandshakeV10', () => {
    const bytes = encode((w) => {
      writeHandshakeV10(w, {
        serverVersion: '5.5.5-10.11.0-MariaDB-Lockstep',
        connectionId: 7,
        authPluginData: Buffer.from('abcdefghijklmnopqrst'),
        capabilities: SERVER_CAPABILITIES,
        characterSet: 45,
        statusFlags: 2,
        authPluginName: 'mysql_native_password',
      });
    });
    const payload = hex(
      '0a',
      'a:5.5.5-10.11.0-MariaDB-Lockstep',
      '00',
      '07000000',
      'a:abcdefgh',
      '00',
      '5fb7', // capabilities, low half: LONG_PASSWORD..SECURE_CONNECTION, no SSL (0x0800), no COMPRESS (0x20)
      '2d', // utf8mb4_general_ci
      '0200', // SERVER_STATUS_AUTOCOMMIT
      '3f01', // high half: MULTI_STATEMENTS, MULTI_RESULTS, PS_MULTI_RESULTS, PLUGIN_AUTH, CONNECT_ATTRS, LENENC_CLIENT_DATA, DEPRECATE_EOF
      '15',
      '00000000000000000000',
      'a:ijklmnopqrst',
      '00',
      'a:mysql_native_password',
      '00',
    );
    expect(bytes).toBe(hex((payload.length / 2).toString(16).padStart(2, '0'), '0000', '00', payload));
    const decoded = readHandshakeV10(Buffer.from(bytes, 'hex').subarray(4));
    expect(decoded.authPluginData.toString()).toBe('abcdefghijklmnopqrst');
    expect(decoded.capabilities).toBe(SERVER_CAPABILITIES);
  });

  it('HandshakeResponse41 with database and plugin', () => {
    const caps = Capability.PROTOCOL_41 | Capability.SECURE_CONNECTION | Capability.PLUGIN_AUTH | Capability.CONNECT_WITH_DB;
    const bytes = encode(
      (w) => {
        writeHandshakeResponse(w, { capabilities: caps, maxPacketSize: 0x1000000, user: 'root', authResponse: Buffer.from([1, 2, 3]), database: 'db', authPluginName: 'mysql_native_password' });
      },
      1,
    );
    const payload = hex('08820800', '00000001', '2d', '00'.repeat(23), 'a:root', '00', '03 010203', 'a:db', '00', 'a:mysql_native_password', '00');
    expect(bytes).toBe(hex((payload.length / 2).toString(16), '0000', '01', payload));
    const decoded = readHandshakeResponse(Buffer.from(payload, 'hex'), SERVER_CAPABILITIES);
    expect(decoded).toMatchObject({ user: 'root', database: 'db', authPluginName: 'mysql_native_password' });
  });

  it('OK, ERR, EOF, and OK-as-EOF (0xfe, CLIENT_DEPRECATE_EOF)', () => {
    expect(encode((w) => { writeOk(w, { affectedRows: 1n, lastInsertId: 300n, statusFlags: 2, warnings: 1 }); }, 1)).toBe(pkt(0x01, '00 01 fc2c01 0200 0100'));
    expect(encode((w) => { writeOk(w, { statusFlags: 2, info: 'hi' }); }, 1)).toBe(pkt(0x01, '00 00 00 0200 0000 02', 'a:hi'));
    // Info is length-encoded, as MySQL and MariaDB servers write it; the reader also takes a bare rest-of-packet string.
    expect(readOk(Buffer.from(hex('00 00 00 0200 0000 02', 'a:hi'), 'hex')).info).toBe('hi');
    expect(readOk(Buffer.from(hex('00 00 00 0200 0000', 'a:Records: 2'), 'hex')).info).toBe('Records: 2');
    expect(encode((w) => { writeErr(w, 1045, '28000', 'Access denied'); }, 2)).toBe(pkt(0x02, 'ff 1504 23', 'a:28000', 'a:Access denied'));
    expect(encode((w) => { writeEof(w, 2); }, 3)).toBe(pkt(0x03, 'fe 0000 0200'));
    expect(encode((w) => { writeOk(w, { statusFlags: 0x22 }, 0xfe); }, 4)).toBe(pkt(0x04, 'fe 00 00 2200 0000'));
  });

  it('column definition, text row, binary row (NULL bitmap offset 2), prepare OK', () => {
    const id = { name: 'id', type: ColumnType.LONGLONG, flags: ColumnFlag.NOT_NULL | ColumnFlag.PRI_KEY | ColumnFlag.UNSIGNED, table: 't', schema: 'db' };
    expect(encode((w) => { writeColumnDefinition(w, id); }, 2)).toBe(
      pkt(0x02, '03', 'a:def', '02', 'a:db', '01', 'a:t', '01', 'a:t', '02', 'a:id', '02', 'a:id', '0c', '3f00', '14000000', '08', '2300', '00', '0000'),
    );
    const text = { name: 's', type: ColumnType.VAR_STRING };
    expect(encode((w) => { writeColumnDefinition(w, text); }).slice(8)).toBe(hex('03', 'a:def', '00 00 00', '01', 'a:s', '01', 'a:s', '0c', '2d00', 'fc030000', 'fd', '0000', '00', '0000'));
    const cols = [id, text, { name: 'd', type: ColumnType.DOUBLE }];
    expect(encode((w) => { writeTextRow(w, cols, [1n, null, 2.5]); }, 4)).toBe(pkt(0x04, '01', 'a:1', 'fb', '03', 'a:2.5'));
    expect(encode((w) => { writeBinaryRow(w, cols, [5n, 'x', null]); }, 4)).toBe(pkt(0x04, '00', '10', '0500000000000000', '01', 'a:x'));
    // 7 columns: bitmap of (7+9)/8 = 2 bytes; NULL in column 6 is bit 0 of the second byte
    const seven = Array.from({ length: 7 }, (_, i) => ({ name: `c${i}`, type: ColumnType.TINY }));
    expect(encode((w) => { writeBinaryRow(w, seven, [1, 2, 3, 4, 5, 6, null]); })).toBe(pkt(0x00, '00', '0001', '010203040506'));
    expect(encode((w) => { writePrepareOk(w, 1, 1, 2); }, 1)).toBe(pkt(0x01, '00 01000000 0100 0200 00 0000'));
  });

  it('client commands: query, ping, quit, init db, register slave, binlog dump', () => {
    expect(encode((w) => { writeSimpleCommand(w, Command.QUERY, 'select 1'); })).toBe(pkt(0x00, '03', 'a:select 1'));
    expect(encode((w) => { writeSimpleCommand(w, Command.PING); })).toBe('010000000e');
    expect(encode((w) => { writeSimpleCommand(w, Command.QUIT); })).toBe('0100000001');
    expect(encode((w) => { writeSimpleCommand(w, Command.INIT_DB, 'db'); })).toBe(pkt(0x00, '02', 'a:db'));
    expect(encode((w) => { writeRegisterSlave(w, { serverId: 2, hostname: 'h', user: 'u', password: '', port: 3307, replicationRank: 0, masterId: 0 }); })).toBe(
      pkt(0x00, '15', '02000000', '01', 'a:h', '01', 'a:u', '00', 'eb0c', '00000000', '00000000'),
    );
    expect(encode((w) => { writeBinlogDump(w, { serverId: 2, flags: 1, file: 'mysql-bin.000001', position: 4 }); })).toBe(
      pkt(0x00, '12', '04000000', '0100', '02000000', 'a:mysql-bin.000001'),
    );
  });
});

describe('golden packets: what the server answers to each command', () => {
  let server: WireServer;
  let port: number;
  beforeAll(async () => {
    const kv = new KvHandler();
    server = createWireServer({
      users: [{ user: 'root', password: PASSWORD }],
      handler: {
        query: (s, sql) => kv.query(s, sql),
        prepare: (s, sql) => ({ ...kv.prepare(s, sql), columns: [{ name: 'v', type: ColumnType.VAR_STRING }] }),
        execute: () => ({ kind: 'rows', columns: [{ name: 'v', type: ColumnType.VAR_STRING }], rows: [['x']] }),
        registerSlave: () => undefined,
        binlogDump: async (_s, request, sink) => {
          await sink.send(Buffer.from(`EV:${request.file}:${request.position}`));
          await sink.send(Buffer.from('EV2'));
        },
      },
    });
    ({ port } = await server.listen(0));
  });
  afterAll(async () => {
    await server.close();
  });

  async function session(deprecateEof: boolean): Promise<RawClient> {
    const raw = await RawClient.connect(port);
    const caps = Capability.PROTOCOL_41 | Capability.SECURE_CONNECTION | Capability.PLUGIN_AUTH | Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA | (deprecateEof ? Capability.DEPRECATE_EOF : 0);
    const { handshake, reply } = await raw.login('root', PASSWORD, { capabilities: caps });
    expect(handshake.serverVersion).toBe('5.5.5-10.11.0-MariaDB-Lockstep');
    expect(reply.seq).toBe(2);
    expect(reply.payload.toString('hex')).toBe(hex('00 00 00 0200 0000'));
    return raw;
  }

  async function exchange(raw: RawClient, payload: Buffer, packets: number): Promise<string[]> {
    raw.send(payload, 0);
    const out: string[] = [];
    for (let i = 0; i < packets; i++) {
      const p = (await raw.read())!;
      out.push(hex(p.payload.length.toString(16).padStart(2, '0'), '0000', p.seq.toString(16).padStart(2, '0'), p.payload.toString('hex')));
    }
    return out;
  }

  const cmd = (command: number, text = ''): Buffer => Buffer.concat([Buffer.from([command]), Buffer.from(text)]);
  const coldefOne = hex('03', 'a:def', '00 00 00', '01', 'a:1', '01', 'a:1', '0c', '3f00', '14000000', '08', '0180', '00', '0000');
  const coldefV = hex('03', 'a:def', '00 00 00', '01', 'a:v', '01', 'a:v', '0c', '2d00', 'fc030000', 'fd', '0000', '00', '0000');
  const coldefParam = hex('03', 'a:def', '00 00 00', '01', 'a:?', '01', 'a:?', '0c', '2d00', 'fc030000', 'fd', '0000', '00', '0000');

  it('text result set, with EOF packets and with CLIENT_DEPRECATE_EOF', async () => {
    const classic = await session(false);
    expect(await exchange(classic, cmd(Command.QUERY, 'select 1'), 5)).toEqual([
      '0100000101',
      pkt(0x02, coldefOne),
      pkt(0x03, 'fe 0000 0200'),
      pkt(0x04, '01', 'a:1'),
      pkt(0x05, 'fe 0000 0200'),
    ]);
    classic.close();
    const modern = await session(true);
    expect(await exchange(modern, cmd(Command.QUERY, 'select 1'), 4)).toEqual([
      '0100000101',
      pkt(0x02, coldefOne),
      pkt(0x03, '01', 'a:1'),
      pkt(0x04, 'fe 00 00 0200 0000'),
    ]);
    modern.close();
  });

  it('prepare and binary result set, with and without CLIENT_DEPRECATE_EOF', async () => {
    const classic = await session(false);
    expect(await exchange(classic, cmd(Command.STMT_PREPARE, 'select ?'), 5)).toEqual([
      pkt(0x01, '00 01000000 0100 0100 00 0000'),
      pkt(0x02, coldefParam),
      pkt(0x03, 'fe 0000 0200'),
      pkt(0x04, coldefV),
      pkt(0x05, 'fe 0000 0200'),
    ]);
    const execute = Buffer.from(hex('17', '01000000', '00', '01000000', '00', '01', 'fd00', '01', 'a:a'), 'hex');
    expect(await exchange(classic, execute, 5)).toEqual([
      '0100000101',
      pkt(0x02, coldefV),
      pkt(0x03, 'fe 0000 0200'),
      pkt(0x04, '00 00 01', 'a:x'),
      pkt(0x05, 'fe 0000 0200'),
    ]);
    classic.close();
    const modern = await session(true);
    expect(await exchange(modern, cmd(Command.STMT_PREPARE, 'select ?'), 3)).toEqual([
      pkt(0x01, '00 01000000 0100 0100 00 0000'),
      pkt(0x02, coldefParam),
      pkt(0x03, coldefV),
    ]);
    expect(await exchange(modern, execute, 4)).toEqual(['0100000101', pkt(0x02, coldefV), pkt(0x03, '00 00 01', 'a:x'), pkt(0x04, 'fe 00 00 0200 0000')]);
    modern.close();
  });

  it('OK for ping, init db, stmt reset, reset connection, insert; nothing for stmt close and long data; EOF for set option and field list', async () => {
    const raw = await session(false);
    const ok = pkt(0x01, '00 00 00 0200 0000');
    expect(await exchange(raw, cmd(Command.PING), 1)).toEqual([ok]);
    expect(await exchange(raw, cmd(Command.INIT_DB, 'shop'), 1)).toEqual([ok]);
    expect(await exchange(raw, Buffer.from('1b0000', 'hex'), 1)).toEqual([pkt(0x01, 'fe 0000 0200')]);
    expect(await exchange(raw, Buffer.from(hex('04', 'a:kv', '00'), 'hex'), 1)).toEqual([pkt(0x01, 'fe 0000 0200')]);
    expect(await exchange(raw, cmd(Command.QUERY, "insert into kv values ('g', 'h')"), 1)).toEqual([pkt(0x01, '00 01 01 0200 0000')]);
    await exchange(raw, cmd(Command.STMT_PREPARE, 'select ?'), 5);
    raw.send(Buffer.from(hex('18', '01000000', '0000', 'a:long'), 'hex'), 0); // no answer
    expect(await exchange(raw, Buffer.from(hex('1a', '01000000'), 'hex'), 1)).toEqual([ok]);
    raw.send(Buffer.from(hex('19', '01000000'), 'hex'), 0); // no answer
    expect(await exchange(raw, Buffer.from(hex('17', '01000000', '00', '01000000', '00', '01', 'fd00', '01', 'a:a'), 'hex'), 1)).toEqual([
      pkt(0x01, 'ff db04 23', 'a:HY000', 'a:Unknown prepared statement handler (1) given to mysqld_stmt_execute'),
    ]);
    expect(await exchange(raw, cmd(Command.RESET_CONNECTION), 1)).toEqual([ok]);
    raw.close();
  });

  it('statistics, kill of an unknown id (1094), register slave, binlog dump events framed with 0x00 and EOF', async () => {
    const raw = await session(false);
    const [stats] = await exchange(raw, cmd(Command.STATISTICS), 1);
    expect(Buffer.from(stats!.slice(8), 'hex').toString()).toMatch(/^Uptime: \d+ {2}Threads: \d+ {2}Questions: \d+/);
    expect(await exchange(raw, Buffer.from(hex('0c', 'ffff0000'), 'hex'), 1)).toEqual([pkt(0x01, 'ff 4604 23', 'a:HY000', 'a:Unknown thread id: 65535')]);
    const register = encode((w) => { writeRegisterSlave(w, { serverId: 2, hostname: 'h', user: 'u', password: '', port: 3307, replicationRank: 0, masterId: 0 }); }).slice(8);
    expect(await exchange(raw, Buffer.from(register, 'hex'), 1)).toEqual([pkt(0x01, '00 00 00 0200 0000')]);
    const dump = encode((w) => { writeBinlogDump(w, { serverId: 2, flags: 0, file: 'b.000001', position: 4 }); }).slice(8);
    expect(await exchange(raw, Buffer.from(dump, 'hex'), 3)).toEqual([
      pkt(0x01, '00', 'a:EV:b.000001:4'),
      pkt(0x02, '00', 'a:EV2'),
      pkt(0x03, 'fe 0000 0200'),
    ]);
    raw.close();
  });

  it('the live handshake matches the encoder byte for byte apart from the connection id and scramble', async () => {
    const raw = await RawClient.connect(port);
    const first = (await raw.read())!;
    const live = readHandshakeV10(first.payload);
    const w = new PacketWriter();
    writeHandshakeV10(w, { ...live, authPluginData: live.authPluginData });
    expect(w.take().subarray(4).equals(first.payload)).toBe(true);
    expect(live.capabilities & Capability.SSL).toBe(0);
    expect(live.capabilities & Capability.COMPRESS).toBe(0);
    expect([...live.authPluginData].every((b) => b >= 1 && b <= 127)).toBe(true);
    raw.close();
  });
});
