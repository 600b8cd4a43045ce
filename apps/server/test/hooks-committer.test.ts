// The Committer over the real BinlogFileCoordinator (real binlog writer, real kv + txn), and
// the ServerHooks on top of the same stack.
import { nodeFileSystem } from '@lockstep/base';
import type { EventInput } from '@lockstep/binlog';
import { KvStore } from '@lockstep/kv';
import { SqlEngine, type AdminStatement, type SessionInfo } from '@lockstep/sql';
import { BinlogFileCoordinator, readBinlogTransactions } from '@lockstep/tc';
import { TransactionDb, decodeCoordinatorPosition, indexKey } from '@lockstep/txn';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseArguments } from '../src/config/parse-config.js';
import { BinlogCommitter } from '../src/internal/committer.js';
import { ConnectionTable } from '../src/internal/connection-table.js';
import { LockstepServerHooks } from '../src/internal/server-hooks.js';
import { tempDir } from './helpers.js';

const tableMap: EventInput = { kind: 'tableMap', tableId: 7, tableFlags: 1, database: 'd', table: 't', columns: [{ type: 'int', unsigned: false, nullable: false }] };
const session: SessionInfo = { connectionId: 1, user: 'root', host: '127.0.0.1', database: undefined };

async function openStack(dir: string) {
  const store = await KvStore.open(join(dir, 'kv'));
  const db = new TransactionDb(store);
  const committer = new BinlogCommitter();
  const connections = new ConnectionTable();
  const { config } = parseArguments(['--datadir', dir, '--server-id', '9', '--gtid-domain-id', '2'], () => '');
  const ref: { tc: BinlogFileCoordinator | undefined } = { tc: undefined };
  const hooks = new LockstepServerHooks({
    config,
    tc: () => ref.tc!,
    connections,
    binlogFiles: { list: () => Promise.resolve(ref.tc!.writer.files.map((name) => ({ name, size: 1 }))) },
    killConnection: () => undefined,
    hostname: 'test-host',
  });
  const engine = await SqlEngine.open({ db, committer, hooks });
  const tc = await BinlogFileCoordinator.open({
    fs: nodeFileSystem,
    dir: join(dir, 'binlog'),
    serverId: 9,
    domainId: 2,
    participants: [db.participant()],
    durablePosition: () => {
      const p = store.durableCoordinatorPosition();
      return p === undefined ? undefined : decodeCoordinatorPosition(p);
    },
    redo: () => Promise.reject(new Error('nothing to redo in this test')),
    engineCheckpointIntervalMs: 0,
  });
  ref.tc = tc;
  committer.attach(tc);
  const close = async (): Promise<void> => {
    await engine.close();
    await tc.close();
    await db.close();
    await store.close();
  };
  return { store, db, committer, connections, hooks, engine, tc, close };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('BinlogCommitter', () => {
  it('commits concurrent transactions in groups through the binlog, GTIDs in order, visible in kv', async () => {
    const dir = tempDir();
    const stack = await openStack(dir.path);
    cleanups.push(async () => {
      await stack.close();
      dir.remove();
    });
    const N = 40;
    const results = await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const t = stack.db.begin();
        await t.put(indexKey(300, new Uint8Array([i])), new Uint8Array([i]));
        return stack.committer.commit({ transaction: t, events: [tableMap, { kind: 'writeRows', tableId: 7, rowsFlags: 1, columnCount: 1, rows: [[i]] }], ddl: false, waited: i === 3 });
      }),
    );
    const seqs = results.map((r) => r.gtid.seqNo).sort((a, b) => Number(a - b));
    expect(seqs).toEqual(Array.from({ length: N }, (_, i) => BigInt(i + 1)));
    expect(results.every((r) => r.gtid.domainId === 2 && r.gtid.serverId === 9)).toBe(true);
    const stats = stack.tc.stats();
    expect(stats.commits).toBe(N);
    expect(stats.flushes).toBeLessThan(N); // grouped: fewer fsyncs than commits
    for (let i = 0; i < N; i++) expect(stack.store.get(indexKey(300, new Uint8Array([i])))).toEqual(new Uint8Array([i]));
    expect(stack.hooks.globalVariable('gtid_binlog_pos')).toBe(`2-9-${String(N)}`);
    await stack.tc.checkpoint();
    const logged = [];
    for await (const tx of readBinlogTransactions({ fs: nodeFileSystem, dir: join(dir.path, 'binlog') })) logged.push(tx);
    expect(logged.length).toBe(N);
    expect(logged.filter((tx) => tx.flags.waited === true).length).toBe(1);
  });

  it('rejects with a typed error once the coordinator is detached (stopping)', async () => {
    const committer = new BinlogCommitter();
    const dir = tempDir();
    const stack = await openStack(dir.path);
    cleanups.push(async () => {
      await stack.close();
      dir.remove();
    });
    await expect(committer.commit({ transaction: stack.db.begin(), events: [], ddl: false, waited: false })).rejects.toMatchObject({ errno: 1053 });
  });
});

