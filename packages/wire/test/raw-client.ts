import { connect, type Socket } from 'node:net';
import {
  Capability,
  NATIVE_PASSWORD_PLUGIN,
  PacketFramer,
  PacketWriter,
  readHandshakeV10,
  scrambleNativePassword,
  writeHandshakeResponse,
  type HandshakeV10,
} from '../src/index.js';

export interface RawPacket {
  readonly payload: Buffer;
  readonly seq: number;
}

/**
 * A hand-driven client for tests: sends exact bytes and reads packets one by one, to
 * check what the server answers to malformed, out-of-order or unusual input.
 */
export class RawClient {
  readonly socket: Socket;
  readonly #packets: RawPacket[] = [];
  #waiter: (() => void) | undefined;
  #closed = false;
  readonly closedPromise: Promise<void>;

  private constructor(socket: Socket) {
    this.socket = socket;
    const framer = new PacketFramer(1 << 30, (payload, seq) => {
      this.#packets.push({ payload: Buffer.from(payload), seq });
      this.#wake();
    });
    socket.on('data', (chunk: Buffer) => {
      framer.push(chunk);
    });
    socket.on('error', () => undefined);
    this.closedPromise = new Promise((resolve) => {
      socket.on('close', () => {
        this.#closed = true;
        this.#wake();
        resolve();
      });
    });
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.();
  }

  static async connect(port: number): Promise<RawClient> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.setNoDelay(true);
    return new RawClient(socket);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The next packet, or undefined once the server closed and nothing is left. */
  async read(): Promise<RawPacket | undefined> {
    for (;;) {
      const next = this.#packets.shift();
      if (next !== undefined) return next;
      if (this.#closed) return undefined;
      await new Promise<void>((resolve) => {
        this.#waiter = resolve;
      });
    }
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Frames `payload` with `seq` and sends it. */
  send(payload: Uint8Array, seq: number): void {
    const w = new PacketWriter();
    w.reset(seq);
    w.begin().bytes(payload).end();
    this.write(w.take());
  }

  /** Reads the handshake and answers it with mysql_native_password (or another plugin name). */
  async login(user: string, password: string, options: { plugin?: string; capabilities?: number; database?: string } = {}): Promise<{ handshake: HandshakeV10; reply: RawPacket }> {
    const first = await this.read();
    if (first === undefined) throw new Error('no handshake');
    const handshake = readHandshakeV10(first.payload);
    const plugin = options.plugin ?? NATIVE_PASSWORD_PLUGIN;
    const w = new PacketWriter();
    w.reset(1);
    writeHandshakeResponse(w, {
      capabilities:
        options.capabilities ??
        (Capability.PROTOCOL_41 | Capability.SECURE_CONNECTION | Capability.PLUGIN_AUTH | Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA | Capability.LONG_PASSWORD | (options.database === undefined ? 0 : Capability.CONNECT_WITH_DB)),
      maxPacketSize: 1 << 24,
      user,
      authResponse: plugin === NATIVE_PASSWORD_PLUGIN ? scrambleNativePassword(password, handshake.authPluginData) : Buffer.alloc(32, 7),
      ...(options.database === undefined ? {} : { database: options.database }),
      authPluginName: plugin,
    });
    this.write(w.take());
    const reply = await this.read();
    if (reply === undefined) throw new Error('closed during login');
    return { handshake, reply };
  }

  /** Sends a command (sequence id 0) and returns its first answer packet. */
  async command(payload: Uint8Array, seq = 0): Promise<RawPacket | undefined> {
    this.send(payload, seq);
    return this.read();
  }

  close(): void {
    this.socket.destroy();
  }
}

export function errOf(packet: RawPacket | undefined): { errno: number; sqlState: string; message: string } | undefined {
  if (packet?.payload[0] !== 0xff) return undefined;
  return { errno: packet.payload.readUInt16LE(1), sqlState: packet.payload.toString('latin1', 4, 9), message: packet.payload.toString('utf8', 9) };
}
