import { Command } from '../constants.js';
import { MalformedPacketError } from '../errors/malformed-packet-error.js';
import { PacketReader } from './packet-reader.js';
import type { PacketWriter } from './packet-writer.js';
import { type WireValue, readBinaryValue } from './values.js';

/** One parameter's declared type in COM_STMT_EXECUTE: the type byte and the unsigned flag (0x80). */
export interface ParameterType {
  readonly type: number;
  readonly unsigned: boolean;
}

export interface StmtExecuteHeader {
  readonly statementId: number;
  readonly flags: number;
  readonly iterationCount: number;
}

/** Reads the fixed part of COM_STMT_EXECUTE (after the command byte). */
export function readStmtExecuteHeader(r: PacketReader): StmtExecuteHeader {
  const statementId = r.u32('statement_id');
  const flags = r.u8('flags');
  const iterationCount = r.u32('iteration_count');
  return { statementId, flags, iterationCount };
}

/**
 * Reads the parameter block of COM_STMT_EXECUTE: NULL bitmap, new-params-bound flag,
 * types (when bound) and values. `previousTypes` are the types bound by an earlier
 * execute of the statement (used when new-params-bound is 0). `longData` holds values
 * sent with COM_STMT_SEND_LONG_DATA: those parameters are not in the packet.
 * Throws MalformedPacketError naming the parameter on truncation, an unknown type, or
 * a missing type binding.
 */
export function readStmtExecuteParams(
  r: PacketReader,
  paramCount: number,
  previousTypes: readonly ParameterType[] | undefined,
  longData?: ReadonlyMap<number, Buffer>,
): { params: WireValue[]; types: readonly ParameterType[] } {
  if (paramCount === 0) return { params: [], types: [] };
  const bitmap = r.bytes((paramCount + 7) >> 3, 'null bitmap');
  const bound = r.u8('new_params_bound_flag');
  let types: readonly ParameterType[];
  if (bound === 1) {
    const at = r.offset;
    r.skip(paramCount * 2, 'parameter types');
    if (previousTypes?.length === paramCount && sameTypes(r.buffer, at, previousTypes)) {
      // Clients re-send the same types on every execute: keep the decoded array.
      types = previousTypes;
    } else {
      const fresh: ParameterType[] = new Array<ParameterType>(paramCount);
      for (let i = 0; i < paramCount; i++) {
        fresh[i] = { type: r.buffer[at + 2 * i]!, unsigned: (r.buffer[at + 2 * i + 1]! & 0x80) !== 0 };
      }
      types = fresh;
    }
  } else if (bound === 0) {
    if (previousTypes === undefined) throw new MalformedPacketError('COM_STMT_EXECUTE without parameter types, and none were bound before');
    types = previousTypes;
  } else {
    throw new MalformedPacketError(`new_params_bound_flag is ${bound}, expected 0 or 1`);
  }
  const params: WireValue[] = new Array<WireValue>(paramCount);
  for (let i = 0; i < paramCount; i++) {
    const long = longData?.get(i);
    if (long !== undefined) {
      params[i] = long;
      continue;
    }
    if ((bitmap[i >> 3]! & (1 << (i & 7))) !== 0) {
      params[i] = null;
      continue;
    }
    const t = types[i]!;
    params[i] = readBinaryValue(r, t.type, t.unsigned, `parameter ${i}`);
  }
  return { params, types };
}

function sameTypes(buffer: Buffer, at: number, types: readonly ParameterType[]): boolean {
  for (let i = 0; i < types.length; i++) {
    const t = types[i]!;
    if (buffer[at + 2 * i] !== t.type || (buffer[at + 2 * i + 1]! & 0x80) !== (t.unsigned ? 0x80 : 0)) return false;
  }
  return true;
}

/** COM_REGISTER_SLAVE's fields. */
export interface RegisterSlaveRequest {
  readonly serverId: number;
  readonly hostname: string;
  readonly user: string;
  readonly password: string;
  readonly port: number;
  readonly replicationRank: number;
  readonly masterId: number;
}

export function readRegisterSlave(r: PacketReader): RegisterSlaveRequest {
  const serverId = r.u32('server_id');
  const hostname = r.bytes(r.u8('hostname length'), 'hostname').toString('utf8');
  const user = r.bytes(r.u8('user length'), 'user').toString('utf8');
  const password = r.bytes(r.u8('password length'), 'password').toString('utf8');
  const port = r.u16('port');
  const replicationRank = r.u32('replication_rank');
  const masterId = r.u32('master_id');
  return { serverId, hostname, user, password, port, replicationRank, masterId };
}

function shortString(w: PacketWriter, value: string, field: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > 255) throw new RangeError(`${field} is longer than 255 bytes`);
  w.u8(bytes.length).bytes(bytes);
}

export function writeRegisterSlave(w: PacketWriter, req: RegisterSlaveRequest): void {
  w.begin().u8(Command.REGISTER_SLAVE).u32(req.serverId);
  shortString(w, req.hostname, 'hostname');
  shortString(w, req.user, 'user');
  shortString(w, req.password, 'password');
  w.u16(req.port).u32(req.replicationRank).u32(req.masterId).end();
}

/**
 * A request to stream the binary log. `file`+`position` for COM_BINLOG_DUMP (MariaDB's
 * GTID mode also uses COM_BINLOG_DUMP, with the start state in the session variable
 * @slave_connect_state set beforehand); MySQL's COM_BINLOG_DUMP_GTID carries an encoded
 * GTID set in `gtidSet`.
 */
export interface BinlogDumpRequest {
  readonly command: 'binlog-dump' | 'binlog-dump-gtid';
  readonly serverId: number;
  readonly flags: number;
  readonly file: string;
  readonly position: bigint;
  readonly gtidSet?: Uint8Array;
}

export function readBinlogDump(r: PacketReader): BinlogDumpRequest {
  const position = BigInt(r.u32('binlog_pos'));
  const flags = r.u16('flags');
  const serverId = r.u32('server_id');
  const file = r.restString();
  return { command: 'binlog-dump', serverId, flags, file, position };
}

export function readBinlogDumpGtid(r: PacketReader): BinlogDumpRequest {
  const flags = r.u16('flags');
  const serverId = r.u32('server_id');
  const nameLength = r.u32('binlog_name_info_size');
  const file = r.bytes(nameLength, 'binlog_name').toString('utf8');
  const position = r.u64('binlog_pos');
  let gtidSet: Buffer = Buffer.alloc(0);
  if ((flags & 0x04) !== 0) {
    const size = r.u32('data_size');
    gtidSet = r.bytes(size, 'gtid set');
  }
  return { command: 'binlog-dump-gtid', serverId, flags, file, position, gtidSet };
}

export function writeBinlogDump(w: PacketWriter, req: { serverId: number; flags: number; file: string; position: bigint | number }): void {
  const position = BigInt(req.position);
  if (position > 0xffffffffn || position < 0n) throw new RangeError(`binlog position ${position} does not fit COM_BINLOG_DUMP's 4 bytes`);
  w.begin().u8(Command.BINLOG_DUMP).u32(Number(position)).u16(req.flags).u32(req.serverId).string(req.file).end();
}

/** Writes a command with a text argument (COM_QUERY, COM_INIT_DB, COM_STMT_PREPARE) or none (COM_PING, COM_QUIT). */
export function writeSimpleCommand(w: PacketWriter, command: number, argument?: string): void {
  w.begin().u8(command);
  if (argument !== undefined) w.string(argument);
  w.end();
}
