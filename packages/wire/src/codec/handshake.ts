import { Capability, Charset, NATIVE_PASSWORD_PLUGIN } from '../constants.js';
import { HandshakeError } from '../errors/handshake-error.js';
import { MalformedPacketError } from '../errors/malformed-packet-error.js';
import { PacketReader } from './packet-reader.js';
import type { PacketWriter } from './packet-writer.js';

/** The server's first packet (Protocol::HandshakeV10). */
export interface HandshakeV10 {
  readonly serverVersion: string;
  readonly connectionId: number;
  /** The 20-byte scramble (auth-plugin-data parts 1 and 2). */
  readonly authPluginData: Uint8Array;
  readonly capabilities: number;
  readonly characterSet: number;
  readonly statusFlags: number;
  readonly authPluginName: string;
}

/** The client's answer (Protocol::HandshakeResponse41). */
export interface HandshakeResponse {
  readonly capabilities: number;
  readonly maxPacketSize: number;
  readonly characterSet: number;
  readonly user: string;
  readonly authResponse: Uint8Array;
  readonly database: string | undefined;
  readonly authPluginName: string | undefined;
  readonly attributes: ReadonlyMap<string, string>;
}

export function writeHandshakeV10(writer: PacketWriter, hs: HandshakeV10): void {
  if (hs.authPluginData.length !== 20) throw new RangeError('auth plugin data must be 20 bytes');
  writer
    .begin()
    .u8(10)
    .nulString(hs.serverVersion)
    .u32(hs.connectionId)
    .bytes(hs.authPluginData.subarray(0, 8))
    .u8(0)
    .u16(hs.capabilities & 0xffff)
    .u8(hs.characterSet)
    .u16(hs.statusFlags)
    .u16((hs.capabilities >>> 16) & 0xffff)
    .u8(21)
    .zeros(10)
    .bytes(hs.authPluginData.subarray(8, 20))
    .u8(0)
    .nulString(hs.authPluginName)
    .end();
}

export function readHandshakeV10(payload: Uint8Array): HandshakeV10 {
  const r = new PacketReader(payload);
  const protocol = r.u8('protocol_version');
  if (protocol !== 10) throw new HandshakeError(`server speaks protocol version ${protocol}, only 10 is supported`);
  const serverVersion = r.nulString('server_version');
  const connectionId = r.u32('connection_id');
  const part1 = r.bytes(8, 'auth_plugin_data_part_1');
  r.skip(1, 'filler');
  let capabilities = r.u16('capability_flags_1');
  const characterSet = r.u8('character_set');
  const statusFlags = r.u16('status_flags');
  capabilities |= r.u16('capability_flags_2') << 16;
  capabilities >>>= 0;
  const authDataLength = r.u8('auth_plugin_data_len');
  r.skip(10, 'reserved');
  let part2: Buffer = Buffer.alloc(0);
  if ((capabilities & Capability.SECURE_CONNECTION) !== 0) {
    const length = Math.max(13, authDataLength - 8);
    part2 = r.bytes(length, 'auth_plugin_data_part_2');
    if (part2[part2.length - 1] === 0) part2 = part2.subarray(0, part2.length - 1);
  }
  let authPluginName = NATIVE_PASSWORD_PLUGIN;
  if ((capabilities & Capability.PLUGIN_AUTH) !== 0 && !r.atEnd()) {
    const rest = r.restBytes();
    const nul = rest.indexOf(0);
    authPluginName = rest.toString('utf8', 0, nul < 0 ? rest.length : nul);
  }
  return { serverVersion, connectionId, authPluginData: Buffer.concat([part1, part2]), capabilities, characterSet, statusFlags, authPluginName };
}

const SSL_REQUEST_LENGTH = 32;

/**
 * Decodes a HandshakeResponse41. REQUIRES: `serverCapabilities` are the capabilities the
 * server offered (the client's are masked by them). Throws HandshakeError for an
 * SSLRequest (SSL is not offered) or a pre-4.1 client, MalformedPacketError for
 * truncated or inconsistent fields.
 */
