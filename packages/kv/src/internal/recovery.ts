import type { FileSystem } from '@lockstep/base';
import { KvCorruptionError } from '../errors/kv-corruption-error.js';
import type { RecoveryReport, WriteOp } from '../types.js';
import { checkpointFileName, decodeCheckpoint } from './checkpoint-file.js';
import { logFileName, type CoordinatorMark } from './log-writer.js';
import { decodeManifest, MANIFEST_NAME, type Manifest } from './manifest.js';
import { FORMAT_VERSION, LOG_MAGIC, PayloadError, PayloadReader, readFrame, RecordType } from './record-codec.js';
import { VersionedStore } from './versioned-store.js';

const LOG_FILE = /^log-(\d+)\.wal$/;
const CHECKPOINT_FILE = /^checkpoint-(\d+)\.ckpt$/;

export interface RecoveredState {
  readonly store: VersionedStore;
  readonly prepared: Map<bigint, readonly WriteOp[]>;
  readonly coordinator: CoordinatorMark | undefined;
  readonly manifest: Manifest;
  /** Log files kept (numbers >= manifest.firstLogNumber that exist), ascending. */
  readonly logNumbers: number[];
  readonly nextLogNumber: number;
  readonly report: RecoveryReport;
}

export function isEngineFile(name: string): boolean {
  return name === MANIFEST_NAME || LOG_FILE.test(name) || CHECKPOINT_FILE.test(name) || name.endsWith('.tmp');
}

/**
 * Rebuilds the state from `dir`: the manifest names the checkpoint to load and the first
 * log to replay; every log from there on is replayed in order. A record that fails its
 * frame check in the newest log that holds records is a torn tail: it and everything after
 * it are discarded (reported, and the file truncated so appends never follow garbage).
 * The same damage followed by intact records in a later log is corruption (KvCorruptionError),
 * as is any record whose checksum is right but whose content makes no sense.
 * REQUIRES: MANIFEST exists in `dir`.
 */
