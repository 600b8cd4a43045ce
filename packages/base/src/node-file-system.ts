import * as fsp from 'node:fs/promises';
import { FileSystemError, type FileSystemErrorCode, type FileSystemOperation } from './errors/file-system-error.js';
import type { FileHandle, FileStat, FileSystem, OpenOptions } from './file-system.js';

const KNOWN_CODES = new Set<string>(['ENOENT', 'EEXIST', 'ENOTDIR', 'EISDIR', 'ENOTEMPTY', 'EINVAL', 'EIO', 'ENOSPC', 'EBADF']);
// Node's own codes for conditions that have a POSIX name.
const NODE_CODES: Record<string, FileSystemErrorCode> = { ERR_FS_EISDIR: 'EISDIR' };

function wrap(error: unknown, operation: FileSystemOperation, path: string): FileSystemError {
  const raw = (error as { code?: unknown }).code;
  const code = typeof raw !== 'string' ? 'EIO' : KNOWN_CODES.has(raw) ? (raw as FileSystemErrorCode) : (NODE_CODES[raw] ?? 'EIO');
  return new FileSystemError(code, operation, path, { cause: error, ...(code === raw ? {} : { detail: String(raw) }) });
}

async function guard<T>(operation: FileSystemOperation, path: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw wrap(error, operation, path);
  }
}

class NodeFileHandle implements FileHandle {
  readonly path: string;
  readonly #handle: fsp.FileHandle;
  readonly #readOnly: boolean;
  // The end of file as this handle knows it: appends go here. A single writer per file is
  // assumed (every storage file has one owner), so tracking the size avoids an fstat per append.
  #size: number;

  constructor(path: string, handle: fsp.FileHandle, size: number, readOnly: boolean) {
    this.path = path;
    this.#handle = handle;
    this.#size = size;
    this.#readOnly = readOnly;
  }

  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    return guard('read', this.path, async () => {
      let total = 0;
      while (total < length) {
        const { bytesRead } = await this.#handle.read(buffer, offset + total, length - total, position + total);
        if (bytesRead === 0) break;
        total += bytesRead;
      }
      return total;
    });
  }

  write(data: Uint8Array, position: number): Promise<void> {
    return guard('write', this.path, async () => {
      if (this.#readOnly) throw Object.assign(new Error('read-only handle'), { code: 'EBADF' });
      let done = 0;
      while (done < data.length) {
        const { bytesWritten } = await this.#handle.write(data, done, data.length - done, position + done);
        done += bytesWritten;
      }
      if (data.length > 0) this.#size = Math.max(this.#size, position + data.length);
    });
  }

  async append(data: Uint8Array): Promise<number> {
    const at = this.#size;
    // Reserve the range before the first await so concurrent appends do not overlap.
    this.#size += data.length;
    try {
      await this.write(data, at);
    } catch (error) {
      if (this.#size === at + data.length) this.#size = at;
      throw error instanceof FileSystemError ? new FileSystemError(error.fsCode, 'append', this.path, { cause: error.cause }) : error;
    }
    return at;
  }

  sync(): Promise<void> {
    return guard('sync', this.path, () => this.#handle.sync());
  }

  datasync(): Promise<void> {
    return guard('datasync', this.path, () => this.#handle.datasync());
  }

  truncate(length: number): Promise<void> {
    return guard('truncate', this.path, async () => {
      await this.#handle.truncate(length);
      this.#size = length;
    });
  }

  size(): Promise<number> {
    return guard('size', this.path, async () => (await this.#handle.stat()).size);
  }

  close(): Promise<void> {
    return guard('close', this.path, () => this.#handle.close());
  }
}

/** `FileSystem` on `node:fs/promises`. */
export class NodeFileSystem implements FileSystem {
  open(path: string, options: OpenOptions = {}): Promise<FileHandle> {
    return guard('open', path, async () => {
      let flags: string;
      if (options.readOnly === true) flags = 'r';
      else if (options.create === true) flags = options.exclusive === true ? 'wx+' : options.truncate === true ? 'w+' : 'a+';
      else flags = 'r+';
      // 'a+' would force every write to the end; reopen as 'r+' once the file is known to exist.
      let handle = await fsp.open(path, flags);
      if (flags === 'a+') {
        await handle.close();
        handle = await fsp.open(path, 'r+');
      }
      if (options.truncate === true && flags === 'r+') await handle.truncate(0);
      const { size } = await handle.stat();
      return new NodeFileHandle(path, handle, size, options.readOnly === true);
    });
  }

  readFile(path: string): Promise<Uint8Array> {
    return guard('readFile', path, async () => new Uint8Array(await fsp.readFile(path)));
  }

  writeFile(path: string, data: Uint8Array): Promise<void> {
    return guard('writeFile', path, () => fsp.writeFile(path, data));
  }

  rename(from: string, to: string): Promise<void> {
    return guard('rename', from, () => fsp.rename(from, to));
  }

  unlink(path: string): Promise<void> {
    return guard('unlink', path, () => fsp.unlink(path));
  }

  readdir(dir: string): Promise<string[]> {
    return guard('readdir', dir, async () => (await fsp.readdir(dir)).sort(compareNames));
  }

  mkdir(dir: string, options: { readonly recursive?: boolean } = {}): Promise<void> {
    return guard('mkdir', dir, async () => {
      await fsp.mkdir(dir, { recursive: options.recursive === true });
    });
  }

  stat(path: string): Promise<FileStat> {
    return guard('stat', path, async () => {
      const s = await fsp.stat(path);
      return { size: s.size, isFile: s.isFile(), isDirectory: s.isDirectory(), mtimeMs: s.mtimeMs };
    });
  }

  async exists(path: string): Promise<boolean> {
    try {
      await fsp.stat(path);
      return true;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return false;
      throw wrap(error, 'stat', path);
    }
  }

  syncDir(dir: string): Promise<void> {
    return guard('syncDir', dir, async () => {
      const handle = await fsp.open(dir, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
  }

  rm(path: string, options: { readonly recursive?: boolean; readonly force?: boolean } = {}): Promise<void> {
    return guard('rm', path, () => fsp.rm(path, { recursive: options.recursive === true, force: options.force === true }));
  }
}

/** Code-unit order, the order `readdir` results are returned in. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The process-wide real file system. */
export const nodeFileSystem: FileSystem = new NodeFileSystem();
