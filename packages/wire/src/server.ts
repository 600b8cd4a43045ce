import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { type Clock, type TimerHandle, systemClock } from '@lockstep/base';
import { Capability } from './constants.js';
import { TooManyConnectionsError } from './errors/too-many-connections-error.js';
import type { WireHandler, WireSession } from './handler.js';
import { type ConnectionHost, ServerConnection } from './internal/server-connection.js';
import { type WireLimits, resolveLimits } from './limits.js';
import { type WireUsers, resolveUsers } from './users.js';

export interface WireServerOptions {
  readonly handler: WireHandler;
  readonly users: WireUsers;
  readonly limits?: Partial<WireLimits>;
  /** Sent in the handshake. MariaDB-aware clients look for the '5.5.5-' prefix and 'MariaDB'. */
  readonly serverVersion?: string;
  readonly clock?: Clock;
  /** First connection id handed out (then +1 per connection). Default 1. */
  readonly firstConnectionId?: number;
  /**
   * Told when a connection is closed for a protocol violation or a limit (the error that
   * was sent as ERR): what MariaDB logs as "Aborted connection". Must not throw.
   */
  readonly onConnectionAborted?: (connectionId: number, error: unknown) => void;
}

/** The capabilities the server offers. SSL and compression are not offered. */
export const SERVER_CAPABILITIES =
  Capability.LONG_PASSWORD |
  Capability.FOUND_ROWS |
  Capability.LONG_FLAG |
  Capability.CONNECT_WITH_DB |
  Capability.NO_SCHEMA |
  Capability.ODBC |
  Capability.IGNORE_SPACE |
  Capability.PROTOCOL_41 |
  Capability.INTERACTIVE |
  Capability.IGNORE_SIGPIPE |
  Capability.TRANSACTIONS |
  Capability.SECURE_CONNECTION |
  Capability.MULTI_STATEMENTS |
  Capability.MULTI_RESULTS |
  Capability.PS_MULTI_RESULTS |
  Capability.PLUGIN_AUTH |
  Capability.CONNECT_ATTRS |
  Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA |
  Capability.DEPRECATE_EOF;

export const DEFAULT_SERVER_VERSION = '5.5.5-10.11.0-MariaDB-Lockstep';

/** A summary of one open connection (what SHOW PROCESSLIST needs from this layer). */
export interface WireConnectionInfo {
  readonly connectionId: number;
  readonly phase: string;
  readonly session: WireSession | undefined;
}

/**
 * A MySQL-protocol server over node:net. Create with `createWireServer`, then `listen`.
 * Invariants: `connectionCount` ≤ limits.maxConnections (+1 transiently while refusing);
 * every accepted socket is in `#connections` until its 'close'.
 */
export class WireServer {
  readonly limits: WireLimits;
  readonly #server: Server;
  readonly #host: ConnectionHost;
  readonly #connections = new Map<number, ServerConnection>();
  readonly #clock: Clock;
  readonly #startedMs: number;
  #nextId: number;
  #questions = 0;
  #sweepTimer: TimerHandle | undefined;
  #closed = false;

  constructor(options: WireServerOptions) {
    this.limits = resolveLimits(options.limits);
    this.#clock = options.clock ?? systemClock;
    this.#startedMs = this.#clock.now();
    this.#nextId = options.firstConnectionId ?? 1;
    const lookupUser = resolveUsers(options.users);
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the host object forwards to this server's private state
    const server = this;
    this.#host = {
      handler: options.handler,
      limits: this.limits,
      lookupUser,
      serverVersion: options.serverVersion ?? DEFAULT_SERVER_VERSION,
      capabilities: SERVER_CAPABILITIES,
      clock: this.#clock,
      statistics: () => server.#statistics(),
      kill: (id) => server.kill(id),
      countQuestion: () => {
        server.#questions += 1;
      },
      closed: (connection) => {
        server.#connections.delete(connection.id);
      },
      aborted: (id, error) => {
        try {
          options.onConnectionAborted?.(id, error);
        } catch {
          // A failing observer must not take the server down.
        }
      },
    };
    this.#server = createServer((socket) => {
      this.#accept(socket);
    });
    this.#server.on('error', () => {
      // Listen errors reach the caller through listen()'s promise.
    });
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Commands received since start (COM_STATISTICS "Questions"). */
  get questions(): number {
    return this.#questions;
  }

  connections(): WireConnectionInfo[] {
    return [...this.#connections.values()].map((c) => ({ connectionId: c.id, phase: c.phase, session: c.session }));
  }

  /** Starts listening; resolves with the bound port (pass port 0 for a free one). */
  listen(port = 0, host = '127.0.0.1'): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => {
        reject(error);
      };
      this.#server.once('error', onError);
      this.#server.listen(port, host, () => {
        this.#server.off('error', onError);
        this.#scheduleSweep();
        resolve(this.#server.address() as AddressInfo);
      });
    });
  }

  address(): AddressInfo {
    return this.#server.address() as AddressInfo;
  }

  /** Closes connection `id` (KILL). Returns false when there is no such connection. */
  kill(id: number): boolean {
    const connection = this.#connections.get(id);
    if (connection === undefined) return false;
    connection.destroy();
    return true;
  }

  /** Stops accepting, closes every connection, resolves when the listener is closed. */
  close(): Promise<void> {
    this.#closed = true;
    this.#sweepTimer?.cancel();
    for (const connection of this.#connections.values()) connection.destroy();
    return new Promise((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
  }

  #accept(socket: Socket): void {
    const id = this.#nextId;
    this.#nextId = this.#nextId >= 0xffffffff ? 1 : this.#nextId + 1;
    const connection = new ServerConnection(id, socket, this.#host);
    this.#connections.set(id, connection);
    if (this.#closed) {
      connection.destroy();
      return;
    }
    if (this.#connections.size > this.limits.maxConnections) {
      connection.refuse(new TooManyConnectionsError(this.limits.maxConnections));
      return;
    }
    connection.start();
  }

  /** One timer for all connections: checks handshake and idle deadlines a few times per bound. */
  #scheduleSweep(): void {
    if (this.#closed) return;
    const smallest = Math.min(this.limits.handshakeTimeoutMs, this.limits.idleTimeoutMs);
    const periodMs = Math.max(5, Math.min(1_000, smallest / 4));
    this.#sweepTimer = this.#clock.setTimer(periodMs, () => {
      const now = this.#clock.now();
      for (const connection of this.#connections.values()) connection.checkTimeouts(now);
      this.#scheduleSweep();
    });
  }

  #statistics(): string {
    const uptimeS = Math.floor((this.#clock.now() - this.#startedMs) / 1000);
    return `Uptime: ${uptimeS}  Threads: ${this.#connections.size}  Questions: ${this.#questions}  Slow queries: 0  Opens: 0  Open tables: 0  Queries per second avg: ${uptimeS > 0 ? (this.#questions / uptimeS).toFixed(3) : '0.000'}`;
  }
}

/** Creates a server; call `listen()` on it. */
export function createWireServer(options: WireServerOptions): WireServer {
  return new WireServer(options);
}
