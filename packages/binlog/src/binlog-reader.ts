import { type Clock, type FileHandle, systemClock } from '@lockstep/base';
import { BinlogEventDecoder } from './codec.js';
import { BinlogCorruptError } from './errors/binlog-corrupt-error.js';
import { BinlogFileError } from './errors/binlog-file-error.js';
import { BinlogTruncatedError } from './errors/binlog-truncated-error.js';
import { GtidNotInBinlogError } from './errors/gtid-not-in-binlog-error.js';
import { BINLOG_MAGIC } from './event-types.js';
import type { PositionedBinlogEvent } from './events.js';
import { type Gtid, GtidPosition, formatGtid } from './gtid.js';
import { type BinlogLocation, type BinlogPosition, DEFAULT_BASE_NAME, joinPath, listBinlogFiles, parseBinlogFileName } from './binlog-files.js';
import { DEFAULT_READ_CHUNK_BYTES, EventCursor } from './internal/event-cursor.js';
import { GroupTracker } from './internal/group-tracker.js';

/** Default bound on how long a follower waits with nothing new before it stops (ms). */
export const DEFAULT_FOLLOW_IDLE_TIMEOUT_MS = 60_000;
/** Default poll interval of a follower that has no writer to wait on (ms). */
export const DEFAULT_FOLLOW_POLL_INTERVAL_MS = 50;

export interface FollowOptions {
  /** Stops the stream (it ends normally) when aborted. */
  readonly signal?: AbortSignal;
  /** The stream ends after this long with nothing new (ms). Default 60 000. */
  readonly idleTimeoutMs?: number;
  /** How often to look again at the file (ms). Default 50. */
  readonly pollIntervalMs?: number;
  /** Wakes the reader early on an append, e.g. `(ms, signal) => writer.waitForAppend(ms, signal)`. */
  readonly waitForAppend?: (timeoutMs: number, signal?: AbortSignal) => Promise<void>;
  readonly clock?: Clock;
}

