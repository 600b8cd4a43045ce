/** Every bound the server keeps, with MySQL's name for it where there is one. */
export interface WireLimits {
  /** max_connections: the next client gets ERR 1040 as its first packet. Default 151. */
  readonly maxConnections: number;
  /** connect_timeout: from accept to authenticated; then ERR 1159 (or just close) . Default 10 s. */
  readonly handshakeTimeoutMs: number;
  /** wait_timeout: a connection idle in command phase this long is closed. Default 8 h. */
  readonly idleTimeoutMs: number;
  /** max_allowed_packet: a larger payload gets ERR 1153 and the connection closes; checked before buffering. Default 64 MiB. */
  readonly maxPacketBytes: number;
  /** Prepared statements one connection may hold (ERR 1461 beyond). Default 1024. */
  readonly maxPreparedStatements: number;
  /** Commands a client may send ahead of answers (pipelining) before it is cut off. Default 64. */
  readonly maxQueuedCommands: number;
  /** COM_STMT_SEND_LONG_DATA bytes per statement (max_long_data_size). Default: maxPacketBytes. */
  readonly maxLongDataBytes: number;
}

export const DEFAULT_WIRE_LIMITS: WireLimits = {
  maxConnections: 151,
  handshakeTimeoutMs: 10_000,
  idleTimeoutMs: 28_800_000,
  maxPacketBytes: 64 * 1024 * 1024,
  maxPreparedStatements: 1024,
  maxQueuedCommands: 64,
  maxLongDataBytes: 64 * 1024 * 1024,
};

export function resolveLimits(limits: Partial<WireLimits> | undefined): WireLimits {
  const merged = { ...DEFAULT_WIRE_LIMITS, ...limits };
  if (limits?.maxLongDataBytes === undefined) merged.maxLongDataBytes = merged.maxPacketBytes;
  for (const [name, value] of Object.entries(merged)) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`limit ${name} must be a finite number >= 0, got ${value}`);
  }
  return merged;
}
