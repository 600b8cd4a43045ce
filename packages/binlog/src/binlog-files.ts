import type { FileSystem } from '@lockstep/base';
import { BinlogFileError } from './errors/binlog-file-error.js';

/** A place in the binlog: file, its number, and a byte offset. Structurally a tc `CoordinatorPosition`. */
export interface BinlogPosition {
  readonly file: string;
  readonly logNumber: number;
  readonly offset: number;
}

/** Where a binlog lives: a directory and the files' base name (`binlog` → `binlog.000001`). */
export interface BinlogLocation {
  readonly fs: FileSystem;
  readonly dir: string;
  /** Default `binlog`. */
  readonly baseName?: string;
}

export const DEFAULT_BASE_NAME = 'binlog';
/** Highest file number (MariaDB's limit is 2^31 - 1; six digits are padding, not a bound). */
export const MAX_LOG_NUMBER = 0x7fffffff;

export function binlogFileName(baseName: string, logNumber: number): string {
  return `${baseName}.${String(logNumber).padStart(6, '0')}`;
}

/** The file number of `name` if it is a binlog file of `baseName`, else undefined. */
export function parseBinlogFileName(baseName: string, name: string): number | undefined {
  const bare = name.slice(name.lastIndexOf('/') + 1);
  if (!bare.startsWith(`${baseName}.`)) return undefined;
  const suffix = bare.slice(baseName.length + 1);
  if (!/^\d{6,10}$/.test(suffix)) return undefined;
  const n = Number(suffix);
  return n >= 1 && n <= MAX_LOG_NUMBER ? n : undefined;
}

export function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

/** The binlog files in the directory, oldest first (the directory is the truth; the index follows it). */
export async function listBinlogFiles(location: BinlogLocation): Promise<string[]> {
  const base = location.baseName ?? DEFAULT_BASE_NAME;
  let names: string[];
  try {
    names = await location.fs.readdir(location.dir);
  } catch (error) {
    throw new BinlogFileError(location.dir, 'cannot list the binlog directory', error);
  }
  return names
    .map((name) => ({ name, n: parseBinlogFileName(base, name) }))
    .filter((x): x is { name: string; n: number } => x.n !== undefined)
    .sort((a, b) => a.n - b.n)
    .map((x) => x.name);
}

/** Reads `<base>.index`: one name per line, paths reduced to their last component. Missing → []. */
export async function readBinlogIndex(location: BinlogLocation): Promise<string[]> {
  const base = location.baseName ?? DEFAULT_BASE_NAME;
  const path = joinPath(location.dir, `${base}.index`);
  if (!(await location.fs.exists(path))) return [];
  const text = new TextDecoder().decode(await location.fs.readFile(path));
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => line.slice(line.lastIndexOf('/') + 1));
}

/** Replaces `<base>.index` atomically: temp file, sync, rename, directory sync. */
export async function writeBinlogIndex(location: BinlogLocation, files: readonly string[]): Promise<void> {
  const base = location.baseName ?? DEFAULT_BASE_NAME;
  const path = joinPath(location.dir, `${base}.index`);
  const tmp = `${path}.tmp`;
  const handle = await location.fs.open(tmp, { create: true, truncate: true });
  try {
    await handle.write(new TextEncoder().encode(files.map((f) => `${f}\n`).join('')), 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await location.fs.rename(tmp, path);
  await location.fs.syncDir(location.dir);
}