export function readHandshakeResponse(payload: Uint8Array, serverCapabilities: number): HandshakeResponse {
  const r = new PacketReader(payload);
  const clientCapabilities = r.u32('client_flag');
  if ((clientCapabilities & Capability.PROTOCOL_41) === 0) throw new HandshakeError('client does not support the 4.1 protocol');
  if ((clientCapabilities & Capability.SSL) !== 0 && payload.length === SSL_REQUEST_LENGTH) {
    throw new HandshakeError('client requested SSL, which this server does not offer');
  }
  const capabilities = (clientCapabilities & serverCapabilities) >>> 0;
  const maxPacketSize = r.u32('max_packet_size');
  const characterSet = r.u8('character_set');
  r.skip(23, 'filler');
  const user = r.nulString('username');
  let authResponse: Buffer;
  if ((capabilities & Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA) !== 0) {
    authResponse = r.lenencBytes('auth_response');
  } else if ((capabilities & Capability.SECURE_CONNECTION) !== 0) {
    const length = r.u8('auth_response_length');
    authResponse = r.bytes(length, 'auth_response');
  } else {
    authResponse = r.nulBytes('auth_response');
  }
  let database: string | undefined;
  if ((capabilities & Capability.CONNECT_WITH_DB) !== 0 && !r.atEnd()) database = r.nulString('database');
  let authPluginName: string | undefined;
  if ((capabilities & Capability.PLUGIN_AUTH) !== 0 && !r.atEnd()) authPluginName = r.nulString('client_plugin_name');
  const attributes = new Map<string, string>();
  if ((capabilities & Capability.CONNECT_ATTRS) !== 0 && !r.atEnd()) {
    const total = r.lenencInt('connect_attrs length')!;
    const end = r.offset + total;
    if (end > r.end) throw new MalformedPacketError(`connect attributes claim ${total} bytes, packet has ${r.remaining}`);
    while (r.offset < end) {
      const key = r.lenencString('connect attribute key');
      const value = r.lenencString('connect attribute value');
      attributes.set(key, value);
    }
    if (r.offset !== end) throw new MalformedPacketError('connect attributes overrun their declared length');
  }
  return { capabilities, maxPacketSize, characterSet, user, authResponse, database, authPluginName, attributes };
}

export interface HandshakeResponseInput {
  readonly capabilities: number;
  readonly maxPacketSize: number;
  readonly characterSet?: number;
  readonly user: string;
  readonly authResponse: Uint8Array;
  readonly database?: string;
  readonly authPluginName?: string;
}

export function writeHandshakeResponse(writer: PacketWriter, response: HandshakeResponseInput): void {
  const caps = response.capabilities;
  writer
    .begin()
    .u32(caps)
    .u32(response.maxPacketSize)
    .u8(response.characterSet ?? Charset.UTF8MB4_GENERAL_CI)
    .zeros(23)
    .nulString(response.user);
  if ((caps & Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA) !== 0) writer.lenencBytes(response.authResponse);
  else writer.u8(response.authResponse.length).bytes(response.authResponse);
  if ((caps & Capability.CONNECT_WITH_DB) !== 0) writer.nulString(response.database ?? '');
  if ((caps & Capability.PLUGIN_AUTH) !== 0) writer.nulString(response.authPluginName ?? NATIVE_PASSWORD_PLUGIN);
  writer.end();
}

/** AuthSwitchRequest: 0xfe, plugin name, plugin data (for mysql_native_password: the 20-byte scramble and a NUL). */
export function writeAuthSwitchRequest(writer: PacketWriter, pluginName: string, pluginData: Uint8Array): void {
  writer.begin().u8(0xfe).nulString(pluginName).bytes(pluginData).u8(0).end();
}

export function readAuthSwitchRequest(payload: Uint8Array): { pluginName: string; pluginData: Buffer } {
  const r = new PacketReader(payload);
  if (r.u8('auth switch header') !== 0xfe) throw new MalformedPacketError('auth switch request does not start with 0xfe');
  const pluginName = r.nulString('plugin name');
  let pluginData = r.restBytes();
  if (pluginData.length > 0 && pluginData[pluginData.length - 1] === 0) pluginData = pluginData.subarray(0, pluginData.length - 1);
  return { pluginName, pluginData };
}
