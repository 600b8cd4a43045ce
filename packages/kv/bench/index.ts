// @lockstep/kv beside classic-level (LevelDB) and lmdb, in one run:
//   1. random point reads over N keys (N = 1M; --quick 100k)
//   2. random writes in batches of 100, no sync
//   3. 64 concurrent writers, each write synced (ops/s, and writes per fsync for kv)
// Usage: npm run bench -w @lockstep/kv [-- --quick]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { benchMachine } from '@lockstep/base/testing';
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
const machine = benchMachine();

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

// The machine is shared: each phase runs in ROUNDS slices, engines taking turns, so load
// changes during the run hit every engine alike. A rate is total operations / total time.
const ROUNDS = 3;

function readSlice(engine: Engine, from: number, to: number): number {
  let found = 0;
  const t0 = performance.now();
  for (let i = from; i < to; i++) if (engine.read(keys[readOrder[i]!]!) !== undefined) found++;
  const elapsed = performance.now() - t0;
  if (found !== to - from) throw new Error(`${engine.name}: ${to - from - found} keys missing`);
  return elapsed;
}

async function writeSlice(engine: Engine, from: number, to: number): Promise<number> {
  const t0 = performance.now();
  for (let i = from; i < to; i += BATCH) {
    const ops: WriteOp[] = [];
    for (let j = i; j < i + BATCH; j++) ops.push({ type: 'put', key: keys[writeOrder[j]!]!, value: values[(j * 7) & 1023]! });
    await engine.writeBatch(ops);
  }
  return performance.now() - t0;
}

async function syncedSlice(engine: Engine, count: number, latencies: number[]): Promise<number> {
  let issued = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (issued < count) {
        const n = issued++;
        const start = performance.now();
        await engine.writeSynced(keys[writeOrder[n]!]!, values[n & 1023]!);
        latencies.push(performance.now() - start);
      }
    }),
  );
  return performance.now() - t0;
}

async function measureAll(engines: readonly Engine[]): Promise<Map<string, Result>> {
  const readMs = new Map<string, number>();
  const writeMs = new Map<string, number>();
  const syncedMs = new Map<string, number>();
  const latencies = new Map<string, number[]>();
  const fsyncsBefore = new Map<string, number | undefined>();
  for (const engine of engines) {
    readSlice(engine, 0, Math.min(READS, 20_000)); // warm-up
    readMs.set(engine.name, 0);
    writeMs.set(engine.name, 0);
    syncedMs.set(engine.name, 0);
    latencies.set(engine.name, []);
  }
  const add = (m: Map<string, number>, name: string, ms: number): void => {
    m.set(name, m.get(name)! + ms);
  };
  for (let round = 0; round < ROUNDS; round++) {
    const from = Math.floor((READS * round) / ROUNDS);
    const to = Math.floor((READS * (round + 1)) / ROUNDS);
    for (const engine of engines) add(readMs, engine.name, readSlice(engine, from, to));
  }
  for (let round = 0; round < ROUNDS; round++) {
    const from = Math.floor(WRITES / BATCH / ROUNDS) * BATCH * round;
    const to = round === ROUNDS - 1 ? WRITES : from + Math.floor(WRITES / BATCH / ROUNDS) * BATCH;
    for (const engine of engines) add(writeMs, engine.name, await writeSlice(engine, from, to));
  }
  for (const engine of engines) fsyncsBefore.set(engine.name, engine.fsyncs());
  for (let round = 0; round < ROUNDS; round++) {
    for (const engine of engines) add(syncedMs, engine.name, await syncedSlice(engine, Math.floor(SYNCED_WRITES / ROUNDS), latencies.get(engine.name)!));
  }
  const results = new Map<string, Result>();
  for (const engine of engines) {
    const before = fsyncsBefore.get(engine.name);
    const after = engine.fsyncs();
    const synced = Math.floor(SYNCED_WRITES / ROUNDS) * ROUNDS;
    const sorted = latencies.get(engine.name)!.sort((a, b) => a - b);
    results.set(engine.name, {
      readOps: (READS * 1000) / readMs.get(engine.name)!,
      writeOps: (WRITES * 1000) / writeMs.get(engine.name)!,
      syncedOps: (synced * 1000) / syncedMs.get(engine.name)!,
      writesPerFsync: before === undefined || after === undefined ? undefined : synced / Math.max(1, after - before),
      syncedP99Ms: sorted[Math.floor(sorted.length * 0.99)] ?? 0,
    });
    await engine.close();
  }
  return results;
}

const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(1));

const REPEATS = quick ? 2 : 3;
const ENGINES: Record<string, () => Promise<Engine>> = { kv: kvEngine, level: levelEngine, lmdb: lmdbEngine };

