// Public API of @lockstep/kv: named re-exports only.
export { KvStore } from './kv-store.js';
export { KvBusyError } from './errors/kv-busy-error.js';
export { KvClosedError } from './errors/kv-closed-error.js';
export { KvCorruptionError } from './errors/kv-corruption-error.js';
export { KvInvalidArgumentError } from './errors/kv-invalid-argument-error.js';
export { KvIoError } from './errors/kv-io-error.js';
export { KvXidError } from './errors/kv-xid-error.js';
export type {
  IteratorOptions,
  KvEngine,
  KvEntry,
  KvIterator,
  KvOpenOptions,
  KvSnapshot,
  KvStats,
  PreparedTransaction,
  ReadOptions,
  RecoveryReport,
  WriteOp,
  WriteOptions,
  Xid,
} from './types.js';
