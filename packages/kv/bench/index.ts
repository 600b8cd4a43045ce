// @lockstep/kv beside classic-level (LevelDB) and lmdb, in one run:
//   1. random point reads over N keys (N = 1M; --quick 100k)
//   2. random writes in batches of 100, no sync
//   3. 64 concurrent writers, each write synced (ops/s, and writes per fsync for kv)
// Usage: npm run bench -w @lockstep/kv [-- --quick]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Random } from '@lockstep/base';
import { ClassicLevel } from 'classic-level';
import { open as openLmdb } from 'lmdb';
import { KvStore, type WriteOp } from '../src/index.js';

const quick = process.argv.includes('--quick');
const KEYS = quick ? 100_000 : 1_000_000;
const READS = KEYS;
const WRITES = KEYS;
const BATCH = 100;
const WRITERS = 64;
const SYNCED_WRITES = quick ? 2_000 : 20_000;
const VALUE_BYTES = 100;
const KEY_BYTES = 16;

const root = mkdtempSync(join(tmpdir(), 'lockstep-kv-bench-'));
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  os: `${platform()} ${release()}`,
  node: process.version,
  loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
};

const random = new Random(42);
const keys = Array.from({ length: KEYS }, () => random.bytes(KEY_BYTES));
const values = Array.from({ length: 1024 }, () => random.bytes(VALUE_BYTES));
const readOrder = Uint32Array.from({ length: READS }, () => random.int(0, KEYS - 1));
const writeOrder = Uint32Array.from({ length: WRITES }, () => random.int(0, KEYS - 1));

interface Engine {
  readonly name: string;
  load(): Promise<void>;
  read(key: Uint8Array): Uint8Array | undefined;
  writeBatch(ops: readonly WriteOp[]): Promise<void>;
  writeSynced(key: Uint8Array, value: Uint8Array): Promise<void>;
  fsyncs(): number | undefined;
  close(): Promise<void>;
}

async function loadInBatches(write: (ops: WriteOp[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < KEYS; i += 1000) {
    const ops: WriteOp[] = [];
    for (let j = i; j < Math.min(KEYS, i + 1000); j++) ops.push({ type: 'put', key: keys[j]!, value: values[j & 1023]! });
    await write(ops);
  }
}

async function kvEngine(): Promise<Engine> {
  const db = await KvStore.open(join(root, 'kv'));
  return {
    name: '@lockstep/kv',
    load: () =>
      loadInBatches(async (ops) => {
        await db.write(ops);
      }),
    read: (key) => db.get(key),
    writeBatch: async (ops) => {
      await db.write(ops);
    },
    writeSynced: async (key, value) => {
      await db.write([{ type: 'put', key, value }], { sync: true });
    },
    fsyncs: () => db.stats().fsyncs,
    close: () => db.close(),
  };
}

async function levelEngine(): Promise<Engine> {
  const db = new ClassicLevel<Uint8Array, Uint8Array>(join(root, 'level'), { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  const batch = async (ops: readonly WriteOp[]): Promise<void> => {
    await db.batch(ops.map((op) => (op.type === 'put' ? { type: 'put' as const, key: op.key, value: op.value } : { type: 'del' as const, key: op.key })));
  };
  return {
    name: 'classic-level',
    load: () => loadInBatches(batch),
    read: (key) => db.getSync(key),
    writeBatch: batch,
    writeSynced: (key, value) => db.put(key, value, { sync: true }),
    fsyncs: () => undefined,
    close: () => db.close(),
  };
}

function lmdbEngine(): Promise<Engine> {
  // Two environments: one without sync for loading and batches, one with LMDB's default
  // durable commits for the synced writers (lmdb-js groups concurrent puts into one commit).
  const fast = openLmdb<Uint8Array, Uint8Array>({ path: join(root, 'lmdb-nosync'), keyEncoding: 'binary', encoding: 'binary', noSync: true });
  const durable = openLmdb<Uint8Array, Uint8Array>({ path: join(root, 'lmdb-sync'), keyEncoding: 'binary', encoding: 'binary' });
  const batch = async (ops: readonly WriteOp[]): Promise<void> => {
    await fast.batch(() => {
      for (const op of ops) {
        if (op.type === 'put') void fast.put(op.key, op.value);
        else void fast.remove(op.key);
      }
    });
  };
  return Promise.resolve({
    name: 'lmdb',
    load: () => loadInBatches(batch),
    read: (key) => fast.get(key),
    writeBatch: batch,
    writeSynced: async (key, value) => {
      await durable.put(key, value);
    },
    fsyncs: () => undefined,
    close: async () => {
      await fast.close();
      await durable.close();
    },
  });
}

interface Result {
  readOps: number;
  writeOps: number;
  syncedOps: number;
  writesPerFsync: number | undefined;
  syncedP99Ms: number;
}

async function measure(engine: Engine): Promise<Result> {
  await engine.load();
  // Warm up, then 1. reads.
  let found = 0;
  for (let i = 0; i < 10_000; i++) if (engine.read(keys[readOrder[i]!]!) !== undefined) found++;
  found = 0;
  let t0 = performance.now();
  for (let i = 0; i < READS; i++) if (engine.read(keys[readOrder[i]!]!) !== undefined) found++;
  const readOps = (READS * 1000) / (performance.now() - t0);
  if (found !== READS) throw new Error(`${engine.name}: ${READS - found} keys missing`);
  // 2. batched writes without sync.
  t0 = performance.now();
  for (let i = 0; i < WRITES; i += BATCH) {
    const ops: WriteOp[] = [];
    for (let j = i; j < i + BATCH; j++) ops.push({ type: 'put', key: keys[writeOrder[j]!]!, value: values[(j * 7) & 1023]! });
    await engine.writeBatch(ops);
  }
  const writeOps = (WRITES * 1000) / (performance.now() - t0);
  // 3. 64 concurrent synced writers.
  const fsyncsBefore = engine.fsyncs();
  let issued = 0;
  const latencies: number[] = [];
  t0 = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (issued < SYNCED_WRITES) {
        const n = issued++;
        const start = performance.now();
        await engine.writeSynced(keys[writeOrder[n]!]!, values[n & 1023]!);
        latencies.push(performance.now() - start);
      }
    }),
  );
  const syncedOps = (SYNCED_WRITES * 1000) / (performance.now() - t0);
  const fsyncsAfter = engine.fsyncs();
  latencies.sort((a, b) => a - b);
  await engine.close();
  return {
    readOps,
    writeOps,
    syncedOps,
    writesPerFsync: fsyncsBefore === undefined || fsyncsAfter === undefined ? undefined : SYNCED_WRITES / Math.max(1, fsyncsAfter - fsyncsBefore),
    syncedP99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
  };
}

