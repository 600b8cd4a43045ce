import { posix } from 'node:path';
import { systemClock, type Clock } from './clock.js';
import { FileSystemError, type FileSystemErrorCode, type FileSystemOperation } from './errors/file-system-error.js';
import type { FileHandle, FileStat, FileSystem, OpenOptions } from './file-system.js';
import { compareNames } from './node-file-system.js';
import { Random, type Seed } from './random.js';

/**
 * An in-memory `FileSystem` for tests that models what a crash keeps.
 *
 * Model (stricter than ext4, on purpose):
 * - Each file has its current bytes and its durable bytes (as of its last completed
 *   sync). `sync`/`datasync` copy current to durable when they complete.
 * - Names live in a namespace; the durable namespace changes only on `syncDir(parent)`.
 *   Directories themselves are durable as soon as they are made (a simplification).
 * - `crash()` reverts every name to the durable namespace and every file to its durable
 *   bytes, optionally keeping a random prefix of the unsynced writes with the last kept
 *   one torn at a random byte. Handles opened before a crash fail with EBADF afterwards.
 * - Faults: the Nth matching call fails with EIO or ENOSPC (once or from then on); a
 *   capacity makes writes past it fail with ENOSPC; syncs can be delayed or paused.
 *
 * Invariants: a failed call changes nothing; durable bytes only ever come from a
 * completed sync; `stats` counts every call made, failed ones included.
 */
export interface SimFileSystemOptions {
  /** Seed for torn-write choices. */
  readonly seed?: Seed;
  /** Total bytes all files may hold; writes past it fail with ENOSPC. */
  readonly capacityBytes?: number;
  /** Each sync takes this long on `clock` before it completes. */
  readonly syncLatencyMs?: number;
  readonly clock?: Clock;
}

export interface SimFault {
  /** Which calls count toward `nth` (all calls when omitted). */
  readonly operations?: readonly FileSystemOperation[];
  /** Only calls on paths that contain this string or match this pattern. */
  readonly path?: string | RegExp;
  /** The matching call, counted from when the fault is added, that fails (1 = the next). */
  readonly nth?: number;
  /** Keep failing every matching call from the nth on. */
  readonly persistent?: boolean;
  readonly code: 'EIO' | 'ENOSPC';
}

export interface CrashOptions {
  /** 'drop' (default) loses every unsynced write; 'torn' keeps a random prefix of them, the last one torn. */
  readonly unsynced?: 'drop' | 'torn';
}

export interface CrashReport {
  /** Files whose content differs from what was current before the crash. */
  readonly filesReverted: number;
  /** Names that appeared or disappeared because their directory was not synced. */
  readonly namesReverted: number;
  /** Bytes written after the last sync that the crash kept (torn mode). */
  readonly unsyncedBytesKept: number;
}

type PendingOp = { readonly kind: 'write'; readonly position: number; readonly data: Uint8Array } | { readonly kind: 'truncate'; readonly length: number };

class Inode {
  data = new Uint8Array(0);
  length = 0;
  durable = new Uint8Array(0);
  pending: PendingOp[] = [];
  mtimeMs = 0;

  bytes(): Uint8Array {
    return this.data.subarray(0, this.length);
  }

  ensureCapacity(size: number): void {
    if (size <= this.data.length) return;
    const grown = new Uint8Array(Math.max(size, this.data.length * 2, 64));
    grown.set(this.data.subarray(0, this.length));
    this.data = grown;
  }

  writeAt(position: number, bytes: Uint8Array): void {
    if (bytes.length === 0) return; // a zero-byte pwrite never extends a file
    const end = position + bytes.length;
    this.ensureCapacity(end);
    if (position > this.length) this.data.fill(0, this.length, position);
    this.data.set(bytes, position);
    this.length = Math.max(this.length, end);
  }

  truncateTo(length: number): void {
    if (length > this.length) {
      this.ensureCapacity(length);
      this.data.fill(0, this.length, length);
    }
    this.length = length;
  }

  replaceWith(bytes: Uint8Array): void {
    this.data = new Uint8Array(bytes);
    this.length = bytes.length;
  }
}

type Entry = { readonly kind: 'file'; readonly inode: Inode } | { readonly kind: 'dir' };

export class SimFileSystem implements FileSystem {
  /** Calls made per operation, failed ones included. */
  readonly stats: Record<FileSystemOperation, number> = {
    open: 0, read: 0, write: 0, append: 0, sync: 0, datasync: 0, truncate: 0, size: 0, close: 0,
    readFile: 0, writeFile: 0, rename: 0, unlink: 0, readdir: 0, mkdir: 0, stat: 0, syncDir: 0, rm: 0,
  };

