import type { FileSystem } from '@lockstep/base';
import { KvCorruptionError } from '../errors/kv-corruption-error.js';
import { writeFileDurably } from './durable-file.js';
import { encodeFileHeader, FORMAT_VERSION, MANIFEST_MAGIC, PayloadError, PayloadReader, readFrame, RecordType } from './record-codec.js';

export const MANIFEST_NAME = 'MANIFEST';

/** Which files are live: the checkpoint (0 = none) and the first log file to replay after it. */
export interface Manifest {
  readonly checkpointNumber: number;
  readonly firstLogNumber: number;
}

export async function writeManifest(fs: FileSystem, dir: string, manifest: Manifest): Promise<void> {
  const bytes = encodeFileHeader(RecordType.Manifest, MANIFEST_MAGIC, [manifest.checkpointNumber, manifest.firstLogNumber]);
  await writeFileDurably(fs, dir, MANIFEST_NAME, (write) => write(bytes));
}

export function decodeManifest(data: Uint8Array, file: string): Manifest {
  const frame = readFrame(data, 0);
  if (!frame.ok) throw new KvCorruptionError(file, 0, frame.reason);
  if (frame.type !== RecordType.Manifest) throw new KvCorruptionError(file, 0, `record type ${frame.type} is not a manifest`);
  if (frame.end !== data.length) throw new KvCorruptionError(file, frame.end, `${data.length - frame.end} bytes after the manifest record`);
  try {
    const r = new PayloadReader(data, frame.payloadStart, frame.end);
    r.magic(MANIFEST_MAGIC);
    const version = r.u32();
    if (version !== FORMAT_VERSION) throw new PayloadError(`format version ${version} is not supported (expected ${FORMAT_VERSION})`);
    const checkpointNumber = r.u64();
    const firstLogNumber = r.u64();
    r.done();
    return { checkpointNumber, firstLogNumber };
  } catch (error) {
    if (error instanceof PayloadError) throw new KvCorruptionError(file, 0, error.message);
    throw error;
  }
}
