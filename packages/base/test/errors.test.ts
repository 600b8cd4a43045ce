import { describe, expect, it, vi } from 'vitest';
import { FileSystemError, InvariantError, LockstepError, invariant, isLockstepError } from '../src/index.js';

describe('LockstepError', () => {
  it('carries code, errno, sqlState and cause', () => {
    const cause = new Error('root');
    const error = new LockstepError('LOCK_WAIT_TIMEOUT', 'Lock wait timeout exceeded', { errno: 1205, sqlState: 'HY000', cause });
    expect(error.code).toBe('LOCK_WAIT_TIMEOUT');
    expect(error.errno).toBe(1205);
    expect(error.sqlState).toBe('HY000');
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('LockstepError');
    expect(error).toBeInstanceOf(Error);
  });

  it('names subclasses after themselves', () => {
    class DeadlockError extends LockstepError {
      constructor() {
        super('DEADLOCK', 'Deadlock found', { errno: 1213, sqlState: '40001' });
      }
    }
    const error = new DeadlockError();
    expect(error.name).toBe('DeadlockError');
    expect(isLockstepError(error)).toBe(true);
  });

  it('is recognised across module instances (another copy of the package)', async () => {
    vi.resetModules();
    const other = await import('../src/errors/lockstep-error.js');
    const foreign = new other.LockstepError('X', 'from another copy');
    expect(other.LockstepError).not.toBe(LockstepError);
    expect(foreign instanceof LockstepError).toBe(false);
    expect(isLockstepError(foreign)).toBe(true);
  });

  it('rejects look-alikes', () => {
    expect(isLockstepError(new Error('plain'))).toBe(false);
    expect(isLockstepError({ code: 'X', message: 'm' })).toBe(false);
    expect(isLockstepError(null)).toBe(false);
    expect(isLockstepError('LockstepError')).toBe(false);
  });

  it('maps disk-full to MySQL ER_DISK_FULL', () => {
    const error = new FileSystemError('ENOSPC', 'write', '/data/wal-1');
    expect(error.code).toBe('FS_ENOSPC');
    expect(error.errno).toBe(1021);
    expect(error.message).toContain('/data/wal-1');
    expect(error.message).toContain('write');
  });
});

describe('invariant', () => {
  it('passes when the condition holds and throws InvariantError otherwise', () => {
    expect(() => { invariant(1 + 1 === 2, 'math'); }).not.toThrow();
    expect(() => { invariant(false, 'queue length must not be negative'); }).toThrow(InvariantError);
    expect(() => { invariant(0, () => ['lazy', 'message'].join(' ')); }).toThrow(/invariant violated: lazy message/);
  });

  it('does not build a lazy message when the condition holds', () => {
    const build = vi.fn(() => 'never');
    invariant(true, build);
    expect(build).not.toHaveBeenCalled();
  });
});
