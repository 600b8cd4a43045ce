// Public API of @lockstep/kv: named re-exports only. The engine class (KvStore) lands with
// the implementation; src/types.ts is the contract txn, tc and sql are written against.
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
