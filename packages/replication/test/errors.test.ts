import { isLockstepError } from '@lockstep/base';
import { describe, expect, it } from 'vitest';
import { ApplierStoppedError, EventStreamError, ReplicaApplyError, RetriesExhaustedError, TransactionKilledError, isTemporaryApplyError } from '../src/index.js';
import { SimApplyError } from './sim/memory-database.js';

describe('errors', () => {
  it('carry stable codes and MySQL numbers', () => {
    const killed = new TransactionKilledError('0-1-5');
    expect([killed.code, killed.errno, killed.sqlState, killed.temporary]).toEqual(['REPL_TRANSACTION_KILLED', 1927, '70100', true]);
    expect(new EventStreamError('x').errno).toBe(1594);
    expect(new ApplierStoppedError('x').code).toBe('REPL_STOPPED');
    const cause = new SimApplyError('DUP', 'duplicate key', 1062, false);
    const failed = new ReplicaApplyError('0-1-9', cause);
    expect([failed.code, failed.errno, failed.gtid, failed.cause]).toEqual(['REPL_APPLY_FAILED', 1062, '0-1-9', cause]);
    expect(failed.message).toContain('0-1-9');
    const exhausted = new RetriesExhaustedError('0-1-3', 11, cause);
    expect(exhausted.message).toContain('retried 10 time(s)');
    for (const e of [killed, failed, exhausted]) expect(isLockstepError(e)).toBe(true);
  });

  it('isTemporaryApplyError accepts temporary: true and errno 1205, 1213, 1927 only', () => {
    expect(isTemporaryApplyError(new TransactionKilledError('0-1-1'))).toBe(true);
    expect(isTemporaryApplyError({ errno: 1205 })).toBe(true);
    expect(isTemporaryApplyError({ errno: 1213 })).toBe(true);
    expect(isTemporaryApplyError({ temporary: true })).toBe(true);
    expect(isTemporaryApplyError({ errno: 1062 })).toBe(false);
    expect(isTemporaryApplyError(new Error('boom'))).toBe(false);
    expect(isTemporaryApplyError('1205')).toBe(false);
    expect(isTemporaryApplyError(null)).toBe(false);
  });
});
