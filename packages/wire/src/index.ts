// Public API of @lockstep/wire: named re-exports only.
export { Capability, Charset, ColumnFlag, ColumnType, Command, ErrorCode, ServerStatus, BinlogDumpFlag, MAX_FRAME_PAYLOAD, NATIVE_PASSWORD_PLUGIN } from './constants.js';
export type { ColumnTypeCode } from './constants.js';

export { PacketFramer } from './codec/packet-framer.js';
export type { PacketHandler } from './codec/packet-framer.js';
export { PacketReader } from './codec/packet-reader.js';
export { PacketWriter } from './codec/packet-writer.js';
export { nativePasswordHash, scrambleNativePassword, verifyNativePassword } from './codec/auth.js';
export {
  readHandshakeV10,
  writeHandshakeV10,
  readHandshakeResponse,
  writeHandshakeResponse,
  readAuthSwitchRequest,
  writeAuthSwitchRequest,
} from './codec/handshake.js';
export type { HandshakeV10, HandshakeResponse, HandshakeResponseInput } from './codec/handshake.js';
export {
  encodeColumnDefinition,
  readColumnDefinition,
  readEof,
  readErr,
  readOk,
  readTextRow,
  writeBinaryRow,
  writeColumnCount,
  writeColumnDefinition,
  writeEof,
  writeErr,
  writeOk,
  writePrepareOk,
  writeTextRow,
} from './codec/messages.js';
export type { ColumnDefinition, ErrPacket, OkInput, OkPacket } from './codec/messages.js';
export {
  readBinlogDump,
  readBinlogDumpGtid,
  readRegisterSlave,
  readStmtExecuteHeader,
  readStmtExecuteParams,
  writeBinlogDump,
  writeRegisterSlave,
  writeSimpleCommand,
} from './codec/commands.js';
export type { BinlogDumpRequest, ParameterType, RegisterSlaveRequest, StmtExecuteHeader } from './codec/commands.js';
export { formatDateTime, formatTime, parseDateTime, parseTime, readBinaryValue, writeBinaryValue } from './codec/values.js';
export type { WireDateTime, WireTime, WireValue } from './codec/values.js';

export { WireServer, createWireServer, SERVER_CAPABILITIES, DEFAULT_SERVER_VERSION } from './server.js';
export type { WireServerOptions, WireConnectionInfo } from './server.js';
export type {
  BinlogEventSink,
  OkResult,
  PreparedStatement,
  PrepareResult,
  QueryResult,
  RowsResult,
  WireHandler,
  WireSession,
} from './handler.js';
export { DEFAULT_WIRE_LIMITS } from './limits.js';
export type { WireLimits } from './limits.js';
export type { WireUser, WireUsers } from './users.js';

export { AccessDeniedError } from './errors/access-denied-error.js';
export { ConnectionClosedError } from './errors/connection-closed-error.js';
export { HandshakeError } from './errors/handshake-error.js';
export { MalformedPacketError } from './errors/malformed-packet-error.js';
export { NoSuchThreadError } from './errors/no-such-thread-error.js';
export { PacketTooLargeError } from './errors/packet-too-large-error.js';
export { PacketsOutOfOrderError } from './errors/packets-out-of-order-error.js';
export { ReconnectExhaustedError } from './errors/reconnect-exhausted-error.js';
export { ServerError } from './errors/server-error.js';
export { TooManyConnectionsError } from './errors/too-many-connections-error.js';
export { TooManyStatementsError } from './errors/too-many-statements-error.js';
export { UnknownCommandError } from './errors/unknown-command-error.js';
export { UnknownStatementError } from './errors/unknown-statement-error.js';
export { UnsupportedAuthPluginError } from './errors/unsupported-auth-plugin-error.js';
export { WireTimeoutError } from './errors/wire-timeout-error.js';

export { WireClient, DEFAULT_CLIENT_CAPABILITIES } from './client/wire-client.js';
export type { BinlogDumpOptions, ClientQueryResult, ClientRowsResult, WireClientOptions } from './client/wire-client.js';
export { BinlogStream, openBinlogStream } from './client/binlog-stream.js';
export type { BinlogPosition, BinlogStreamOptions, ReconnectPolicy } from './client/binlog-stream.js';
