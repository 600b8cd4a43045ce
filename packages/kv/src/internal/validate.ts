import { KvInvalidArgumentError } from '../errors/kv-invalid-argument-error.js';
import type { WriteOp } from '../types.js';

export interface SizeLimits {
  readonly maxKeyBytes: number;
  readonly maxValueBytes: number;
  readonly maxBatchBytes: number;
}

/** Checks a batch before anything is applied; returns its payload size in bytes. */
export function validateOps(ops: readonly WriteOp[], limits: SizeLimits): number {
  if (!Array.isArray(ops)) throw new KvInvalidArgumentError('ops must be an array');
  let bytes = 0;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i] as WriteOp | undefined;
    if (op === undefined || typeof op !== 'object') throw new KvInvalidArgumentError(`op ${i} is not an object`);
    const key: unknown = op.key;
    if (!(key instanceof Uint8Array)) throw new KvInvalidArgumentError(`op ${i}: key must be a Uint8Array`);
    if (key.length > limits.maxKeyBytes) throw new KvInvalidArgumentError(`op ${i}: key of ${key.length} bytes exceeds maxKeyBytes ${limits.maxKeyBytes}`);
    bytes += key.length;
    if (op.type === 'put') {
      const value: unknown = op.value;
      if (!(value instanceof Uint8Array)) throw new KvInvalidArgumentError(`op ${i}: value must be a Uint8Array`);
      if (value.length > limits.maxValueBytes) throw new KvInvalidArgumentError(`op ${i}: value of ${value.length} bytes exceeds maxValueBytes ${limits.maxValueBytes}`);
      bytes += value.length;
    } else if ((op.type as string) !== 'delete') {
      throw new KvInvalidArgumentError(`op ${i}: type must be 'put' or 'delete'`);
    }
  }
  if (bytes > limits.maxBatchBytes) throw new KvInvalidArgumentError(`batch of ${bytes} bytes exceeds maxBatchBytes ${limits.maxBatchBytes}`);
  return bytes;
}

export function validateKey(key: unknown): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array)) throw new KvInvalidArgumentError('key must be a Uint8Array');
}

export function validateXid(xid: unknown): asserts xid is bigint {
  if (typeof xid !== 'bigint' || xid < 0n || xid >= 1n << 64n) throw new KvInvalidArgumentError('xid must be a bigint in [0, 2^64)');
}

export function validateCoordinatorPosition(position: unknown): asserts position is Uint8Array | undefined {
  if (position !== undefined && !(position instanceof Uint8Array)) throw new KvInvalidArgumentError('coordinatorPosition must be a Uint8Array');
}

/** Deep copy, so later changes to the caller's buffers cannot reach a prepared batch. */
export function copyOps(ops: readonly WriteOp[]): WriteOp[] {
  return ops.map((op) => (op.type === 'put' ? { type: 'put', key: op.key.slice(), value: op.value.slice() } : { type: 'delete', key: op.key.slice() }));
}
