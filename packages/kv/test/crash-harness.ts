import { setImmediate as nextTurn } from 'node:timers/promises';
import { FileSystemError, isLockstepError, type FileHandle, type FileStat, type FileSystem, type OpenOptions, type Random } from '@lockstep/base';
import { expect } from 'vitest';
import type { KvStore, WriteOp } from '../src/index.js';

/**
 * A FileSystem wrapper standing for one process: `kill()` makes every later call by that
 * process fail, so an engine abandoned at a crash can never touch the disk again.
 */
export class ProcessFileSystem implements FileSystem {
  readonly #inner: FileSystem;
  #dead = false;

  constructor(inner: FileSystem) {
    this.#inner = inner;
  }

  kill(): void {
    this.#dead = true;
  }

  check(operation: FileSystemError['operation'], path: string): void {
    if (this.#dead) throw new FileSystemError('EIO', operation, path, { detail: 'process is dead' });
  }

  async open(path: string, options?: OpenOptions): Promise<FileHandle> {
    this.check('open', path);
    const handle = await this.#inner.open(path, options);
    return new ProcessFileHandle(this, handle);
  }

  readFile(path: string): Promise<Uint8Array> {
    return this.#call('readFile', path, () => this.#inner.readFile(path));
  }

  writeFile(path: string, data: Uint8Array): Promise<void> {
    return this.#call('writeFile', path, () => this.#inner.writeFile(path, data));
  }

  rename(from: string, to: string): Promise<void> {
    return this.#call('rename', from, () => this.#inner.rename(from, to));
  }

  unlink(path: string): Promise<void> {
    return this.#call('unlink', path, () => this.#inner.unlink(path));
  }

  readdir(dir: string): Promise<string[]> {
    return this.#call('readdir', dir, () => this.#inner.readdir(dir));
  }

  mkdir(dir: string, options?: { readonly recursive?: boolean }): Promise<void> {
    return this.#call('mkdir', dir, () => this.#inner.mkdir(dir, options));
  }

  stat(path: string): Promise<FileStat> {
    return this.#call('stat', path, () => this.#inner.stat(path));
  }

  exists(path: string): Promise<boolean> {
    return this.#call('stat', path, () => this.#inner.exists(path));
  }

  syncDir(dir: string): Promise<void> {
    return this.#call('syncDir', dir, () => this.#inner.syncDir(dir));
  }

  rm(path: string, options?: { readonly recursive?: boolean; readonly force?: boolean }): Promise<void> {
    return this.#call('rm', path, () => this.#inner.rm(path, options));
  }

  async #call<T>(operation: FileSystemError['operation'], path: string, body: () => Promise<T>): Promise<T> {
    this.check(operation, path);
    return body();
  }
}

class ProcessFileHandle implements FileHandle {
  readonly path: string;
  readonly #process: ProcessFileSystem;
  readonly #inner: FileHandle;

  constructor(process: ProcessFileSystem, inner: FileHandle) {
    this.#process = process;
    this.#inner = inner;
    this.path = inner.path;
  }

  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    return this.#call('read', () => this.#inner.read(buffer, offset, length, position));
  }

  write(data: Uint8Array, position: number): Promise<void> {
    return this.#call('write', () => this.#inner.write(data, position));
  }

  append(data: Uint8Array): Promise<number> {
    return this.#call('append', () => this.#inner.append(data));
  }

  sync(): Promise<void> {
    return this.#call('sync', () => this.#inner.sync());
  }

  datasync(): Promise<void> {
    return this.#call('datasync', () => this.#inner.datasync());
  }

  truncate(length: number): Promise<void> {
    return this.#call('truncate', () => this.#inner.truncate(length));
  }

  size(): Promise<number> {
    return this.#call('size', () => this.#inner.size());
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  async #call<T>(operation: FileSystemError['operation'], body: () => Promise<T>): Promise<T> {
    this.#process.check(operation, this.path);
    return body();
  }
}

// ---- histories ----------------------------------------------------------------------

type HistoryEvent =
  | { readonly kind: 'batch'; readonly seq: number; readonly ops: readonly WriteOp[]; readonly position: Uint8Array | undefined }
  | { readonly kind: 'prepare'; readonly xid: bigint; readonly ops: readonly WriteOp[] }
  | { readonly kind: 'commit'; readonly xid: bigint; readonly seq: number; readonly position: Uint8Array | undefined }
  | { readonly kind: 'rollback'; readonly xid: bigint };

