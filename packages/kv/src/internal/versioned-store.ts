import type { WriteOp } from '../types.js';
import { BPlusTree } from './bplus-tree.js';
import { HashIndex, hashKey } from './hash-index.js';
import { KeyRecord, versionAt, type Version } from './key-record.js';
import { SnapshotRegistry } from './snapshot-registry.js';
import { ValueArena } from './value-arena.js';

/** Rough per-object overheads (V8 object headers, array slots) for `memoryBytes`. */
const RECORD_OVERHEAD_BYTES = 96;
const VERSION_OVERHEAD_BYTES = 48;

/**
 * The in-memory multi-version state: a B+ tree of key records, each a chain of versions
 * by sequence number, and the registry of sequence numbers readers pin.
 *
 * Invariants:
 * - Everything in the tree is visible: a batch is applied in one synchronous call, so no
 *   reader ever observes part of it, and `lastSeq` is the sequence of the last one applied.
 * - A version is kept iff it is the head of its chain (unless a tombstone no reader older
 *   than it needs) or some pinned sequence `s` has `version.seq <= s < newer.seq` — exactly
 *   the versions some snapshot or iterator can still read.
 * - `dirty` holds every record that has an older version or a tombstone head, so that
 *   releasing a pin can collect what it freed without scanning the whole tree.
 */
export class VersionedStore {
  readonly tree = new BPlusTree();
  /** Exact-key lookups (the tree answers ordered ones); holds the same records. */
  readonly #index = new HashIndex();
  readonly snapshots = new SnapshotRegistry();
  lastSeq = 0;
  liveKeys = 0;
  versionsKept = 0;
  memoryBytes = 0;
  readonly #dirty = new Set<KeyRecord>();
  readonly #arena = new ValueArena();

  /** Moves a record's current value into the newest slab (checkpoints call this for every live key). */
  compactValue(record: KeyRecord): void {
    if (record.value !== undefined) record.value = this.#arena.copy(record.value);
  }

  /** Applies validated ops as the batch with sequence `seq` (> lastSeq). Copies keys and values. */
  apply(ops: readonly WriteOp[], seq: number): void {
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      this.#applyOne(op.key, op.type === 'put' ? op.value : undefined, seq);
    }
    this.lastSeq = seq;
  }

  /** For loading a checkpoint: REQUIRES an empty store and keys strictly ascending. */
  load(entries: readonly { key: Uint8Array; value: Uint8Array; seq: number }[], seq: number): void {
    const records = new Array<KeyRecord>(entries.length);
    let bytes = 0;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      const record = new KeyRecord(entry.key, entry.value, entry.seq, hashKey(entry.key));
      records[i] = record;
      this.#index.add(record);
      bytes += entry.key.length + entry.value.length + RECORD_OVERHEAD_BYTES;
    }
    this.tree.bulkLoad(records);
    this.liveKeys = entries.length;
    this.versionsKept = entries.length;
    this.memoryBytes = bytes;
    this.lastSeq = seq;
  }

  get(key: Uint8Array, at: number): Version | undefined {
    const record = this.#index.get(key, hashKey(key));
    if (record === undefined) return undefined;
    return at >= record.seq ? record : versionAt(record, at);
  }

  /** Collects versions freed by released pins (every record that may hold garbage). */
  collectGarbage(): void {
    for (const record of this.#dirty) this.#prune(record);
  }

  #applyOne(key: Uint8Array, value: Uint8Array | undefined, seq: number): void {
    const hash = hashKey(key);
    let record = this.#index.get(key, hash);
    if (record === undefined) {
      // Deleting an absent key leaves nothing any reader could see.
      if (value === undefined) return;
      const stored = this.#arena.copy(value);
      record = new KeyRecord(key.slice(), stored, seq, hash);
      this.tree.insert(record);
      this.#index.add(record);
      this.liveKeys++;
      this.versionsKept++;
      this.memoryBytes += key.length + stored.length + RECORD_OVERHEAD_BYTES;
      return;
    }
    const stored = value === undefined ? undefined : this.#arena.copy(value);
    const wasLive = record.value !== undefined;
    if (record.seq !== seq) {
      if (this.snapshots.count === 0) {
        // No reader can see any older version: overwrite in place.
        this.#dropOlder(record);
      } else {
        record.older = { value: record.value, seq: record.seq, older: record.older };
        this.versionsKept++;
        // The old value now lives in the version (the line below stops counting it as the record's).
        this.memoryBytes += VERSION_OVERHEAD_BYTES + (record.value?.length ?? 0);
      }
      record.seq = seq;
    }
    // (Same sequence: a second op on the key in one batch replaces the first.)
    this.memoryBytes += (stored?.length ?? 0) - (record.value?.length ?? 0);
    record.value = stored;
    this.liveKeys += (stored !== undefined ? 1 : 0) - (wasLive ? 1 : 0);
    if (record.older !== undefined || stored === undefined) this.#prune(record);
  }

  #dropOlder(record: KeyRecord): void {
    for (let v = record.older; v !== undefined; v = v.older) {
      this.versionsKept--;
      this.memoryBytes -= (v.value?.length ?? 0) + VERSION_OVERHEAD_BYTES;
    }
    record.older = undefined;
  }

  #prune(record: KeyRecord): void {
    const snapshots = this.snapshots;
    if (record.value === undefined && !snapshots.hasBelow(record.seq)) {
      // Every reader sees the deletion: the key can go entirely.
      this.#dropOlder(record);
      this.tree.remove(record.key);
      this.#index.remove(record);
      this.versionsKept--;
      this.memoryBytes -= record.key.length + RECORD_OVERHEAD_BYTES;
      if (record.dirty) {
        record.dirty = false;
        this.#dirty.delete(record);
      }
      return;
    }
    let newer: Version = record;
    let v = record.older;
    while (v !== undefined) {
      if (snapshots.hasInRange(v.seq, newer.seq)) {
        newer = v;
      } else {
        newer.older = v.older;
        this.versionsKept--;
        this.memoryBytes -= (v.value?.length ?? 0) + VERSION_OVERHEAD_BYTES;
      }
      v = newer.older;
    }
    const mayHoldGarbage = record.older !== undefined || record.value === undefined;
    if (mayHoldGarbage !== record.dirty) {
      record.dirty = mayHoldGarbage;
      if (mayHoldGarbage) this.#dirty.add(record);
      else this.#dirty.delete(record);
    }
  }
}
