// Statements per second through a Session of the SQL executor (prepared statements,
// autocommit), each beside its peer in the same run: the same kv work done directly through
// @lockstep/txn (begin, get / getForUpdate+put / insert, commit) with no SQL layer, so the
// ratio is what parsing-free execution, planning, row coding, locking and binlog events cost.
// Both sides use the same KvStore on a temp directory with syncCommit off (CPU-bound), and the
// executor's committer commits one-phase and keeps nothing (the server's is tc + binlog).
// Usage: npx tsx bench/executor.ts [--quick]   (from packages/sql)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { benchMachine } from '@lockstep/base/testing';
import { join } from 'node:path';
import { KvStore } from '@lockstep/kv';
import { TransactionDb } from '@lockstep/txn';
import { SqlEngine, type Committer, type ServerHooks } from '../src/index.js';

const quick = process.argv.includes('--quick');
const targetMs = quick ? 300 : 2000;
const ROWS = quick ? 2_000 : 10_000;
const machine = benchMachine();

async function measure(fn: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i++) await fn(i);
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < targetMs) {
    for (let b = 0; b < 50; b++) await fn(ops++);
    now = performance.now();
  }
  return (ops * 1000) / (now - start);
}

const dir = mkdtempSync(join(tmpdir(), 'lockstep-sql-bench-'));
const kv = await KvStore.open(dir);
const db = new TransactionDb(kv, { syncCommit: false });
const committer: Committer = {
  async commit({ transaction }) {
    await transaction.commit();
    return { gtid: { domainId: 0, serverId: 1, seqNo: 1n } };
  },
};
const hooks: ServerHooks = {
  adminStatement: () => Promise.resolve({ kind: 'ok', affectedRows: 0n, lastInsertId: 0n, warnings: 0 }),
  globalVariable: () => undefined,
  setGlobalVariable: () => undefined,
};
const engine = await SqlEngine.open({ db, committer, hooks });
const s = engine.session({ connectionId: 1, user: 'bench', host: 'localhost' });
await s.execute('CREATE DATABASE sbtest');
await s.execute('USE sbtest');
await s.execute("CREATE TABLE sbtest1(id INTEGER NOT NULL AUTO_INCREMENT, k INTEGER DEFAULT '0' NOT NULL, c CHAR(120) DEFAULT '' NOT NULL, pad CHAR(60) DEFAULT '' NOT NULL, PRIMARY KEY (id))");
const c = '68487932199-96439406143-93774651418-41631865787-96406072701-20604855487-25459966574-28203206787-41238978918-19503783441';
const pad = '22195207048-70116052123-74140395089-76317954521-98694025897';
for (let i = 0; i < ROWS; i += 500) {
  const values = Array.from({ length: 500 }, (_v, j) => `(${(i + j) % 1000}, '${c}', '${pad}')`).join(',');
  await s.execute(`INSERT INTO sbtest1(k, c, pad) VALUES ${values}`);
}
await s.execute('CREATE INDEX k_1 ON sbtest1(k)');
const table = engine.catalog.getTable('sbtest', 'sbtest1');
const keyOf = (id: number): Uint8Array => table.primaryCodec.encode([id]);
const pointSelect = s.prepare('SELECT c FROM sbtest1 WHERE id=?').statementId;
const updateNonIndex = s.prepare('UPDATE sbtest1 SET c=? WHERE id=?').statementId;
const updateIndex = s.prepare('UPDATE sbtest1 SET k=k+1 WHERE id=?').statementId;
const insert = s.prepare('INSERT INTO sbtest1 (id, k, c, pad) VALUES (?, ?, ?, ?)').statementId;
const id = (i: number): number => 1 + ((i * 7919) % ROWS);

const results: Record<string, { value: number; unit: string }> = {};
const rows: string[][] = [];
const fmt = (n: number): string => (n >= 1e3 ? `${(n / 1e3).toFixed(1)} k/s` : `${n.toFixed(0)} /s`);
function record(name: string, ours: number, peerName: string, peer: number): void {
  results[name] = { value: Math.round(ours), unit: 'statements/s' };
  results[`${name}.peer`] = { value: Math.round(peer), unit: 'transactions/s' };
  rows.push([name, fmt(ours), `${peerName}: ${fmt(peer)}`, `${(ours / peer).toFixed(2)}x`]);
}

record(
  'session.point_select',
  await measure((i) => s.executePrepared(pointSelect, [id(i)])),
  'txn begin+get+rollback',
  await measure(async (i) => {
    const t = db.begin();
    const v = t.get(keyOf(id(i)));
    if (v !== undefined) table.rowCodec.decode(v);
    await t.rollback();
  }),
);
record(
  'session.update_non_index',
  await measure((i) => s.executePrepared(updateNonIndex, [`${c.slice(0, 100)}${String(i).padStart(19, '0')}`, id(i)])),
  'txn getForUpdate+put+commit',
  await measure(async (i) => {
    const t = db.begin();
    const v = await t.getForUpdate(keyOf(id(i)));
    const row = table.rowCodec.decode(v!);
    row[2] = `${c.slice(0, 100)}${String(i).padStart(19, '0')}`;
    await t.put(keyOf(id(i)), table.rowCodec.encode(row));
    await t.commit();
  }),
);
record(
  'session.update_index',
  await measure((i) => s.executePrepared(updateIndex, [id(i)])),
  'txn getForUpdate+put+2 index ops+commit',
  await measure(async (i) => {
    const t = db.begin();
    const key = keyOf(id(i));
    const row = table.rowCodec.decode((await t.getForUpdate(key))!);
    const ix = table.secondaryCodecs[0]!;
    await t.delete(ix.encode([row[1]!, row[0]!]));
    row[1] = (row[1] as number) + 1;
    await t.put(key, table.rowCodec.encode(row));
    await t.put(ix.encode([row[1], row[0]!]), new Uint8Array(0));
    await t.commit();
  }),
);
let nextId = ROWS * 10;
let peerId = ROWS * 1000;
record(
  'session.insert',
  await measure(() => s.executePrepared(insert, [nextId++, 1, c, pad])),
  'txn insert+index put+commit',
  await measure(async () => {
    const t = db.begin();
    const n = peerId++;
    await t.insert(keyOf(n), table.rowCodec.encode([n, 1, c, pad]));
    await t.put(table.secondaryCodecs[0]!.encode([1, n]), new Uint8Array(0));
    await t.commit();
  }),
);

await engine.close();
await db.close();
await kv.close();
rmSync(dir, { recursive: true, force: true });

console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, load average ${machine.loadavg.join(' ')}`);
console.log(`table: sbtest1 with ${ROWS} rows and index k_1; one session, prepared statements, autocommit\n`);
console.log('| benchmark | ours | peer | ratio |');
console.log('|---|---:|---|---:|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log(JSON.stringify({ package: '@lockstep/sql', machine, results }));
