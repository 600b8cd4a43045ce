import type { Socket } from 'node:net';
import { type Clock, LockstepError, type TimerHandle } from '@lockstep/base';
import { PacketFramer } from '../codec/packet-framer.js';
import { PacketWriter } from '../codec/packet-writer.js';
import { ConnectionClosedError } from '../errors/connection-closed-error.js';
import { PacketsOutOfOrderError } from '../errors/packets-out-of-order-error.js';
import { WireTimeoutError } from '../errors/wire-timeout-error.js';

/**
 * The client's socket as a sequence of packets, read one at a time.
 *
 * Invariants: at most one reader waits at once; `#queued` holds packets nobody asked for
 * yet and pauses the socket once it holds `maxQueuedPackets` or `maxQueuedBytes` (so a
 * primary streaming a binlog faster than the replica consumes it is slowed by TCP, not
 * buffered here); sequence ids are checked on every packet against `#expectSeq`.
 */
export class PacketChannel {
  readonly writer = new PacketWriter(1024);
  readonly #socket: Socket;
  readonly #framer: PacketFramer;
  readonly #clock: Clock;
  readonly #maxQueuedPackets: number;
  readonly #maxQueuedBytes: number;
  #queued: Buffer[] = [];
  #queuedBytes = 0;
  #paused = false;
  #waiter: { resolve: (p: Buffer) => void; reject: (e: unknown) => void; timer: TimerHandle | undefined } | undefined;
  #failure: unknown;
  #expectSeq = 0;

  constructor(socket: Socket, options: { maxPacketBytes: number; maxQueuedPackets: number; maxQueuedBytes: number; clock: Clock }) {
    this.#socket = socket;
    this.#clock = options.clock;
    this.#maxQueuedPackets = options.maxQueuedPackets;
    this.#maxQueuedBytes = options.maxQueuedBytes;
    this.#framer = new PacketFramer(options.maxPacketBytes, (payload, seq, lastSeq) => {
      this.#onPacket(payload, seq, lastSeq);
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      try {
        this.#framer.push(chunk);
      } catch (error) {
        this.#fail(error);
        socket.destroy();
      }
    });
    socket.on('error', (error) => {
      this.#fail(new ConnectionClosedError(error.message, error));
    });
    socket.on('close', () => {
      this.#fail(new ConnectionClosedError('the server closed the connection'));
    });
  }

  get closed(): boolean {
    return this.#failure !== undefined;
  }

  #onPacket(payload: Buffer, seq: number, lastSeq: number): void {
    if (seq !== this.#expectSeq) {
      this.#fail(new PacketsOutOfOrderError(this.#expectSeq, seq));
      this.#socket.destroy();
      return;
    }
    this.#expectSeq = (lastSeq + 1) & 0xff;
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter.timer?.cancel();
      waiter.resolve(payload);
      return;
    }
    this.#queued.push(payload);
    this.#queuedBytes += payload.length;
    if (!this.#paused && (this.#queued.length >= this.#maxQueuedPackets || this.#queuedBytes >= this.#maxQueuedBytes)) {
      this.#paused = true;
      this.#socket.pause();
    }
  }

  #fail(error: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter !== undefined) {
      waiter.timer?.cancel();
      waiter.reject(error);
    }
  }

  /** Sets the sequence id the next incoming packet must carry (after sending a command). */
  expect(seq: number): void {
    this.#expectSeq = seq & 0xff;
  }

  /** The next packet; rejects with WireTimeoutError after `timeoutMs` (if given) or the connection's failure. */
  read(timeoutMs?: number, what = 'read'): Promise<Buffer> {
    const next = this.#queued.shift();
    if (next !== undefined) {
      this.#queuedBytes -= next.length;
      if (this.#paused && this.#queued.length < this.#maxQueuedPackets / 2 && this.#queuedBytes < this.#maxQueuedBytes / 2) {
        this.#paused = false;
        this.#socket.resume();
      }
      return Promise.resolve(next);
    }
    if (this.#failure !== undefined) return Promise.reject(toError(this.#failure));
    if (this.#waiter !== undefined) return Promise.reject(new Error('PacketChannel: a read is already waiting'));
    return new Promise((resolve, reject) => {
      const timer =
        timeoutMs === undefined
          ? undefined
          : this.#clock.setTimer(timeoutMs, () => {
              this.#fail(new WireTimeoutError(what, timeoutMs));
              this.#socket.destroy();
            });
      this.#waiter = { resolve, reject, timer };
    });
  }

  /** Sends what the writer holds; the next packet expected is the writer's next sequence id. */
  flush(): void {
    this.#expectSeq = this.writer.sequenceId;
    const bytes = this.writer.take();
    if (this.#failure !== undefined) throw toError(this.#failure);
    this.#socket.write(bytes);
  }

  end(): void {
    this.#socket.end();
  }

  /** Fails every read with `error` and closes the socket. */
  abort(error: unknown): void {
    this.#fail(error);
    this.#socket.destroy();
  }

  destroy(): void {
    this.#fail(new ConnectionClosedError('closed by the client'));
    this.#socket.destroy();
  }
}

function toError(failure: unknown): Error {
  return failure instanceof LockstepError || failure instanceof Error ? failure : new Error(String(failure));
}