export interface BinlogReadOptions extends BinlogLocation {
  /**
   * Where to start: a file and offset (offset default 4, the first event), or a GTID
   * position (a replica's gtid_slave_pos: groups it already has are skipped). Default:
   * the oldest file.
   */
  readonly start?: { readonly file: string; readonly offset?: number } | { readonly gtidPosition: GtidPosition; readonly binlogState?: GtidPosition };
  /** Keep reading as the binlog grows (live streaming); without it the stream ends at the end. */
  readonly follow?: FollowOptions;
  readonly verifyChecksums?: boolean;
  readonly maxEventBytes?: number;
  readonly chunkBytes?: number;
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

async function openFile(location: BinlogLocation, name: string): Promise<FileHandle> {
  const path = joinPath(location.dir, name);
  try {
    return await location.fs.open(path, { readOnly: true });
  } catch (error) {
    throw new BinlogFileError(name, 'cannot open (purged or never written?)', error);
  }
}

async function checkMagic(handle: FileHandle, name: string): Promise<boolean> {
  const magic = new Uint8Array(4);
  const got = await handle.read(magic, 0, 4, 0);
  if (got < 4) return false;
  if (!magic.every((b, i) => b === BINLOG_MAGIC[i])) throw new BinlogCorruptError(name, 0, 'not a binlog file (bad magic)');
  return true;
}

/** Reads the GTID_LIST at the start of a file (the state before it); undefined if it has none. */
export async function readFileGtidList(location: BinlogLocation, name: string): Promise<Gtid[] | undefined> {
  const handle = await openFile(location, name);
  try {
    if (!(await checkMagic(handle, name))) return undefined;
    const cursor = new EventCursor(handle, new BinlogEventDecoder({ file: name }), 4, 4096);
    for (let i = 0; i < 4; i++) {
      const step = await cursor.next();
      if (step.kind !== 'event') return undefined;
      const event = step.event.event;
      if (event.kind === 'gtidList') return [...event.gtids];
      if (event.kind === 'gtid') return undefined;
    }
    return undefined;
  } finally {
    await handle.close();
  }
}

/**
 * Where a replica at `position` must start: the newest file whose GTID_LIST (the state
 * before it) the position covers, and in it the offset of the first GTID group the
 * position does not contain (or the file's end). Groups of other domains after that
 * offset may still be contained: `readBinlog` with a GTID start skips those.
 * Throws GtidNotInBinlogError when the files that would be needed were purged, or when
 * `binlogState` (the binlog's own state) shows the position is ahead of the binlog.
 */
export async function findGtidStart(location: BinlogLocation, position: GtidPosition, binlogState?: GtidPosition): Promise<BinlogPosition> {
  if (binlogState !== undefined) {
    for (const gtid of position.list()) {
      const logged = binlogState.get(gtid.domainId);
      if (logged !== undefined && gtid.seqNo > logged.seqNo) {
        throw new GtidNotInBinlogError(`GTID ${formatGtid(gtid)} is ahead of the binlog (last in domain ${gtid.domainId}: ${formatGtid(logged)})`);
      }
    }
  }
  const files = await listBinlogFiles(location);
  const base = location.baseName ?? DEFAULT_BASE_NAME;
  for (let i = files.length - 1; i >= 0; i--) {
    const name = files[i]!;
    const list = await readFileGtidList(location, name);
    if (list === undefined) continue;
    if (!list.every((g) => position.contains(g))) continue;
    return { file: name, logNumber: parseBinlogFileName(base, name)!, offset: await firstUncontainedGroup(location, name, position) };
  }
  throw new GtidNotInBinlogError(`the binlog files holding the groups after ${position.toString() || '(empty position)'} were purged`);
}

async function firstUncontainedGroup(location: BinlogLocation, name: string, position: GtidPosition): Promise<number> {
  const handle = await openFile(location, name);
  try {
    await checkMagic(handle, name);
    const cursor = new EventCursor(handle, new BinlogEventDecoder({ file: name }), 4);
    for (;;) {
      const step = await cursor.next();
      if (step.kind !== 'event') return step.offset;
      const event = step.event.event;
      if (event.kind === 'gtid' && !position.contains({ domainId: event.domainId, serverId: event.serverId, seqNo: event.seqNo })) return step.event.position;
    }
  } finally {
    await handle.close();
  }
}

/**
 * The binlog's events in order, across files (following ROTATE events, or the next file
 * after a STOP or a crashed file's end), from a position or a GTID state. Ends at the end
 * of the binlog, or with `follow` keeps waiting for more (bounded by `idleTimeoutMs`,
 * stopped by `signal`). A file that ends inside an event gives BinlogTruncatedError
 * (unless following and it is the newest file: then the rest is awaited); damage gives
 * BinlogCorruptError with the file and offset.
 */
export async function* readBinlog(options: BinlogReadOptions): AsyncGenerator<PositionedBinlogEvent, void, undefined> {
  for await (const batch of readBinlogBatches(options)) yield* batch;
}

/** Most events in one batch of `readBinlogBatches`. */
export const MAX_READ_BATCH_EVENTS = 1024;

/**
 * `readBinlog` in batches: the events already buffered, up to MAX_READ_BATCH_EVENTS at a
 * time (never empty). One await per batch instead of one per event — for consumers that
 * go through millions of events (a replica's relay-log reader, recovery).
 */
export async function* readBinlogBatches(options: BinlogReadOptions): AsyncGenerator<PositionedBinlogEvent[], void, undefined> {
  const location: BinlogLocation = options;
  const base = location.baseName ?? DEFAULT_BASE_NAME;
  const follow = options.follow;
  const clock = follow?.clock ?? systemClock;
  const idleTimeoutMs = follow?.idleTimeoutMs ?? DEFAULT_FOLLOW_IDLE_TIMEOUT_MS;
  const pollMs = follow?.pollIntervalMs ?? DEFAULT_FOLLOW_POLL_INTERVAL_MS;
  const start = options.start;
  let skip: GtidPosition | undefined;
  let name: string;
  let offset: number;
  if (start !== undefined && 'gtidPosition' in start) {
    const found = await findGtidStart(location, start.gtidPosition, start.binlogState);
    name = found.file;
    offset = found.offset;
    skip = start.gtidPosition;
  } else if (start !== undefined) {
    name = start.file;
    offset = start.offset ?? 4;
    if (parseBinlogFileName(base, name) === undefined) throw new BinlogFileError(name, `is not a binlog file name of base ${base}`);
  } else {
    const files = await listBinlogFiles(location);
    if (files.length === 0) {
      if (follow === undefined) return;
      throw new BinlogFileError(location.dir, 'no binlog files to follow');
    }
    name = files[0]!;
    offset = 4;
  }

  const tracker = new GroupTracker();
  let skipping = false;
  /** Waits for the binlog to change; false when the wait is over for good (idle timeout, abort). */
  let idleSinceMs = clock.now();
  const waitForMore = async (): Promise<boolean> => {
    if (follow === undefined || isAborted(follow.signal)) return false;
    const left = idleTimeoutMs - (clock.now() - idleSinceMs);
    if (left <= 0) return false;
    const ms = Math.min(pollMs, left);
    if (follow.waitForAppend !== undefined) await follow.waitForAppend(ms, follow.signal);
    else await clock.sleep(ms);
    return !isAborted(follow.signal);
  };
  const nextFileName = async (current: string): Promise<string | undefined> => {
    const n = parseBinlogFileName(base, current)!;
    const files = await listBinlogFiles(location);
    return files.find((f) => parseBinlogFileName(base, f)! > n);
  };

  let cameFromRotate = false;
  for (;;) {
    // A ROTATE is written to the old file before the new file exists: a follower waits
    // for it; a plain reader ends there (the writer stopped between the two).
    if (cameFromRotate && !(await location.fs.exists(joinPath(location.dir, name)))) {
      let appeared = false;
      while (await waitForMore()) {
        if (await location.fs.exists(joinPath(location.dir, name))) {
          appeared = true;
          break;
        }
      }
      if (!appeared) return;
    }
    const handle = await openFile(location, name);
    let nextName: string | undefined;
    try {
      while (!(await checkMagic(handle, name))) {
        if (!(await waitForMore())) return;
      }
      // Zero-copy is safe here: the cursor never overwrites a chunk it decoded from.
      const decoder = new BinlogEventDecoder({
        file: name,
        zeroCopy: true,
        ...(options.verifyChecksums === undefined ? {} : { verifyChecksums: options.verifyChecksums }),
        ...(options.maxEventBytes === undefined ? {} : { maxEventBytes: options.maxEventBytes }),
      });
      const cursor = new EventCursor(handle, decoder, 4, options.chunkBytes ?? DEFAULT_READ_CHUNK_BYTES);
      if (offset > 4) {
        // The FORMAT_DESCRIPTION says how to read the rest (checksums, post-header lengths).
        let first = await cursor.next();
        while (first.kind !== 'event') {
          if (!(await waitForMore())) {
            if (first.kind === 'partial') throw new BinlogTruncatedError(name, first.offset, first.available, first.needed);
            return;
          }
          first = await cursor.next();
        }
        if (first.event.event.kind !== 'formatDescription') throw new BinlogCorruptError(name, 4, 'first event is not a format description');
        cursor.reset(offset);
      }
      let batch: PositionedBinlogEvent[] = [];
      for (;;) {
        let step = cursor.nextBuffered();
        if (step === undefined) {
          if (batch.length > 0) {
            yield batch;
            batch = [];
          }
          step = await cursor.next();
        }
        if (step.kind === 'event') {
          idleSinceMs = clock.now();
          const positioned = step.event;
          const event = positioned.event;
          const where = tracker.feed(event);
          if (where === 'begin' && event.kind === 'gtid') skipping = skip?.contains({ domainId: event.domainId, serverId: event.serverId, seqNo: event.seqNo }) ?? false;
          const inSkipped = skipping && where !== 'outside';
          if (where === 'end' || where === 'outside') skipping = false;
          if (!inSkipped) batch.push(positioned);
          if (batch.length >= MAX_READ_BATCH_EVENTS) {
            yield batch;
            batch = [];
          }
          if (event.kind === 'rotate' && (event.flags & 0x20) === 0) {
            nextName = event.nextFile;
            if (batch.length > 0) yield batch;
            break;
          }
          continue;
        }
        if (batch.length > 0) {
          yield batch;
          batch = [];
        }
        // At the end of the bytes there are now: is there a next file to move to?
        const after = await nextFileName(name);
        if (after !== undefined) {
          // Everything for this file was written before the next one was created: one more look.
          const again = await cursor.next();
          if (again.kind === 'event') {
            cursor.reset(again.event.position);
            continue;
          }
          if (again.kind === 'partial') throw new BinlogTruncatedError(name, again.offset, again.available, again.needed);
          nextName = after;
          break;
        }
        if (follow === undefined) {
          if (step.kind === 'partial') throw new BinlogTruncatedError(name, step.offset, step.available, step.needed);
          return;
        }
        if (!(await waitForMore())) return;
      }
    } finally {
      await handle.close();
    }
    name = nextName;
    offset = 4;
    cameFromRotate = true;
    tracker.reset();
    skipping = false;
  }
}
