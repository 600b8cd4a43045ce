/**
 * The few file-system calls the storage layers need, as an injected interface, so that
 * tests can run the same code on a simulated disk that crashes, tears writes and fails.
 *
 * Contract shared by every implementation:
 * - Failures throw `FileSystemError` with the OS code (ENOENT, EEXIST, EIO, ENOSPC, ...).
 * - `FileHandle.write` writes every byte or throws; `append` writes at the current end.
 * - Data is durable only after `sync`/`datasync` of the file; a created, renamed or
 *   removed name is durable only after `syncDir` of its parent directory.
 * - `readdir` returns names sorted by code unit, without "." and "..".
 */
export interface OpenOptions {
  /** Create the file if it does not exist (default false). */
  readonly create?: boolean;
  /** Fail with EEXIST if it exists (only with create). */
  readonly exclusive?: boolean;
  /** Truncate to zero length on open. */
  readonly truncate?: boolean;
  /** Open for reading only; writes fail with EBADF. */
  readonly readOnly?: boolean;
}

export interface FileStat {
  readonly size: number;
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly mtimeMs: number;
}

export interface FileHandle {
  readonly path: string;
  /** Reads up to `length` bytes at `position` into `buffer[offset..]`; returns bytes read (0 at end). */
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  /** Writes all of `data` at `position`, extending the file if needed. */
  write(data: Uint8Array, position: number): Promise<void>;
  /** Writes all of `data` at the current end of the file; returns the offset it was written at. */
  append(data: Uint8Array): Promise<number>;
  /** Makes the file's data and size durable. */
  sync(): Promise<void>;
  /** Makes the file's data durable (size included when it changed). */
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  /** Current size in bytes, including writes not yet synced. */
  size(): Promise<number>;
  close(): Promise<void>;
}

export interface FileSystem {
  open(path: string, options?: OpenOptions): Promise<FileHandle>;
  /** The whole file. */
  readFile(path: string): Promise<Uint8Array>;
  /** Replaces the file's content (not synced). */
  writeFile(path: string, data: Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  readdir(dir: string): Promise<string[]>;
  /** Creates the directory and, with `recursive`, its parents; an existing one is fine with `recursive`. */
  mkdir(dir: string, options?: { readonly recursive?: boolean }): Promise<void>;
  stat(path: string): Promise<FileStat>;
  /** True if the path exists. */
  exists(path: string): Promise<boolean>;
  /** Makes the directory's entries (creates, renames, unlinks) durable. */
  syncDir(dir: string): Promise<void>;
  /** Removes a file or, with `recursive`, a directory tree; a missing path is fine with `force`. */
  rm(path: string, options?: { readonly recursive?: boolean; readonly force?: boolean }): Promise<void>;
}