  #names = new Map<string, Entry>();
  #durableNames = new Map<string, Entry>();
  #faults: { fault: SimFault; seen: number }[] = [];
  #epoch = 0;
  #random: Random;
  #capacityBytes: number;
  #syncLatencyMs: number;
  #clock: Clock;
  #syncsPaused = false;
  #pausedSyncs: (() => void)[] = [];

  constructor(options: SimFileSystemOptions = {}) {
    this.#random = new Random(options.seed ?? 1);
    this.#capacityBytes = options.capacityBytes ?? Number.POSITIVE_INFINITY;
    this.#syncLatencyMs = options.syncLatencyMs ?? 0;
    this.#clock = options.clock ?? systemClock;
    this.#names.set('/', { kind: 'dir' });
    this.#names.set('.', { kind: 'dir' });
  }

  // ---- fault control -------------------------------------------------------------

  /** Adds a fault; returns a function that removes it. */
  injectFault(fault: SimFault): () => void {
    const slot = { fault, seen: 0 };
    this.#faults.push(slot);
    return () => {
      this.#faults = this.#faults.filter((f) => f !== slot);
    };
  }

  clearFaults(): void {
    this.#faults = [];
  }

  set capacityBytes(bytes: number) {
    this.#capacityBytes = bytes;
  }

  /** Bytes held by all files now. */
  usedBytes(): number {
    let total = 0;
    const seen = new Set<Inode>();
    for (const entry of this.#names.values()) {
      if (entry.kind === 'file' && !seen.has(entry.inode)) {
        seen.add(entry.inode);
        total += entry.inode.length;
      }
    }
    return total;
  }

  /** Syncs started from now on wait until `resumeSyncs()`. */
  pauseSyncs(): void {
    this.#syncsPaused = true;
  }

  resumeSyncs(): void {
    this.#syncsPaused = false;
    const waiting = this.#pausedSyncs;
    this.#pausedSyncs = [];
    for (const resume of waiting) resume();
  }

  /** Number of syncs waiting for `resumeSyncs()`. */
  get pausedSyncCount(): number {
    return this.#pausedSyncs.length;
  }

  // ---- crash ---------------------------------------------------------------------