describe('LockstepServerHooks', () => {
  it('answers variables, SET GLOBAL, binlog statements, KILL, and refuses replication statements without a replica controller', async () => {
    const dir = tempDir();
    const stack = await openStack(dir.path);
    cleanups.push(async () => {
      await stack.close();
      dir.remove();
    });
    const { hooks } = stack;
    expect(hooks.globalVariable('SERVER_ID')).toBe(9);
    expect(hooks.globalVariable('binlog_format')).toBe('ROW');
    expect(hooks.globalVariable('gtid_domain_id')).toBe(2);
    expect(hooks.globalVariable('lockstep_locking_mode')).toBe('range');
    expect(hooks.globalVariable('transaction_isolation')).toBe('REPEATABLE-READ');
    expect(hooks.globalVariable('gtid_binlog_pos')).toBe('');
    expect(hooks.globalVariable('no_such_thing')).toBeUndefined();
    expect(hooks.readOnly).toBe(false);
    hooks.setGlobalVariable('read_only', 'ON');
    expect(hooks.readOnly).toBe(true);
    hooks.setGlobalVariable('READ_ONLY', 0);
    expect(hooks.globalVariable('read_only')).toBe(0);
    expect(() => { hooks.setGlobalVariable('read_only', 'maybe'); }).toThrow(expect.objectContaining({ errno: 1231 }));
    expect(() => { hooks.setGlobalVariable('server_id', 3); }).toThrow(expect.objectContaining({ errno: 1238 }));
    expect(() => { hooks.setGlobalVariable('nope', 3); }).toThrow(expect.objectContaining({ errno: 1193 }));
    hooks.setGlobalVariable('slave_parallel_threads', '4');
    expect(hooks.globalVariable('slave_parallel_threads')).toBe(4);

    const admin = (statement: AdminStatement) => hooks.adminStatement(statement, session);
    const status = await admin({ kind: 'show', what: 'masterStatus', like: undefined, full: false, scope: undefined, from: undefined });
    expect(status.kind === 'rows' && status.rows[0]![0]).toBe('binlog.000001');
    await admin({ kind: 'flush', what: 'BINARY LOGS' });
    const logs = await admin({ kind: 'show', what: 'binaryLogs', like: undefined, full: false, scope: undefined, from: undefined });
    expect(logs.kind === 'rows' && logs.rows.map((r) => r[0])).toEqual(['binlog.000001', 'binlog.000002']);
    await expect(admin({ kind: 'purgeBinaryLogs', to: 'binlog.000099', before: undefined })).rejects.toMatchObject({ errno: 1373 });
    await stack.tc.checkpoint();
    await admin({ kind: 'purgeBinaryLogs', to: 'binlog.000002', before: undefined });
    expect(stack.tc.writer.files).toEqual(['binlog.000002']);
    await expect(admin({ kind: 'purgeBinaryLogs', to: undefined, before: 'yesterday' })).rejects.toMatchObject({ errno: 1231 });
    const slave = await admin({ kind: 'show', what: 'slaveStatus', like: undefined, full: false, scope: undefined, from: undefined });
    expect(slave.kind === 'rows' && slave.rows.length).toBe(0);
    // No replica controller in this context: replication statements are refused (1235).
    await expect(admin({ kind: 'changeMaster', options: new Map() })).rejects.toMatchObject({ errno: 1235 });
    await expect(admin({ kind: 'startReplica', thread: undefined })).rejects.toMatchObject({ errno: 1235 });
    await expect(admin({ kind: 'kill', query: false, connectionId: 42 })).rejects.toMatchObject({ errno: 1094 });

    const s = stack.engine.session({ connectionId: 42, user: 'app', host: '127.0.0.1' });
    stack.connections.add({ id: 42, user: 'app', host: '127.0.0.1:5', session: s, command: 'Sleep', state: '', info: undefined, sinceMs: Date.now(), binlog: undefined, closing: undefined });
    stack.connections.begin(stack.connections.get(42)!, 'Query', 'SELECT SLEEP(1)');
    const list = await admin({ kind: 'show', what: 'processlist', like: undefined, full: true, scope: undefined, from: undefined });
    expect(list.kind === 'rows' && list.rows.map((r) => [r[0], r[1], r[4], r[7]])).toEqual([[42n, 'app', 'Query', 'SELECT SLEEP(1)']]);
    await admin({ kind: 'kill', query: true, connectionId: 42 });
    stack.connections.end(stack.connections.get(42)!);
    expect(await stack.connections.whenIdle(1)).toBe(true);
    await s.close();
  });
});
