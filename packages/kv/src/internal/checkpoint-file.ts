import type { FileSystem } from '@lockstep/base';
import { KvCorruptionError } from '../errors/kv-corruption-error.js';
import type { WriteOp } from '../types.js';
import { compareBytes } from './compare-bytes.js';
import { StoreIterator } from './store-iterator.js';
import type { VersionedStore } from './versioned-store.js';
import { writeFileDurably } from './durable-file.js';
import type { CoordinatorMark } from './log-writer.js';
import {
  CHECKPOINT_MAGIC,
  encodeCoordinator,
  encodeFileHeader,
  encodePrepare,
  FORMAT_VERSION,
  FrameWriter,
  PayloadError,
  PayloadReader,
  readFrame,
  RecordType,
  varintBytes,
} from './record-codec.js';

export function checkpointFileName(checkpointNumber: number): string {
  return `checkpoint-${String(checkpointNumber).padStart(6, '0')}.ckpt`;
}

export interface CheckpointEntry {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  /** Sequence of the batch that wrote this version (kept so `getEntry` reports it after a restart). */
  readonly seq: number;
}

export interface CheckpointContent {
  readonly seq: number;
  readonly firstLogNumber: number;
  readonly prepared: readonly (readonly [bigint, readonly WriteOp[]])[];
  readonly coordinator: CoordinatorMark | undefined;
}

/** Encodes entries into one CheckpointEntries frame. */
export function encodeEntries(entries: readonly CheckpointEntry[]): Uint8Array {
  let bytes = varintBytes(entries.length);
  for (const e of entries) bytes += varintBytes(e.key.length) + e.key.length + varintBytes(e.value.length) + e.value.length + 8;
  const w = new FrameWriter(RecordType.CheckpointEntries, bytes);
  w.varint(entries.length);
  for (const e of entries) {
    w.lengthPrefixed(e.key);
    w.lengthPrefixed(e.value);
    w.u64(e.seq);
  }
  return w.finish();
}

/**
 * The entry frames of the state at `seq` (which the caller keeps pinned), in key order: each
 * call encodes about `chunkBytes` of keys and values — one bounded synchronous step. Every
 * value still current is moved to a fresh slab on the way (see ValueArena).
 */
export function checkpointChunks(store: VersionedStore, seq: number, chunkBytes: number): () => { frame: Uint8Array; entries: number } | undefined {
  const pin = { sequence: () => seq, refresh: () => undefined, release: () => undefined };
  const iterator = new StoreIterator(store, {}, pin, () => undefined);
  return () => {
    const entries: CheckpointEntry[] = [];
    let bytes = 0;
    while (bytes < chunkBytes) {
      const entry = iterator.nextRecord();
      if (entry === undefined) break;
      entries.push(entry);
      if (entry.record.value === entry.value) store.compactValue(entry.record);
      bytes += entry.key.length + entry.value.length + 16;
    }
    return entries.length === 0 ? undefined : { frame: encodeEntries(entries), entries: entries.length };
  };
}

/**
 * Writes checkpoint `checkpointNumber` crash-safely (temporary file, fsync, rename, directory
 * fsync). `nextChunk` returns encoded entry frames in key order until undefined; it is
 * called once per write, so each synchronous step is bounded by the chunk size it chooses.
 */
export async function writeCheckpointFile(
  fs: FileSystem,
  dir: string,
  checkpointNumber: number,
  content: CheckpointContent,
  nextChunk: () => { frame: Uint8Array; entries: number } | undefined,
): Promise<{ bytes: number; entries: number }> {
  let total = 0;
  let entries = 0;
  let records = 0;
  await writeFileDurably(fs, dir, checkpointFileName(checkpointNumber), async (write) => {
    const emit = async (frame: Uint8Array): Promise<void> => {
      await write(frame);
      total += frame.length;
      records++;
    };
    await emit(encodeFileHeader(RecordType.CheckpointHeader, CHECKPOINT_MAGIC, [content.seq, content.firstLogNumber]));
    for (let chunk = nextChunk(); chunk !== undefined; chunk = nextChunk()) {
      entries += chunk.entries;
      await emit(chunk.frame);
    }
    for (const [xid, ops] of content.prepared) await emit(encodePrepare(RecordType.CheckpointPrepared, xid, ops));
    if (content.coordinator !== undefined) await emit(encodeCoordinator(content.coordinator.seq, content.coordinator.position));
    const footer = new FrameWriter(RecordType.CheckpointFooter, 16);
    footer.u64(entries);
    footer.u64(records);
    await emit(footer.finish());
  });
  return { bytes: total, entries };
}

export interface LoadedCheckpoint extends CheckpointContent {
  readonly entries: CheckpointEntry[];
}

/** Reads and verifies a whole checkpoint; any damage is a KvCorruptionError naming the offset. */
export function decodeCheckpoint(data: Uint8Array, file: string): LoadedCheckpoint {
  let offset = 0;
  let seq = -1;
  let firstLogNumber = 0;
  const entries: CheckpointEntry[] = [];
  const prepared: [bigint, WriteOp[]][] = [];
  let coordinator: CoordinatorMark | undefined;
  let records = 0;
  let sawFooter = false;
  try {
    while (offset < data.length) {
      const frame = readFrame(data, offset);
      if (!frame.ok) throw new KvCorruptionError(file, offset, frame.reason);
      if (sawFooter) throw new KvCorruptionError(file, offset, 'record after the footer');
      const r = new PayloadReader(data, frame.payloadStart, frame.end);
      if (records === 0) {
        if (frame.type !== RecordType.CheckpointHeader) throw new KvCorruptionError(file, offset, `first record has type ${frame.type}, not a checkpoint header`);
        r.magic(CHECKPOINT_MAGIC);
        const version = r.u32();
        if (version !== FORMAT_VERSION) throw new PayloadError(`format version ${version} is not supported`);
        seq = r.u64();
        firstLogNumber = r.u64();
      } else if (frame.type === RecordType.CheckpointEntries) {
        const count = r.varint();
        for (let i = 0; i < count; i++) {
          const key = r.lengthPrefixed();
          const value = r.lengthPrefixed();
          const entrySeq = r.u64();
          if (entrySeq > seq) throw new PayloadError(`entry sequence ${entrySeq} is newer than the checkpoint's ${seq}`);
          const last = entries[entries.length - 1];
          if (last !== undefined && compareBytes(last.key, key) >= 0) throw new PayloadError('keys out of order');
          entries.push({ key, value, seq: entrySeq });
        }
      } else if (frame.type === RecordType.CheckpointPrepared) {
        prepared.push([r.u64n(), r.ops()]);
      } else if (frame.type === RecordType.CheckpointCoordinator) {
        const markSeq = r.u64();
        coordinator = { seq: markSeq, position: r.lengthPrefixed() };
      } else if (frame.type === RecordType.CheckpointFooter) {
        const entryCount = r.u64();
        const recordCount = r.u64();
        if (entryCount !== entries.length || recordCount !== records) {
          throw new PayloadError(`footer counts ${entryCount} entries / ${recordCount} records, file has ${entries.length} / ${records}`);
        }
        sawFooter = true;
      } else {
        throw new PayloadError(`unexpected record type ${frame.type}`);
      }
      r.done();
      records++;
      offset = frame.end;
    }
  } catch (error) {
    if (error instanceof PayloadError) throw new KvCorruptionError(file, offset, error.message);
    throw error;
  }
  if (!sawFooter) throw new KvCorruptionError(file, offset, 'no footer (checkpoint incomplete)');
  return { seq, firstLogNumber, entries, prepared, coordinator };
}
