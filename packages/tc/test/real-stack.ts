import type { FileHandle, FileStat, FileSystem, OpenOptions } from '@lockstep/base';
import type { BinlogEvent, EventInput } from '@lockstep/binlog';
import { KvStore } from '@lockstep/kv';
import { TransactionDb, decodeCoordinatorPosition, indexKey, indexRange, type Transaction } from '@lockstep/txn';
import { BinlogFileCoordinator, type BinlogFileCoordinatorOptions, type CoordinatorPosition, type RecoveredTransaction, type TcParticipant } from '../src/index.js';

/**
 * The real stack for tests: a kv store with txn transactions as the participant, the real
 * binlog, and a test table `test.t (id INT NOT NULL, v VARCHAR(64) NOT NULL)` logged as
 * MariaDB row events (TABLE_MAP + WRITE/UPDATE/DELETE_ROWS). Rows are stored under
 * index 1 with the id as a 4-byte big-endian key and v's bytes as the value. The redo
 * callback applies a logged transaction's row events through a txn transaction whose
 * `commitOrdered` carries the binlog position — the shape the SQL layer's redo must have.
 */
export const TABLE_ID = 100;
export const INDEX_ID = 1;
const enc = new TextEncoder();
const dec = new TextDecoder();

export const tableMap: EventInput = {
  kind: 'tableMap',
  tableId: TABLE_ID,
  tableFlags: 1,
  database: 'test',
  table: 't',
  columns: [
    { type: 'int', unsigned: false, nullable: false },
    { type: 'varchar', maxBytes: 64, nullable: false },
  ],
};

export type RowOp =
  | { readonly type: 'insert'; readonly id: number; readonly v: string }
  | { readonly type: 'update'; readonly id: number; readonly before: string; readonly after: string }
  | { readonly type: 'delete'; readonly id: number; readonly before: string };

export function rowKey(id: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, id);
  return indexKey(INDEX_ID, b);
}

/** The binlog events of a transaction doing `ops`: the table map, then one rows event per op. */
export function rowEvents(ops: readonly RowOp[]): EventInput[] {
  const events: EventInput[] = [tableMap];
  for (const op of ops) {
    if (op.type === 'insert') events.push({ kind: 'writeRows', tableId: TABLE_ID, rowsFlags: 1, columnCount: 2, rows: [[op.id, op.v]] });
    else if (op.type === 'update') events.push({ kind: 'updateRows', tableId: TABLE_ID, rowsFlags: 1, columnCount: 2, rows: [{ before: [op.id, op.before], after: [op.id, op.after] }] });
    else events.push({ kind: 'deleteRows', tableId: TABLE_ID, rowsFlags: 1, columnCount: 2, rows: [[op.id, op.before]] });
  }
  return events;
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return dec.decode(value);
  throw new Error(`unexpected column value ${String(value)}`);
}

/** Applies row events to a plain map (the model, and the binlog's view of the table). */
export function applyToMap(rows: Map<number, string>, events: readonly (BinlogEvent | EventInput)[]): void {
  for (const e of events) {
    if (e.kind === 'writeRows') for (const r of e.rows) rows.set(Number(r[0]), text(r[1]));
    else if (e.kind === 'updateRows') {
      for (const r of e.rows) {
        rows.delete(Number(r.before[0]));
        rows.set(Number(r.after[0]), text(r.after[1]));
      }
    } else if (e.kind === 'deleteRows') for (const r of e.rows) rows.delete(Number(r[0]));
  }
}

/** Applies row events to a txn transaction (what the SQL layer's redo does with real tables). */
export async function applyToTransaction(t: Transaction, events: readonly (BinlogEvent | EventInput)[]): Promise<void> {
  for (const e of events) {
    if (e.kind === 'writeRows') {
      for (const r of e.rows) await t.put(rowKey(Number(r[0])), enc.encode(text(r[1])));
    } else if (e.kind === 'updateRows') {
      for (const r of e.rows) {
        if (Number(r.before[0]) !== Number(r.after[0])) await t.delete(rowKey(Number(r.before[0])));
        await t.put(rowKey(Number(r.after[0])), enc.encode(text(r.after[1])));
      }
    } else if (e.kind === 'deleteRows') {
      for (const r of e.rows) await t.delete(rowKey(Number(r[0])));
    }
  }
}

/** One engine: a kv store and a transaction database over it. */
export class Engine {
  constructor(
    readonly store: KvStore,
    readonly db: TransactionDb,
    readonly participant: TcParticipant,
  ) {}

  static async open(fs: FileSystem, dir: string, name = 'kv'): Promise<Engine> {
    const store = await KvStore.open(dir, { fs, checkpointAfterLogBytes: 0 });
    const db = new TransactionDb(store, { participantName: name });
    return new Engine(store, db, db.participant());
  }