  crash(options: CrashOptions = {}): CrashReport {
    this.#epoch += 1;
    const mode = options.unsynced ?? 'drop';
    let namesReverted = 0;
    for (const [path, entry] of this.#names) {
      if (entry.kind === 'file' && this.#durableNames.get(path) !== entry) namesReverted += 1;
    }
    for (const [path, entry] of this.#durableNames) {
      if (entry.kind === 'file' && this.#names.get(path) !== entry) namesReverted += 1;
    }
    const inodes = new Set<Inode>();
    for (const entry of [...this.#names.values(), ...this.#durableNames.values()]) if (entry.kind === 'file') inodes.add(entry.inode);
    let filesReverted = 0;
    let unsyncedBytesKept = 0;
    for (const inode of inodes) {
      const before = inode.bytes().slice();
      const pending = inode.pending;
      inode.replaceWith(inode.durable);
      if (mode === 'torn' && pending.length > 0) {
        const keep = this.#random.int(0, pending.length);
        for (let i = 0; i < keep && i < pending.length; i++) {
          const op = pending[i]!;
          if (op.kind === 'truncate') inode.truncateTo(op.length);
          else {
            const isLastKept = i === keep - 1;
            const bytes = isLastKept ? op.data.subarray(0, this.#random.int(0, op.data.length)) : op.data;
            inode.writeAt(op.position, bytes);
            unsyncedBytesKept += bytes.length;
          }
        }
        inode.durable = inode.bytes().slice();
      }
      inode.pending = [];
      if (!equalBytes(before, inode.bytes())) filesReverted += 1;
    }
    const names = new Map<string, Entry>();
    for (const [path, entry] of this.#names) if (entry.kind === 'dir') names.set(path, entry);
    for (const [path, entry] of this.#durableNames) names.set(path, entry);
    this.#names = names;
    this.#pausedSyncs = [];
    this.#syncsPaused = false;
    return { filesReverted, namesReverted, unsyncedBytesKept };
  }

  // ---- FileSystem ----------------------------------------------------------------

  async open(path: string, options: OpenOptions = {}): Promise<FileHandle> {
    const p = this.#enter('open', path);
    await Promise.resolve();
    const existing = this.#names.get(p);
    if (existing?.kind === 'dir') throw new FileSystemError('EISDIR', 'open', path);
    let inode: Inode;
    if (existing === undefined) {
      if (options.create !== true || options.readOnly === true) throw this.#missing(p, 'open', path);
      this.#requireDir(posix.dirname(p), 'open', path);
      inode = new Inode();
      inode.mtimeMs = this.#clock.wallNow();
      this.#names.set(p, { kind: 'file', inode });
    } else {
      if (options.create === true && options.exclusive === true) throw new FileSystemError('EEXIST', 'open', path);
      inode = existing.inode;
    }
    if (options.truncate === true && options.readOnly !== true) {
      inode.truncateTo(0);
      inode.pending.push({ kind: 'truncate', length: 0 });
    }
    return new SimFileHandle(this, path, inode, this.#epoch, options.readOnly === true);
  }

  async readFile(path: string): Promise<Uint8Array> {
    const p = this.#enter('readFile', path);
    await Promise.resolve();
    return this.#file(p, 'readFile', path).bytes().slice();
  }

  async writeFile(path: string, data: Uint8Array): Promise<void> {
    const p = this.#enter('writeFile', path);
    await Promise.resolve();
    let entry = this.#names.get(p);
    if (entry?.kind === 'dir') throw new FileSystemError('EISDIR', 'writeFile', path);
    const current = entry?.inode.length ?? 0;
    this.#checkCapacity(data.length - current, 'writeFile', path);
    if (entry === undefined) {
      this.#requireDir(posix.dirname(p), 'writeFile', path);
      entry = { kind: 'file', inode: new Inode() };
      this.#names.set(p, entry);
    }
    entry.inode.truncateTo(0);
    entry.inode.writeAt(0, data);
    entry.inode.mtimeMs = this.#clock.wallNow();
    entry.inode.pending.push({ kind: 'truncate', length: 0 }, { kind: 'write', position: 0, data: data.slice() });
  }

  async rename(from: string, to: string): Promise<void> {
    const f = this.#enter('rename', from);
    const t = normalize(to);
    await Promise.resolve();
    // Like the kernel: both parent paths are resolved before the source name is looked up.
    this.#requireDir(posix.dirname(f), 'rename', from);
    this.#requireDir(posix.dirname(t), 'rename', to);
    const entry = this.#names.get(f);
    if (entry === undefined) throw new FileSystemError('ENOENT', 'rename', from);
    const target = this.#names.get(t);
    if (f === t) return;
    if (entry.kind === 'dir') {
      if (t.startsWith(`${f}/`)) throw new FileSystemError('EINVAL', 'rename', to, { detail: 'a directory cannot move into itself' });
      if (target?.kind === 'file') throw new FileSystemError('ENOTDIR', 'rename', to);
      if (target !== undefined) {
        for (const path of this.#names.keys()) if (path.startsWith(`${t}/`)) throw new FileSystemError('ENOTEMPTY', 'rename', to);
        this.#names.delete(t);
      }
      const moved: [string, Entry][] = [];
      for (const [path, e] of this.#names) if (path === f || path.startsWith(`${f}/`)) moved.push([path, e]);
      for (const [path] of moved) this.#names.delete(path);
      for (const [path, e] of moved) this.#names.set(t + path.slice(f.length), e);
      return;
    }
    if (target?.kind === 'dir') throw new FileSystemError('EISDIR', 'rename', to);
    this.#names.delete(f);
    this.#names.set(t, entry);
  }

  async unlink(path: string): Promise<void> {
    const p = this.#enter('unlink', path);
    await Promise.resolve();
    const entry = this.#names.get(p);
    if (entry === undefined) throw this.#missing(p, 'unlink', path);
    if (entry.kind === 'dir') throw new FileSystemError('EISDIR', 'unlink', path);
    this.#names.delete(p);
  }

  async readdir(dir: string): Promise<string[]> {
    const d = this.#enter('readdir', dir);
    await Promise.resolve();
    this.#requireDir(d, 'readdir', dir);
    const names: string[] = [];
    for (const path of this.#names.keys()) if (path !== d && posix.dirname(path) === d) names.push(posix.basename(path));
    return names.sort(compareNames);
  }

  async mkdir(dir: string, options: { readonly recursive?: boolean } = {}): Promise<void> {
    const d = this.#enter('mkdir', dir);
    await Promise.resolve();
    const existing = this.#names.get(d);
    if (existing !== undefined) {
      if (options.recursive === true && existing.kind === 'dir') return;
      throw new FileSystemError('EEXIST', 'mkdir', dir);
    }
    const parent = posix.dirname(d);
    const parentEntry = this.#names.get(parent);
    if (parentEntry === undefined) {
      if (options.recursive !== true) throw this.#missing(d, 'mkdir', dir);
      this.stats.mkdir -= 1; // the recursive step is part of this call
      await this.mkdir(parent, options);
    } else if (parentEntry.kind !== 'dir') {
      throw new FileSystemError('ENOTDIR', 'mkdir', dir);
    }
    this.#names.set(d, { kind: 'dir' });
  }

  async stat(path: string): Promise<FileStat> {
    const p = this.#enter('stat', path);
    await Promise.resolve();
    const entry = this.#names.get(p);
    if (entry === undefined) throw this.#missing(p, 'stat', path);
    if (entry.kind === 'dir') return { size: 0, isFile: false, isDirectory: true, mtimeMs: 0 };
    return { size: entry.inode.length, isFile: true, isDirectory: false, mtimeMs: entry.inode.mtimeMs };
  }

  async exists(path: string): Promise<boolean> {
    const p = this.#enter('stat', path);
    await Promise.resolve();
    return this.#names.has(p);
  }

  async syncDir(dir: string): Promise<void> {
    const d = this.#enter('syncDir', dir);
    this.#requireDir(d, 'syncDir', dir);
    await this.waitForSync();
    for (const [path, entry] of this.#durableNames) if (posix.dirname(path) === d && this.#names.get(path) !== entry) this.#durableNames.delete(path);
    for (const [path, entry] of this.#names) if (entry.kind === 'file' && posix.dirname(path) === d) this.#durableNames.set(path, entry);
  }

  async rm(path: string, options: { readonly recursive?: boolean; readonly force?: boolean } = {}): Promise<void> {
    const p = this.#enter('rm', path);
    await Promise.resolve();
    const entry = this.#names.get(p);
    if (entry === undefined) {
      const error = this.#missing(p, 'rm', path);
      // Like rm -f: force forgives a missing name, not a broken path.
      if (options.force === true && error.fsCode === 'ENOENT') return;
      throw error;
    }
    if (entry.kind === 'dir') {
      const children = [...this.#names.keys()].filter((k) => k.startsWith(`${p}/`));
      if (options.recursive !== true) throw new FileSystemError('EISDIR', 'rm', path);
      for (const child of children) this.#names.delete(child);
    }
    this.#names.delete(p);
  }

  // ---- shared with handles -----------------------------------------------------------

  /** Counts the call, applies faults, and returns the normalized path. @internal */
  enterHandleOp(operation: FileSystemOperation, path: string, epoch: number): void {
    this.#enter(operation, path);
    if (epoch !== this.#epoch) throw new FileSystemError('EBADF', operation, path, { detail: 'handle opened before a crash' });
  }

  /** @internal */
  isCurrentEpoch(epoch: number): boolean {
    return epoch === this.#epoch;
  }

  /** @internal */
  checkCapacity(growthBytes: number, operation: FileSystemOperation, path: string): void {
    this.#checkCapacity(growthBytes, operation, path);
  }

  /** Waits out the configured sync latency and any pause. @internal */
  async waitForSync(): Promise<void> {
    if (this.#syncLatencyMs > 0) await this.#clock.sleep(this.#syncLatencyMs);
    else await Promise.resolve();
    if (this.#syncsPaused) {
      await new Promise<void>((resolve) => {
        this.#pausedSyncs.push(resolve);
      });
    }
  }

  #enter(operation: FileSystemOperation, path: string): string {
    this.stats[operation] += 1;
    for (const slot of this.#faults) {
      const { fault } = slot;
      if (fault.operations !== undefined && !fault.operations.includes(operation)) continue;
      if (fault.path !== undefined && !(typeof fault.path === 'string' ? path.includes(fault.path) : fault.path.test(path))) continue;
      slot.seen += 1;
      const nth = fault.nth ?? 1;
      if (slot.seen === nth || (fault.persistent === true && slot.seen > nth)) {
        throw new FileSystemError(fault.code, operation, path, { detail: 'injected fault' });
      }
    }
    return normalize(path);
  }

  #checkCapacity(growthBytes: number, operation: FileSystemOperation, path: string): void {
    if (growthBytes > 0 && this.usedBytes() + growthBytes > this.#capacityBytes) {
      throw new FileSystemError('ENOSPC' satisfies FileSystemErrorCode, operation, path, { detail: `capacity ${this.#capacityBytes} bytes` });
    }
  }

  #requireDir(dir: string, operation: FileSystemOperation, path: string): void {
    const entry = this.#names.get(dir);
    if (entry === undefined) throw this.#missing(dir, operation, path);
    if (entry.kind !== 'dir') throw new FileSystemError('ENOTDIR', operation, path);
  }

  /** The error for a name that does not exist: ENOTDIR when an ancestor is a file, as POSIX path lookup reports. */
  #missing(p: string, operation: FileSystemOperation, path: string): FileSystemError {
    for (let dir = posix.dirname(p); ; dir = posix.dirname(dir)) {
      if (this.#names.get(dir)?.kind === 'file') return new FileSystemError('ENOTDIR', operation, path);
      if (dir === posix.dirname(dir)) break;
    }
    return new FileSystemError('ENOENT', operation, path);
  }

  #file(p: string, operation: FileSystemOperation, path: string): Inode {
    const entry = this.#names.get(p);
    if (entry === undefined) throw this.#missing(p, operation, path);
    if (entry.kind === 'dir') throw new FileSystemError('EISDIR', operation, path);
    return entry.inode;
  }
}

class SimFileHandle implements FileHandle {
  readonly path: string;
  readonly #fs: SimFileSystem;
  readonly #inode: Inode;
  readonly #epoch: number;
  readonly #readOnly: boolean;
  #closed = false;

  constructor(fs: SimFileSystem, path: string, inode: Inode, epoch: number, readOnly: boolean) {
    this.#fs = fs;
    this.path = path;
    this.#inode = inode;
    this.#epoch = epoch;
    this.#readOnly = readOnly;
  }

  async read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    this.#enter('read');
    await Promise.resolve();
    const available = Math.max(0, Math.min(length, this.#inode.length - position));
    buffer.set(this.#inode.data.subarray(position, position + available), offset);
    return available;
  }

  async write(data: Uint8Array, position: number): Promise<void> {
    this.#enterWrite('write', position + data.length - this.#inode.length);
    await Promise.resolve();
    this.#apply(position, data);
  }

  async append(data: Uint8Array): Promise<number> {
    this.#enterWrite('append', data.length);
    const at = this.#inode.length;
    // Applied before the await so that concurrent appends land in call order.
    this.#apply(at, data);
    await Promise.resolve();
    return at;
  }

  async sync(): Promise<void> {
    await this.#sync('sync');
  }

  async datasync(): Promise<void> {
    await this.#sync('datasync');
  }

  async truncate(length: number): Promise<void> {
    this.#enterWrite('truncate', length - this.#inode.length);
    await Promise.resolve();
    this.#inode.truncateTo(length);
    this.#inode.pending.push({ kind: 'truncate', length });
  }

  async size(): Promise<number> {
    this.#enter('size');
    await Promise.resolve();
    return this.#inode.length;
  }

  async close(): Promise<void> {
    this.#fs.stats.close += 1;
    this.#closed = true;
    await Promise.resolve();
  }

  #apply(position: number, data: Uint8Array): void {
    this.#inode.writeAt(position, data);
    this.#inode.pending.push({ kind: 'write', position, data: data.slice() });
  }

  async #sync(operation: 'sync' | 'datasync'): Promise<void> {
    this.#enter(operation);
    // The durable image is what was written before the sync was issued.
    const image = this.#inode.bytes().slice();
    const pendingAtStart = this.#inode.pending.length;
    await this.#fs.waitForSync();
    if (!this.#fs.isCurrentEpoch(this.#epoch)) throw new FileSystemError('EIO', operation, this.path, { detail: 'crashed during sync' });
    this.#inode.durable = image;
    this.#inode.pending = this.#inode.pending.slice(pendingAtStart);
  }

  #enter(operation: FileSystemOperation): void {
    if (this.#closed) throw new FileSystemError('EBADF', operation, this.path, { detail: 'handle is closed' });
    this.#fs.enterHandleOp(operation, this.path, this.#epoch);
  }

  #enterWrite(operation: FileSystemOperation, growthBytes: number): void {
    this.#enter(operation);
    if (this.#readOnly) throw new FileSystemError('EBADF', operation, this.path, { detail: 'read-only handle' });
    this.#fs.checkCapacity(growthBytes, operation, this.path);
  }
}

function normalize(path: string): string {
  const p = posix.normalize(path);
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
