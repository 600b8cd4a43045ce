import { ManualClock, SimFileSystem } from '@lockstep/base';
import { BinlogEventDecoder, BinlogEventEncoder, type BinlogEvent, type EventInput } from '@lockstep/binlog';
import { KvStore } from '@lockstep/kv';
import { TransactionDb, type LockingMode } from '@lockstep/txn';
import { SqlEngine, type CommitRequest, type Committer, type ServerHooks, type SqlValue, type StatementResult } from '../../src/index.js';

/** One committed transaction as the test committer saw it: events encoded and decoded again with @lockstep/binlog. */
export interface LoggedTransaction {
  readonly ddl: boolean;
  readonly waited: boolean;
  readonly events: BinlogEvent[];
}

/**
 * A small real committer: encodes the events with the binlog encoder, decodes them back
 * (so every event is proven to be valid binlog), commits the txn transaction one-phase,
 * and keeps the decoded transaction in commit order.
 */
export class RecordingCommitter implements Committer {
  readonly log: LoggedTransaction[] = [];
  private seq = 0n;
  failNext: Error | undefined;

  async commit(request: CommitRequest): Promise<{ gtid: { domainId: number; serverId: number; seqNo: bigint } }> {
    if (this.failNext !== undefined) {
      const e = this.failNext;
      this.failNext = undefined;
      throw e;
    }
    const events = roundTrip(request.events);
    await request.transaction.commit();
    this.log.push({ ddl: request.ddl, waited: request.waited, events });
    this.seq++;
    return { gtid: { domainId: 0, serverId: 1, seqNo: this.seq } };
  }
}

export function roundTrip(events: readonly EventInput[]): BinlogEvent[] {
  const encoder = new BinlogEventEncoder();
  const decoder = new BinlogEventDecoder();
  return events.map((e) => {
    const bytes = encoder.encode({ timestamp: 0, serverId: 1, flags: 0, ...e });
    return decoder.decode(bytes, 0).event;
  });
}

export class TestHooks implements ServerHooks {
  readonly globals = new Map<string, SqlValue>([['server_id', 1], ['log_bin', 1], ['read_only', 0]]);
  readonly admin: string[] = [];
  adminStatement(statement: { kind: string }): Promise<StatementResult> {
    this.admin.push(statement.kind);
    return Promise.resolve({ kind: 'ok', affectedRows: 0n, lastInsertId: 0n, warnings: 0 });
  }
  globalVariable(name: string): SqlValue | undefined {
    return this.globals.get(name);
  }
  setGlobalVariable(name: string, value: SqlValue): void {
    this.globals.set(name, value);
  }
}

export interface TestEngine {
  readonly engine: SqlEngine;
  readonly db: TransactionDb;
  readonly kv: KvStore;
  readonly fs: SimFileSystem;
  readonly committer: RecordingCommitter;
  readonly hooks: TestHooks;
  reopen(): Promise<TestEngine>;
  close(): Promise<void>;
}

export async function openTestEngine(options: { lockingMode?: LockingMode; fs?: SimFileSystem; clock?: ManualClock; lockWaitTimeoutMs?: number; readOnly?: () => boolean; syncCommit?: boolean } = {}): Promise<TestEngine> {
  const fs = options.fs ?? new SimFileSystem();
  const clock = options.clock;
  const kv = await KvStore.open('/db', { fs, ...(clock === undefined ? {} : { clock }) });
  const db = new TransactionDb(kv, { syncCommit: options.syncCommit ?? false, lockWaitTimeoutMs: options.lockWaitTimeoutMs ?? 60_000, ...(clock === undefined ? {} : { clock }) });
  const committer = new RecordingCommitter();
  const hooks = new TestHooks();
  const engine = await SqlEngine.open({ db, committer, hooks, lockingMode: options.lockingMode ?? 'range', ...(options.readOnly === undefined ? {} : { readOnly: options.readOnly }) });
  const close = async (): Promise<void> => {
    await engine.close();
    await db.close();
    await kv.close();
  };
  return {
    engine,
    db,
    kv,
    fs,
    committer,
    hooks,
    close,
    reopen: async () => {
      await close();
      return openTestEngine({ ...options, fs });
    },
  };
}

/** Rows of a SELECT as plain arrays (throws on an OK result). */
export function rowsOf(r: StatementResult): (readonly SqlValue[])[] {
  if (r.kind !== 'rows') throw new Error(`expected rows, got ${JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);
  return [...r.rows];
}

export function affected(r: StatementResult): bigint {
  if (r.kind !== 'ok') throw new Error('expected an OK result');
  return r.affectedRows;
}
