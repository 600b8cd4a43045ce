import { LockstepError } from './lockstep-error.js';

/** The POSIX error codes the storage layers react to; anything else maps to EIO. */
export type FileSystemErrorCode = 'ENOENT' | 'EEXIST' | 'ENOTDIR' | 'EISDIR' | 'ENOTEMPTY' | 'EINVAL' | 'EIO' | 'ENOSPC' | 'EBADF';

export type FileSystemOperation =
  | 'open'
  | 'read'
  | 'write'
  | 'append'
  | 'sync'
  | 'datasync'
  | 'truncate'
  | 'size'
  | 'close'
  | 'readFile'
  | 'writeFile'
  | 'rename'
  | 'unlink'
  | 'readdir'
  | 'mkdir'
  | 'stat'
  | 'syncDir'
  | 'rm';

/** MySQL's numbers for the two failures users must be able to tell apart. */
const ERRNO_BY_CODE: Partial<Record<FileSystemErrorCode, number>> = {
  ENOSPC: 1021, // ER_DISK_FULL
  EIO: 1026, // ER_ERROR_ON_WRITE
};

/** A file-system call failed; names the operation, the path and the OS error code. */
export class FileSystemError extends LockstepError {
  readonly fsCode: FileSystemErrorCode;
  readonly operation: FileSystemOperation;
  readonly path: string;

  constructor(fsCode: FileSystemErrorCode, operation: FileSystemOperation, path: string, options: { cause?: unknown; detail?: string } = {}) {
    const errno = ERRNO_BY_CODE[fsCode];
    super(`FS_${fsCode}`, `${operation} ${path}: ${fsCode}${options.detail === undefined ? '' : ` (${options.detail})`}`, {
      ...(errno === undefined ? {} : { errno, sqlState: 'HY000' }),
      cause: options.cause,
    });
    this.fsCode = fsCode;
    this.operation = operation;
    this.path = path;
  }
}