const encoder = new TextEncoder();
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/**
 * Everything a history applied, in log order, and the newest event an acknowledgement
 * promised durable. Events are recorded only when the engine applied them inside the call
 * (detected by the sequence or the prepared set changing synchronously).
 */
export class History {
  readonly events: HistoryEvent[] = [];
  durableIndex = -1;
  readonly errors: unknown[] = [];
  /** XIDs are unique across the whole history (all lives). */
  nextXid = 1n;

  ack(index: number): void {
    if (index > this.durableIndex) this.durableIndex = index;
  }

  /** Map of key → value after the events with index <= `upTo`, and the prepared set then. */
  replay(upTo: number): { state: Map<string, string>; prepared: Map<bigint, readonly WriteOp[]>; position: Uint8Array | undefined } {
    const state = new Map<string, string>();
    const prepared = new Map<bigint, readonly WriteOp[]>();
    let position: Uint8Array | undefined;
    const apply = (ops: readonly WriteOp[]): void => {
      for (const op of ops) {
        if (op.type === 'put') state.set(hex(op.key), hex(op.value));
        else state.delete(hex(op.key));
      }
    };
    for (let i = 0; i <= upTo && i < this.events.length; i++) {
      const e = this.events[i]!;
      if (e.kind === 'batch') {
        apply(e.ops);
        if (e.position !== undefined) position = e.position;
      } else if (e.kind === 'prepare') {
        prepared.set(e.xid, e.ops);
      } else if (e.kind === 'commit') {
        apply(prepared.get(e.xid)!);
        prepared.delete(e.xid);
        if (e.position !== undefined) position = e.position;
      } else {
        prepared.delete(e.xid);
      }
    }
    return { state, prepared, position };
  }
}

function lastSeq(db: KvStore): number {
  return Number(db.stats().lastSequence);
}

function randomOps(random: Random): WriteOp[] {
  const ops: WriteOp[] = [];
  const n = random.int(1, 6);
  for (let i = 0; i < n; i++) {
    const key = encoder.encode(`k${String(random.int(0, 40)).padStart(2, '0')}`);
    if (random.bool(0.2)) ops.push({ type: 'delete', key });
    else ops.push({ type: 'put', key, value: random.bytes(random.int(0, 40)) });
  }
  return ops;
}

export interface HistoryOptions {
  readonly clients: number;
  readonly stepsPerClient: number;
  /** Stop issuing operations once this returns true (the process is dead or failed). */
  readonly stopped: () => boolean;
}

/** Expected failures once the disk fails or the process dies: typed, never anything else. */
function expectTypedFailure(error: unknown): void {
  expect(isLockstepError(error), `untyped error: ${String(error)}`).toBe(true);
  expect(['KV_IO_ERROR', 'KV_CLOSED']).toContain((error as { code: string }).code);
}

/**
 * Runs `clients` concurrent tasks of random operations: writes (async, synced or not,
 * some with coordinator positions), ordered writes, prepares, commits and rollbacks of
 * prepared XIDs, flushes, checkpoints and reads checked against the history.
 */
