import { FileSystemError, LockstepError } from '@lockstep/base';

/**
 * A file-system call the engine made failed. Wraps the `FileSystemError` (`cause`), keeps its
 * `fsCode` and MySQL errno (ENOSPC → 1021 ER_DISK_FULL, anything else → 1026 ER_ERROR_ON_WRITE).
 */
export class KvIoError extends LockstepError {
  readonly fsCode: string;

  constructor(what: string, cause: unknown) {
    const fsCode = cause instanceof FileSystemError ? cause.fsCode : 'EIO';
    const errno = fsCode === 'ENOSPC' ? 1021 : 1026;
    const detail = cause instanceof Error ? cause.message : String(cause);
    super('KV_IO_ERROR', `${what}: ${detail}`, { errno, sqlState: 'HY000', cause });
    this.fsCode = fsCode;
  }
}
