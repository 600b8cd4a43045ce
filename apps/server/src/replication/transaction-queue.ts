// The bounded hand-off between the replica's I/O task and its applier (in memory).
import type { BinlogEvent } from '@lockstep/binlog';
import type { ReplicatedTransaction } from '@lockstep/replication';

type Txn = ReplicatedTransaction<BinlogEvent>;

/**
 * A FIFO of received transactions bounded by count and bytes (one transaction larger than
 * the byte bound is still let in alone). `push` waits for room; `iterate` yields until
 * `close()`.
 */
export class TransactionQueue {
  readonly #items: Txn[] = [];
  #head = 0;
  #bytes = 0;
  #closed = false;
  #roomWaiters: (() => void)[] = [];
  #itemWaiter: (() => void) | undefined;

  constructor(
    readonly maxTransactions: number,
    readonly maxBytes: number,
  ) {}

  get size(): number {
    return this.#items.length - this.#head;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** False when the queue was closed or `signal` aborted before there was room. */
  async push(t: Txn, signal: AbortSignal): Promise<boolean> {
    while (!this.#closed && !signal.aborted && this.size > 0 && (this.size >= this.maxTransactions || this.#bytes + t.byteSize > this.maxBytes)) {
      await new Promise<void>((resolve) => {
        this.#roomWaiters.push(resolve);
      });
    }
    if (this.#closed || signal.aborted) return false;
    this.#items.push(t);
    this.#bytes += t.byteSize;
    const w = this.#itemWaiter;
    this.#itemWaiter = undefined;
    w?.();
    return true;
  }

  /** Wakes a waiting `push` so it can see its abort signal. */
  interrupt(): void {
    const waiters = this.#roomWaiters;
    this.#roomWaiters = [];
    for (const w of waiters) w();
  }

  close(): void {
    this.#closed = true;
    this.interrupt();
    const w = this.#itemWaiter;
    this.#itemWaiter = undefined;
    w?.();
  }

  async *iterate(): AsyncGenerator<Txn, void, undefined> {
    for (;;) {
      if (this.#closed) return;
      if (this.size === 0) {
        await new Promise<void>((resolve) => {
          this.#itemWaiter = resolve;
        });
        continue;
      }
      const t = this.#items[this.#head]!;
      this.#items[this.#head] = undefined as unknown as Txn;
      this.#head += 1;
      if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
        this.#items.splice(0, this.#head);
        this.#head = 0;
      }
      this.#bytes -= t.byteSize;
      this.interrupt();
      yield t;
    }
  }
}
