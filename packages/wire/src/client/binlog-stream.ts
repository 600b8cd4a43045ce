import { type Clock, systemClock } from '@lockstep/base';
import { ConnectionClosedError } from '../errors/connection-closed-error.js';
import { PacketsOutOfOrderError } from '../errors/packets-out-of-order-error.js';
import { ReconnectExhaustedError } from '../errors/reconnect-exhausted-error.js';
import { ServerError } from '../errors/server-error.js';
import { WireTimeoutError } from '../errors/wire-timeout-error.js';
import { type BinlogDumpOptions, WireClient, type WireClientOptions } from './wire-client.js';

export interface ReconnectPolicy {
  /** First wait after a failure; doubles each further failure. Default 100 ms. */
  readonly initialDelayMs?: number;
  /** Longest wait between attempts. Default 5 s. */
  readonly maxDelayMs?: number;
  /** Consecutive failed attempts before giving up with ReconnectExhaustedError. Default 10. */
  readonly maxAttempts?: number;
}

export interface BinlogStreamOptions {
  readonly connection: WireClientOptions;
  /**
   * The dump to request. A function is called before every (re)connect: in GTID mode it
   * must return the state the consumer has applied, so a reconnect resumes there. A plain
   * object in 'file' mode resumes from the position this stream tracked.
   */
  readonly dump: BinlogDumpOptions | ((attempt: number) => BinlogDumpOptions);
  readonly reconnect?: ReconnectPolicy;
  readonly clock?: Clock;
  /** Told about each reconnect (for logs and metrics). */
  readonly onReconnect?: (attempt: number, error: unknown) => void;
}

/** Binlog file and position of the end of the last event received (file mode). */
export interface BinlogPosition {
  readonly file: string;
  readonly position: bigint;
}

const ROTATE_EVENT = 4;
const FORMAT_DESCRIPTION_EVENT = 15;
const EVENT_HEADER_BYTES = 19;
const ARTIFICIAL_FLAG = 0x20;

/** Errors after which reconnecting can help: the network, timeouts, a server that is full or restarting. */
function isRetryable(error: unknown): boolean {
  if (error instanceof ConnectionClosedError || error instanceof WireTimeoutError || error instanceof PacketsOutOfOrderError) return true;
  if (error instanceof ServerError) return error.errno === 1040 || error.errno === 1159 || error.errno === 1053;
  return false;
}

/**
 * A replica's binlog connection that survives disconnects: an async iterator of events
 * (each a whole binlog event, header first, without the protocol's OK byte) that
 * reconnects with exponential backoff after a retryable failure and resumes where the
 * consumer is. Non-retryable server errors (1236: cannot read the binlog, 1045) end
 * iteration with that ServerError. `close()` ends iteration cleanly.
 */
export class BinlogStream implements AsyncIterable<Buffer> {
  readonly #options: BinlogStreamOptions;
  readonly #clock: Clock;
  #client: WireClient | undefined;
  #closed = false;
  #reconnects = 0;
  #position: BinlogPosition | undefined;
  #crc = false;

  constructor(options: BinlogStreamOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    const dump = options.dump;
    if (typeof dump !== 'function' && dump.mode === 'file') {
      this.#position = { file: dump.file ?? '', position: BigInt(dump.position ?? 4) };
    }
  }

  /** Reconnections made so far. */
  get reconnects(): number {
    return this.#reconnects;
  }

  /** Where the next event starts (file mode; tracked from events' log_pos and ROTATE events). */
  get position(): BinlogPosition | undefined {
    return this.#position;
  }

  #dumpOptions(attempt: number): BinlogDumpOptions {
    const dump = this.#options.dump;
    if (typeof dump === 'function') return dump(attempt);
    if (dump.mode === 'file' && this.#position !== undefined) return { ...dump, file: this.#position.file, position: this.#position.position };
    return dump;
  }

  #track(event: Buffer): void {
    if (event.length < EVENT_HEADER_BYTES) return;
    const type = event[4]!;
    const logPos = event.readUInt32LE(13);
    const flags = event.readUInt16LE(17);
    if (type === FORMAT_DESCRIPTION_EVENT && event.length >= EVENT_HEADER_BYTES + 5) {
      this.#crc = event[event.length - 5] === 1;
    }
    if (type === ROTATE_EVENT && event.length >= EVENT_HEADER_BYTES + 8) {
      const end = event.length - (this.#crc ? 4 : 0);
      const file = event.toString('utf8', EVENT_HEADER_BYTES + 8, end);
      this.#position = { file, position: event.readBigUInt64LE(EVENT_HEADER_BYTES) };
      return;
    }
    if (logPos !== 0 && (flags & ARTIFICIAL_FLAG) === 0 && this.#position !== undefined) {
      this.#position = { file: this.#position.file, position: BigInt(logPos) };
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    const policy = this.#options.reconnect ?? {};
    const initialDelayMs = policy.initialDelayMs ?? 100;
    const maxDelayMs = policy.maxDelayMs ?? 5_000;
    const maxAttempts = policy.maxAttempts ?? 10;
    let failures = 0;
    let attempt = 0;
    while (!this.#closed) {
      let received = false;
      try {
        const client = await WireClient.connect(this.#options.connection);
        this.#client = client;
        if (this.#isClosed()) break;
        const events = await client.binlogDump(this.#dumpOptions(attempt));
        this.#crc = client.dumpChecksum === 'CRC32';
        for await (const event of events) {
          if (!received) {
            received = true;
            failures = 0;
          }
          this.#track(event);
          yield event;
          if (this.#isClosed()) return;
        }
        return; // EOF: a non-blocking dump reached the end of the log
      } catch (error) {
        if (this.#isClosed()) return;
        if (!isRetryable(error)) throw error;
        failures = received ? 1 : failures + 1;
        if (failures > maxAttempts) throw new ReconnectExhaustedError(maxAttempts, error);
        attempt += 1;
        this.#reconnects += 1;
        this.#options.onReconnect?.(attempt, error);
        const delay = Math.min(maxDelayMs, initialDelayMs * 2 ** (failures - 1));
        await this.#clock.sleep(delay);
      } finally {
        await this.#client?.close();
        this.#client = undefined;
      }
    }
  }

  /** A method, not the field, so checks after an await are not narrowed away. */
  #isClosed(): boolean {
    return this.#closed;
  }

  /** Stops the stream: the iterator ends without an error. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#client?.close();
  }
}

export function openBinlogStream(options: BinlogStreamOptions): BinlogStream {
  return new BinlogStream(options);
}