  durable(): CoordinatorPosition | undefined {
    const bytes = this.store.durableCoordinatorPosition();
    return bytes === undefined ? undefined : decodeCoordinatorPosition(bytes);
  }

  /** Redo: the transaction's row events through a txn transaction, committed at the binlog position. */
  async redo(transaction: RecoveredTransaction<BinlogEvent[]>): Promise<void> {
    const t = this.db.begin();
    await applyToTransaction(t, transaction.events);
    const branch = t.branch();
    branch.commitOrdered(transaction.end);
    await branch.commit?.();
  }

  rows(): Map<number, string> {
    const out = new Map<number, string>();
    const range = indexRange(INDEX_ID);
    for (const { key, value } of this.store.iterator({ gte: range.gte, ...(range.lt === undefined ? {} : { lt: range.lt }) })) {
      out.set(new DataView(key.buffer, key.byteOffset + 4, 4).getUint32(0), dec.decode(value));
    }
    return out;
  }
}

/** Opens the engine and the binlog coordinator over it (recovering both). */
export async function openStack(
  fs: FileSystem,
  options: Partial<BinlogFileCoordinatorOptions> = {},
): Promise<{ engine: Engine; tc: BinlogFileCoordinator }> {
  const engine = await Engine.open(fs, '/db/kv');
  const tc = await BinlogFileCoordinator.open({
    fs,
    dir: '/db/binlog',
    serverId: 1,
    participants: [engine.participant],
    durablePosition: () => engine.durable(),
    redo: (_participant, transaction) => engine.redo(transaction),
    engineCheckpointIntervalMs: 0,
    ...options,
  });
  return { engine, tc };
}

export type Hook = (operation: string, path: string, phase: 'before' | 'after', write?: { readonly length: number; readonly position: number }) => void;

/**
 * A file system that calls `hook` before and after every call, so a test can crash the
 * underlying SimFileSystem at an exact step (e.g. after the binlog's fsync returned).
 * Each life of a test uses a new wrapper: kv keeps its open directories per file system
 * object, and an engine abandoned by a crash never closes.
 */
export class HookedFs implements FileSystem {
  constructor(
    readonly inner: FileSystem,
    readonly hook: Hook,
  ) {}

  async #call<T>(operation: string, path: string, run: () => Promise<T>, write?: { readonly length: number; readonly position: number }): Promise<T> {
    this.hook(operation, path, 'before', write);
    const result = await run();
    this.hook(operation, path, 'after', write);
    return result;
  }

  async open(path: string, options?: OpenOptions): Promise<FileHandle> {
    const handle = await this.#call('open', path, () => this.inner.open(path, options));
    const call = <T>(operation: string, run: () => Promise<T>, write?: { readonly length: number; readonly position: number }): Promise<T> => this.#call(operation, path, run, write);
    return {
      path: handle.path,
      read: (buffer, offset, length, position) => call('read', () => handle.read(buffer, offset, length, position)),
      write: (data, position) => call('write', () => handle.write(data, position), { length: data.length, position }),
      append: (data) => call('append', () => handle.append(data)),
      sync: () => call('sync', () => handle.sync()),
      datasync: () => call('datasync', () => handle.datasync()),
      truncate: (length) => call('truncate', () => handle.truncate(length)),
      size: () => handle.size(),
      close: () => handle.close(),
    };
  }

  readFile(path: string): Promise<Uint8Array> {
    return this.#call('readFile', path, () => this.inner.readFile(path));
  }
  writeFile(path: string, data: Uint8Array): Promise<void> {
    return this.#call('writeFile', path, () => this.inner.writeFile(path, data));
  }
  rename(from: string, to: string): Promise<void> {
    return this.#call('rename', to, () => this.inner.rename(from, to));
  }
  unlink(path: string): Promise<void> {
    return this.#call('unlink', path, () => this.inner.unlink(path));
  }
  readdir(dir: string): Promise<string[]> {
    return this.inner.readdir(dir);
  }
  mkdir(dir: string, options?: { readonly recursive?: boolean }): Promise<void> {
    return this.inner.mkdir(dir, options);
  }
  stat(path: string): Promise<FileStat> {
    return this.inner.stat(path);
  }
  exists(path: string): Promise<boolean> {
    return this.inner.exists(path);
  }
  syncDir(dir: string): Promise<void> {
    return this.#call('syncDir', dir, () => this.inner.syncDir(dir));
  }
  rm(path: string, options?: { readonly recursive?: boolean; readonly force?: boolean }): Promise<void> {
    return this.#call('rm', path, () => this.inner.rm(path, options));
  }
}