const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(1));

async function main(): Promise<void> {
  console.log(`# @lockstep/kv benchmark${quick ? ' (--quick)' : ''}`);
  console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, load average ${machine.loadavg.join(' ')}`);
  console.log(`${KEYS} keys of ${KEY_BYTES} bytes, values of ${VALUE_BYTES} bytes; ${READS} random reads; ${WRITES} random writes in batches of ${BATCH}; ${SYNCED_WRITES} synced writes from ${WRITERS} writers\n`);
  const results = new Map<string, Result>();
  for (const make of [kvEngine, levelEngine, lmdbEngine]) {
    const engine = await make();
    results.set(engine.name, await measure(engine));
  }
  const kv = results.get('@lockstep/kv')!;
  const level = results.get('classic-level')!;
  console.log('| engine | point reads/s | batched writes/s (no sync) | synced writes/s (64 writers) | writes per fsync | synced p99 ms |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [name, r] of results) {
    console.log(`| ${name} | ${fmt(r.readOps)} | ${fmt(r.writeOps)} | ${fmt(r.syncedOps)} | ${r.writesPerFsync === undefined ? 'n/a' : r.writesPerFsync.toFixed(1)} | ${r.syncedP99Ms.toFixed(2)} |`);
  }
  const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;
  console.log(`\nkv / classic-level: reads ${ratio(kv.readOps, level.readOps)}, batched writes ${ratio(kv.writeOps, level.writeOps)}, synced writes ${ratio(kv.syncedOps, level.syncedOps)}`);
  const lmdb = results.get('lmdb')!;
  console.log(`kv / lmdb: reads ${ratio(kv.readOps, lmdb.readOps)}, batched writes ${ratio(kv.writeOps, lmdb.writeOps)}, synced writes ${ratio(kv.syncedOps, lmdb.syncedOps)}`);
  const json: Record<string, { value: number; unit: string }> = {};
  for (const [name, r] of results) {
    json[`${name} point reads`] = { value: Math.round(r.readOps), unit: 'ops/s' };
    json[`${name} batched writes`] = { value: Math.round(r.writeOps), unit: 'ops/s' };
    json[`${name} synced writes 64 writers`] = { value: Math.round(r.syncedOps), unit: 'ops/s' };
  }
  json['@lockstep/kv writes per fsync 64 writers'] = { value: Math.round((kv.writesPerFsync ?? 0) * 10) / 10, unit: 'writes/fsync' };
  console.log(JSON.stringify({ package: '@lockstep/kv', machine, results: json }));
}

try {
  await main();
} finally {
  rmSync(root, { recursive: true, force: true });
}
