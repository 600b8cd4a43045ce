import { invariant } from '@lockstep/base';
import type { ScheduledTransaction } from './scheduled-transaction.js';

/**
 * A worker's bounded FIFO of dispatched transactions. The reader waits for room; the
 * worker waits for work. Bounds: `maxBytes` (one transaction larger than the bound is
 * admitted into an empty queue, else it could never run) and `maxTransactions`.
 *
 * Invariants: items leave in the order they entered; `bytes` is the sum of queued sizes;
 * each wait has one owner (one reader, one worker) and is woken by `close()`.
 */
export class WorkerQueue<E> {
  readonly maxBytes: number;
  readonly maxTransactions: number;
  #items: ScheduledTransaction<E>[] = [];
  #head = 0;
  #bytes = 0;
  #closed = false;
  #wakeTaker: (() => void) | undefined;
  #wakeRoom: (() => void) | undefined;

  constructor(maxBytes: number, maxTransactions: number) {
    this.maxBytes = maxBytes;
    this.maxTransactions = maxTransactions;
  }

  get length(): number {
    return this.#items.length - this.#head;
  }

  get bytes(): number {
    return this.#bytes;
  }

  hasRoom(byteSize: number): boolean {
    if (this.length === 0) return true;
    return this.length < this.maxTransactions && this.#bytes + byteSize <= this.maxBytes;
  }

  /** Resolves when `byteSize` fits, or when the queue is closed. One waiter at a time (the reader). */
  async waitForRoom(byteSize: number): Promise<void> {
    while (!this.#closed && !this.hasRoom(byteSize)) {
      invariant(this.#wakeRoom === undefined, 'two readers wait for room in one worker queue');
      await new Promise<void>((resolve) => {
        this.#wakeRoom = resolve;
      });
    }
  }

  push(item: ScheduledTransaction<E>): void {
    invariant(!this.#closed, 'push into a closed worker queue');
    this.#items.push(item);
    this.#bytes += item.transaction.byteSize;
    const wake = this.#wakeTaker;
    this.#wakeTaker = undefined;
    wake?.();
  }

  /** The next item, or undefined once the queue is closed and empty. One taker (the worker). */
  async take(): Promise<ScheduledTransaction<E> | undefined> {
    while (this.length === 0) {
      if (this.#closed) return undefined;
      invariant(this.#wakeTaker === undefined, 'two workers take from one queue');
      await new Promise<void>((resolve) => {
        this.#wakeTaker = resolve;
      });
    }
    const item = this.#items[this.#head]!;
    this.#items[this.#head] = undefined as unknown as ScheduledTransaction<E>;
    this.#head += 1;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** The item taken last has finished: its bytes leave the bound. */
  release(item: ScheduledTransaction<E>): void {
    this.#bytes -= item.transaction.byteSize;
    const wake = this.#wakeRoom;
    this.#wakeRoom = undefined;
    wake?.();
  }

  /** No more pushes; wakes both waiters. Items already queued are still taken. */
  close(): void {
    this.#closed = true;
    const taker = this.#wakeTaker;
    const room = this.#wakeRoom;
    this.#wakeTaker = undefined;
    this.#wakeRoom = undefined;
    taker?.();
    room?.();
  }
}
