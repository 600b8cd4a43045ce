import type { SqlSession } from '@lockstep/sql';
import type { BinlogStatementRunner } from './binlog-statement.js';

/** One client connection as SHOW PROCESSLIST and KILL see it. */
export interface ConnectionEntry {
  readonly id: number;
  readonly user: string;
  readonly host: string;
  readonly session: SqlSession;
  /** MariaDB's Command column: Sleep, Query, Execute, Prepare. */
  command: 'Sleep' | 'Query' | 'Execute' | 'Prepare' | 'Binlog Dump';
  /** What runs now (MariaDB's State column). */
  state: string;
  /** The statement text while one runs. */
  info: string | undefined;
  /** When the current command (or the idle period) started. */
  sinceMs: number;
  /** BINLOG statements' decoder state (format description, table maps), made on the first one. */
  binlog: BinlogStatementRunner | undefined;
  /** The session's close, once started (the connection ended or the server stops). */
  closing: Promise<void> | undefined;
}

/** The open client connections by id, and how many statements are running right now. */
export class ConnectionTable {
  readonly #entries = new Map<number, ConnectionEntry>();
  /** Session closes still running (a stop waits for them). */
  readonly closing = new Set<Promise<void>>();
  #running = 0;
  #idleWaiters: (() => void)[] = [];

  add(entry: ConnectionEntry): void {
    this.#entries.set(entry.id, entry);
  }

  get(id: number): ConnectionEntry | undefined {
    return this.#entries.get(id);
  }

  remove(id: number): void {
    this.#entries.delete(id);
  }

  list(): ConnectionEntry[] {
    return [...this.#entries.values()];
  }

  get size(): number {
    return this.#entries.size;
  }

  get running(): number {
    return this.#running;
  }

  begin(entry: ConnectionEntry, command: ConnectionEntry['command'], info: string): void {
    entry.command = command;
    entry.state = 'executing';
    entry.info = info;
    entry.sinceMs = Date.now();
    this.#running += 1;
  }

  end(entry: ConnectionEntry): void {
    entry.command = 'Sleep';
    entry.state = '';
    entry.info = undefined;
    entry.sinceMs = Date.now();
    this.#running -= 1;
    if (this.#running === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** Resolves true once no statement runs, false if that took longer than `timeoutMs`. */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.#running === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#idleWaiters = this.#idleWaiters.filter((w) => w !== wake);
        resolve(false);
      }, timeoutMs);
      const wake = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#idleWaiters.push(wake);
    });
  }
}