/** In a child process: load one engine, measure it, print one RESULT line. */
async function child(name: string): Promise<void> {
  const engine = await ENGINES[name]!();
  const t0 = performance.now();
  await engine.load();
  const loadSeconds = (performance.now() - t0) / 1000;
  const result = (await measureAll([engine])).get(engine.name)!;
  console.log(`RESULT ${JSON.stringify({ name: engine.name, loadSeconds, ...result })}`);
}

function main(): Promise<void> {
  console.log(`# @lockstep/kv benchmark${quick ? ' (--quick)' : ''}`);
  console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, load average ${machine.loadavg.join(' ')}`);
  console.log(
    `each engine runs in its own process (LevelDB's compaction thread and LMDB's writer thread must not steal CPU from another engine's turn), ${REPEATS} times in alternation; the best of the runs is reported (every run is printed)`,
  );
  console.log(`${KEYS} keys of ${KEY_BYTES} bytes, values of ${VALUE_BYTES} bytes; ${READS} random reads; ${WRITES} random writes in batches of ${BATCH}; ${SYNCED_WRITES} synced writes from ${WRITERS} writers\n`);
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const names = only === undefined ? Object.keys(ENGINES) : [only];
  const results = new Map<string, Result & { loadSeconds: number }>();
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    for (const name of names) {
      const run = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, `--child=${name}`, ...(quick ? ['--quick'] : [])], { encoding: 'utf8', maxBuffer: 1 << 24 });
      const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (run.status !== 0 || line === undefined) throw new Error(`benchmark child ${name} failed (status ${run.status}): ${run.stderr}`);
      const r = JSON.parse(line.slice('RESULT '.length)) as Result & { name: string; loadSeconds: number };
      console.log(`run ${repeat + 1} (load average ${loadavg()[0]!.toFixed(1)}): ${r.name}: loaded in ${r.loadSeconds.toFixed(1)} s; reads ${fmt(r.readOps)}/s, batched writes ${fmt(r.writeOps)}/s, synced writes ${fmt(r.syncedOps)}/s`);
      const best = results.get(r.name);
      results.set(r.name, {
        loadSeconds: Math.min(best?.loadSeconds ?? Infinity, r.loadSeconds),
        readOps: Math.max(best?.readOps ?? 0, r.readOps),
        writeOps: Math.max(best?.writeOps ?? 0, r.writeOps),
        syncedOps: Math.max(best?.syncedOps ?? 0, r.syncedOps),
        writesPerFsync: r.writesPerFsync === undefined ? undefined : Math.max(best?.writesPerFsync ?? 0, r.writesPerFsync),
        syncedP99Ms: Math.min(best?.syncedP99Ms ?? Infinity, r.syncedP99Ms),
      });
    }
  }
  console.log('');
  const kv = results.get('@lockstep/kv')!;
  const level = results.get('classic-level') ?? kv;
  console.log('| engine | point reads/s | batched writes/s (no sync) | synced writes/s (64 writers) | writes per fsync | synced p99 ms |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [name, r] of results) {
    console.log(`| ${name} | ${fmt(r.readOps)} | ${fmt(r.writeOps)} | ${fmt(r.syncedOps)} | ${r.writesPerFsync === undefined ? 'n/a' : r.writesPerFsync.toFixed(1)} | ${r.syncedP99Ms.toFixed(2)} |`);
  }
  const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;
  console.log(`\nkv / classic-level: reads ${ratio(kv.readOps, level.readOps)}, batched writes ${ratio(kv.writeOps, level.writeOps)}, synced writes ${ratio(kv.syncedOps, level.syncedOps)}`);
  const lmdb = results.get('lmdb') ?? kv;
  console.log(`kv / lmdb: reads ${ratio(kv.readOps, lmdb.readOps)}, batched writes ${ratio(kv.writeOps, lmdb.writeOps)}, synced writes ${ratio(kv.syncedOps, lmdb.syncedOps)}`);
  const json: Record<string, { value: number; unit: string }> = {};
  for (const [name, r] of results) {
    json[`${name} point reads`] = { value: Math.round(r.readOps), unit: 'ops/s' };
    json[`${name} batched writes`] = { value: Math.round(r.writeOps), unit: 'ops/s' };
    json[`${name} synced writes 64 writers`] = { value: Math.round(r.syncedOps), unit: 'ops/s' };
  }
  json['@lockstep/kv writes per fsync 64 writers'] = { value: Math.round((kv.writesPerFsync ?? 0) * 10) / 10, unit: 'writes/fsync' };
  console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(JSON.stringify({ package: '@lockstep/kv', machine, results: json }));
  return Promise.resolve();
}

const childName = process.argv.find((a) => a.startsWith('--child='))?.slice('--child='.length);
try {
  if (childName === undefined) await main();
  else await child(childName);
} finally {
  rmSync(root, { recursive: true, force: true });
}