export async function recover(fs: FileSystem, dir: string): Promise<RecoveredState> {
  const names = await fs.readdir(dir);
  const manifest = decodeManifest(await fs.readFile(`${dir}/${MANIFEST_NAME}`), `${dir}/${MANIFEST_NAME}`);
  const store = new VersionedStore();
  const prepared = new Map<bigint, readonly WriteOp[]>();
  let coordinator: CoordinatorMark | undefined;
  let checkpointFile: string | undefined;

  if (manifest.checkpointNumber !== 0) {
    checkpointFile = checkpointFileName(manifest.checkpointNumber);
    if (!names.includes(checkpointFile)) throw new KvCorruptionError(`${dir}/${MANIFEST_NAME}`, 0, `names ${checkpointFile}, which does not exist`);
    const loaded = decodeCheckpoint(await fs.readFile(`${dir}/${checkpointFile}`), `${dir}/${checkpointFile}`);
    store.load(loaded.entries, loaded.seq);
    for (const [xid, ops] of loaded.prepared) prepared.set(xid, ops);
    coordinator = loaded.coordinator;
  }

  const logNumbers = names
    .map((name) => LOG_FILE.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .filter((n) => n >= manifest.firstLogNumber)
    .sort((a, b) => a - b);
  const logs = await Promise.all(logNumbers.map(async (n) => ({ n, name: logFileName(n), data: await fs.readFile(`${dir}/${logFileName(n)}`) })));

  const discarded: { file: string; offset: number; bytes: number; reason: string }[] = [];
  const replayed: string[] = [];
  let batchesReplayed = 0;

  for (let j = 0; j < logs.length; j++) {
    const { n, name, data } = logs[j]!;
    const path = `${dir}/${name}`;
    if (data.length === 0) continue;
    replayed.push(name);
    let offset = 0;
    let bad: string | undefined;
    while (offset < data.length) {
      const frame = readFrame(data, offset);
      if (!frame.ok) {
        bad = frame.reason;
        break;
      }
      try {
        const r = new PayloadReader(data, frame.payloadStart, frame.end);
        if (offset === 0) {
          if (frame.type !== RecordType.LogHeader) throw new PayloadError(`first record has type ${frame.type}, not a log header`);
          r.magic(LOG_MAGIC);
          const version = r.u32();
          if (version !== FORMAT_VERSION) throw new PayloadError(`format version ${version} is not supported`);
          const number = r.u64();
          if (number !== n) throw new PayloadError(`header says log ${number}, file name says ${n}`);
        } else {
          switch (frame.type) {
            case RecordType.Batch: {
              const seq = r.u64();
              const position = r.optionalCoordinator();
              const ops = r.ops();
              r.done();
              if (seq !== store.lastSeq + 1) throw new PayloadError(`batch sequence ${seq} does not follow ${store.lastSeq}`);
              store.apply(ops, seq);
              if (position !== undefined) coordinator = { seq, position };
              batchesReplayed++;
              break;
            }
            case RecordType.Prepare: {
              const xid = r.u64n();
              const ops = r.ops();
              if (prepared.has(xid)) throw new PayloadError(`XID ${xid} prepared twice`);
              prepared.set(xid, ops);
              break;
            }
            case RecordType.CommitPrepared: {
              const xid = r.u64n();
              const seq = r.u64();
              const position = r.optionalCoordinator();
              const ops = prepared.get(xid);
              if (ops === undefined) throw new PayloadError(`commit of XID ${xid}, which is not prepared`);
              if (seq !== store.lastSeq + 1) throw new PayloadError(`commit sequence ${seq} does not follow ${store.lastSeq}`);
              store.apply(ops, seq);
              prepared.delete(xid);
              if (position !== undefined) coordinator = { seq, position };
              batchesReplayed++;
              break;
            }
            case RecordType.RollbackPrepared: {
              const xid = r.u64n();
              if (!prepared.delete(xid)) throw new PayloadError(`rollback of XID ${xid}, which is not prepared`);
              break;
            }
            default:
              throw new PayloadError(`unknown record type ${frame.type}`);
          }
        }
        r.done();
      } catch (error) {
        if (error instanceof PayloadError) throw new KvCorruptionError(path, offset, error.message);
        throw error;
      }
      offset = frame.end;
    }
    if (bad === undefined) continue;
    // Damage: a torn tail only if no later log holds a record past its header.
    for (let k = j + 1; k < logs.length; k++) {
      const later = logs[k]!.data;
      const header = readFrame(later, 0);
      if (header.ok && readFrame(later, header.end).ok) throw new KvCorruptionError(path, offset, `${bad}, but later log ${logs[k]!.name} holds records`);
    }
    discarded.push({ file: path, offset, bytes: data.length - offset, reason: bad });
    const handle = await fs.open(path);
    try {
      await handle.truncate(offset);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
  // What was replayed came from files that may only be in the page cache (a process restart
  // without an OS crash): make the newest one durable so "recovered" means "durable".
  const newest = logs[logs.length - 1];
  if (newest !== undefined && newest.data.length > 0) {
    const handle = await fs.open(`${dir}/${newest.name}`);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  const highest = Math.max(manifest.firstLogNumber - 1, ...logNumbers);
  return {
    store,
    prepared,
    coordinator,
    manifest,
    logNumbers,
    nextLogNumber: highest + 1,
    report: { checkpointFile, logFilesReplayed: replayed, batchesReplayed, discarded, preparedFound: prepared.size },
  };
}

/** Files that no longer matter after recovery: logs before the manifest's first, other checkpoints, temporaries. */
export function obsoleteFiles(names: readonly string[], manifest: Manifest): string[] {
  return names.filter((name) => {
    if (name.endsWith('.tmp')) return true;
    const log = LOG_FILE.exec(name);
    if (log !== null) return Number(log[1]) < manifest.firstLogNumber;
    const checkpoint = CHECKPOINT_FILE.exec(name);
    if (checkpoint !== null) return Number(checkpoint[1]) !== manifest.checkpointNumber;
    return false;
  });
}