export async function runHistory(db: KvStore, random: Random, history: History, options: HistoryOptions): Promise<void> {
  // Prepared XIDs recovered from an earlier life can be resolved in this one.
  const open = new Map<bigint, true>(db.recoverPrepared().map((p) => [p.xid, true]));
  let positions = 0;
  const record = (event: HistoryEvent): number => history.events.push(event) - 1;

  const step = async (): Promise<void> => {
    const r = random.next();
    const position = random.bool(0.3) ? encoder.encode(`pos-${++positions}`) : undefined;
    if (r < 0.3) {
      const ops = randomOps(random);
      const sync = random.bool(0.5);
      const before = lastSeq(db);
      const promise = db.write(ops, position === undefined ? { sync } : { sync, coordinatorPosition: position });
      const index = lastSeq(db) === before + 1 ? record({ kind: 'batch', seq: before + 1, ops, position }) : -1;
      const seq = await promise;
      expect(index).toBeGreaterThanOrEqual(0);
      expect(seq).toBe(BigInt(before + 1));
      if (sync) history.ack(index);
    } else if (r < 0.5) {
      const ops = randomOps(random);
      const before = lastSeq(db);
      db.writeOrdered(ops, position === undefined ? {} : { coordinatorPosition: position });
      record({ kind: 'batch', seq: before + 1, ops, position });
    } else if (r < 0.62) {
      const xid = history.nextXid++;
      const ops = randomOps(random);
      const sync = random.bool(0.7);
      const promise = db.prepare(xid, ops, { sync });
      const index = db.recoverPrepared().some((p) => p.xid === xid) ? record({ kind: 'prepare', xid, ops }) : -1;
      await promise;
      expect(index).toBeGreaterThanOrEqual(0);
      open.set(xid, true);
      if (sync) history.ack(index);
    } else if (r < 0.75 && open.size > 0) {
      const xid = [...open.keys()][random.int(0, open.size - 1)]!;
      open.delete(xid);
      const before = lastSeq(db);
      if (random.bool(0.5)) {
        db.commitPreparedOrdered(xid, position === undefined ? {} : { coordinatorPosition: position });
        record({ kind: 'commit', xid, seq: before + 1, position });
      } else {
        const sync = random.bool(0.5);
        const promise = db.commitPrepared(xid, position === undefined ? { sync } : { sync, coordinatorPosition: position });
        const index = lastSeq(db) === before + 1 ? record({ kind: 'commit', xid, seq: before + 1, position }) : -1;
        await promise;
        if (sync) history.ack(index);
      }
    } else if (r < 0.8 && open.size > 0) {
      const xid = [...open.keys()][random.int(0, open.size - 1)]!;
      open.delete(xid);
      const sync = random.bool(0.5);
      const promise = db.rollbackPrepared(xid, { sync });
      const index = db.recoverPrepared().some((p) => p.xid === xid) ? -1 : record({ kind: 'rollback', xid });
      await promise;
      if (sync) history.ack(index);
    } else if (r < 0.86) {
      const covered = history.events.length - 1;
      await db.flush({ sync: true });
      history.ack(covered);
    } else if (r < 0.88) {
      const covered = history.events.length - 1;
      await db.checkpoint();
      history.ack(covered);
    } else if (r < 0.93) {
      await nextTurn();
    } else {
      // A read sees exactly every event applied so far.
      const { state } = history.replay(history.events.length - 1);
      const key = encoder.encode(`k${String(random.int(0, 40)).padStart(2, '0')}`);
      const got = db.get(key);
      expect(got === undefined ? undefined : hex(got)).toBe(state.get(hex(key)));
    }
  };

  const client = async (): Promise<void> => {
    for (let i = 0; i < options.stepsPerClient && !options.stopped(); i++) {
      try {
        await step();
      } catch (error) {
        expectTypedFailure(error);
        history.errors.push(error);
        if (options.stopped()) return;
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients }, () => client()));
}

/** Full contents of a store as hex key → hex value. */
export function contents(db: KvStore): Map<string, string> {
  const out = new Map<string, string>();
  for (const { key, value } of db.iterator()) out.set(hex(key), hex(value));
  return out;
}

/**
 * Checks a reopened store against a history: its state is exactly the history up to some
 * event (no batch partially visible, none reordered), that prefix holds every event an
 * acknowledgement promised durable, the prepared set is exactly the prefix's, and the
 * durable coordinator position is the prefix's newest.
 */
export function verifyRecovered(db: KvStore, history: History): { recoveredEvents: number } {
  const seq = lastSeq(db);
  const events = history.events;
  const batchIndex = events.findIndex((e) => (e.kind === 'batch' || e.kind === 'commit') && e.seq === seq);
  expect(seq === 0 || batchIndex >= 0, `recovered sequence ${seq} was never written`).toBe(true);
  let nextBatch = events.findIndex((e, i) => i > batchIndex && (e.kind === 'batch' || e.kind === 'commit'));
  if (nextBatch < 0) nextBatch = events.length;
  expect(nextBatch - 1, `acknowledged event ${history.durableIndex} lost (recovered up to sequence ${seq})`).toBeGreaterThanOrEqual(history.durableIndex);
  const { state, position } = history.replay(batchIndex);
  expect(contents(db)).toEqual(state);
  const recovered = db.recoverPrepared();
  const recoveredIds = recovered.map((p) => p.xid).join(',');
  let matched: number | undefined;
  for (let p = Math.max(batchIndex, history.durableIndex); p < nextBatch && matched === undefined; p++) {
    const { prepared } = history.replay(p);
    const ids = [...prepared.keys()].sort((a, b) => (a < b ? -1 : 1)).join(',');
    if (ids === recoveredIds) {
      for (const r of recovered) expect(r.ops).toEqual(prepared.get(r.xid));
      matched = p;
    }
  }
  expect(matched, `prepared set [${recoveredIds}] matches no prefix of the history`).toBeDefined();
  const durable = db.durableCoordinatorPosition();
  expect(durable === undefined ? undefined : hex(durable)).toBe(position === undefined ? undefined : hex(position));
  return { recoveredEvents: (matched ?? -1) + 1 };
}
