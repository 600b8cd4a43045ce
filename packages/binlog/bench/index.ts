// Encode and decode throughput for sysbench-like row events (oltp_write_only: per
// transaction two updates, a delete and an insert on an sbtest table, each rows event
// after its table map), beside two peers in the same run: MariaDB's own decoder
// (`mariadb-binlog --base64-output=decode-rows --verbose`, C++, decoding the same file
// to text) and a plain CRC-32 pass over the same bytes (the floor of verified decoding).
// Usage: npm run bench -w @lockstep/binlog [-- --quick]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { benchMachine } from '@lockstep/base/testing';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, nodeFileSystem } from '@lockstep/base';
import { BinlogEventDecoder, BinlogEventEncoder, BinlogWriter, readBinlogBatches, type EventInput } from '../src/index.js';
import { sysbenchTransaction } from '../test/sysbench-like.js';

const quick = process.argv.includes('--quick');
const transactions = quick ? 20_000 : 100_000;
const rounds = quick ? 2 : 5;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const machine = benchMachine();

const headerDefaults = { timestamp: 1_700_000_000, serverId: 1, flags: 0 };

function buildEvents(): EventInput[] {
  const events: EventInput[] = [];
  for (let i = 0; i < transactions; i++) for (const e of sysbenchTransaction(BigInt(i + 1), (i % 1000) + 1)) events.push(e);
  return events;
}

const isRows = (e: EventInput): boolean => e.kind === 'writeRows' || e.kind === 'updateRows' || e.kind === 'deleteRows';

interface Measure {
  /** Per wall-clock second. */
  readonly rowsEventsPerS: number;
  readonly mbPerS: number;
  /** Per second of this process's CPU time (user + system): what one core does, less sensitive to others' load. */
  readonly rowsEventsPerCpuS: number;
}

interface Run {
  readonly rowsEvents: number;
  readonly bytes: number;
  readonly ms: number;
  readonly cpuMs: number;
}

/** Times `fn` in wall and CPU time. */
function timed(rowsEvents: number, bytes: number, fn: () => void): Run {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { rowsEvents, bytes, ms, cpuMs: (c.user + c.system) / 1000 };
}

function measure(run: Run): Measure {
  return { rowsEventsPerS: (run.rowsEvents * 1000) / run.ms, mbPerS: run.bytes / 1e6 / (run.ms / 1000), rowsEventsPerCpuS: (run.rowsEvents * 1000) / run.cpuMs };
}

/** Best of `rounds` per figure (the round least disturbed by other work on the machine). */
function better(top: Measure | undefined, m: Measure): Measure {
  if (top === undefined) return m;
  return {
    rowsEventsPerS: Math.max(top.rowsEventsPerS, m.rowsEventsPerS),
    mbPerS: Math.max(top.mbPerS, m.mbPerS),
    rowsEventsPerCpuS: Math.max(top.rowsEventsPerCpuS, m.rowsEventsPerCpuS),
  };
}

function best(run: () => Run): Measure {
  let top: Measure | undefined;
  for (let r = 0; r < rounds; r++) top = better(top, measure(run()));
  return top!;
}

async function bestAsync(run: () => Promise<Run>): Promise<Measure> {
  let top: Measure | undefined;
  for (let r = 0; r < rounds; r++) top = better(top, measure(await run()));
  return top!;
}

const events = buildEvents();
const rowsEventCount = events.filter(isRows).length;

// Encode: every event (table maps included) into one growing buffer per round, CRC32 on.
let encoded: Uint8Array = new Uint8Array(0);
// Encoded as the writer does: one buffer per commit group of 100 transactions.
const GROUP_EVENTS = 100 * 8;
const encode = best(() => {
  const encoder = new BinlogEventEncoder({ checksum: true });
  const parts: Uint8Array[] = [];
  const run = timed(rowsEventCount, 0, () => {
    for (let i = 0; i < events.length; i += GROUP_EVENTS) parts.push(encoder.encodeMany(events.slice(i, i + GROUP_EVENTS), 0, headerDefaults));
  });
  encoded = Buffer.concat(parts);
  return { ...run, bytes: encoded.length };
});

function decodeRun(options: { verifyChecksums: boolean; zeroCopy: boolean }): Measure {
  return best(() => {
    const decoder = new BinlogEventDecoder({ checksum: true, ...options });
    let rows = 0;
    const run = timed(rowsEventCount, encoded.length, () => {
      for (let at = 0; at < encoded.length; ) {
        const d = decoder.decode(encoded, at);
        if (d.typeCode >= 23 && d.typeCode <= 25) rows++;
        at += d.size;
      }
    });
    if (rows !== rowsEventCount) throw new Error(`decoded ${rows} rows events, expected ${rowsEventCount}`);
    return run;
  });
}

const decodeZeroCopy = decodeRun({ verifyChecksums: true, zeroCopy: true });
const decodeCopied = decodeRun({ verifyChecksums: true, zeroCopy: false });
const decodeTrusted = decodeRun({ verifyChecksums: false, zeroCopy: true });
const crcOnly = best(() =>
  timed(rowsEventCount, encoded.length, () => {
    let n = 0;
    for (let at = 0; at < encoded.length; ) {
      const size = encoded[at + 9]! | (encoded[at + 10]! << 8) | (encoded[at + 11]! << 16);
      n ^= crc32(encoded, 0, at, at + size - 4);
      at += size;
    }
    if (n === -1) throw new Error('unreachable');
  }),
);

// End to end: the same events in binlog files (BinlogWriter), read back with readBinlog.
const fileDir = mkdtempSync(path.join(tmpdir(), 'lockstep-binlog-bench-files-'));
let fileBytes = 0;
{
  const writer = await BinlogWriter.open({ fs: nodeFileSystem, dir: fileDir, serverId: 1, maxFileBytes: 256 * 1024 * 1024 });
  for (let i = 0; i < transactions; i += 100) {
    const group = [];
    for (let j = i; j < Math.min(i + 100, transactions); j++) {
      group.push({ gtid: { domainId: 0, serverId: 1, seqNo: BigInt(j + 1) }, commitId: undefined, flags: { transactional: true }, xid: BigInt(j + 1), events: sysbenchTransaction(BigInt(j + 1), (j % 1000) + 1) });
    }
    await writer.writeGroup(group);
  }
  await writer.close();
  for (const f of writer.files) fileBytes += (await nodeFileSystem.stat(path.join(fileDir, f))).size;
}
const fromFiles = await bestAsync(async () => {
  let rows = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for await (const batch of readBinlogBatches({ fs: nodeFileSystem, dir: fileDir })) for (const p of batch) if (p.typeCode >= 23 && p.typeCode <= 25) rows++;
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  if (rows !== rowsEventCount) throw new Error(`read ${rows} rows events, expected ${rowsEventCount}`);
  return { rowsEvents: rows, bytes: fileBytes, ms, cpuMs: (c.user + c.system) / 1000 };
});
rmSync(fileDir, { recursive: true, force: true });

// The peer: mariadb-binlog on a file with the same events (written by BinlogWriter).
let mariadb: Measure | undefined;
let mariadbNote = '';
const apt = spawnSync('bash', [path.join(repoRoot, 'scripts/ensure-apt.sh'), 'mariadb-client'], { encoding: 'utf8' });
if (apt.status !== 0) {
  mariadbNote = `skipped: ${apt.stderr.trim()}`;
  console.warn(`[skip] mariadb-binlog peer: ${mariadbNote}`);
} else {
  const dir = mkdtempSync(path.join(tmpdir(), 'lockstep-binlog-bench-'));
  try {
    const peerTransactions = Math.min(transactions, quick ? 20_000 : 50_000);
    const writer = await BinlogWriter.open({ fs: nodeFileSystem, dir, serverId: 1, maxFileBytes: 2 ** 31 });
    for (let i = 0; i < peerTransactions; i += 100) {
      const group = [];
      for (let j = i; j < Math.min(i + 100, peerTransactions); j++) {
        group.push({ gtid: { domainId: 0, serverId: 1, seqNo: BigInt(j + 1) }, commitId: undefined, flags: { transactional: true }, xid: BigInt(j + 1), events: sysbenchTransaction(BigInt(j + 1), (j % 1000) + 1) });
      }
      await writer.writeGroup(group);
    }
    await writer.close();
    const file = path.join(dir, writer.files[0]!);
    const size = (await nodeFileSystem.stat(file)).size;
    mariadb = best(() => {
      const t0 = performance.now();
      const result = spawnSync('sh', ['-c', `mariadb-binlog --no-defaults --base64-output=decode-rows --verbose '${file}' > /dev/null`]);
      const ms = performance.now() - t0;
      if (result.status !== 0) throw new Error(`mariadb-binlog failed: ${String(result.stderr)}`);
      // The child's CPU time is not ours to measure here: its per-CPU figure is its wall figure.
      return { rowsEvents: peerTransactions * 4, bytes: size, ms, cpuMs: ms };
    });
    mariadbNote = `${peerTransactions * 4} rows events, ${(size / 1e6).toFixed(1)} MB, output to /dev/null`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(0)}k` : n.toFixed(0));
const rowsOut: [string, Measure][] = [
  ['encode, CRC32 (encodeMany per group of 100 transactions)', encode],
  ['decode, CRC32 verified, zero-copy (as the reader does)', decodeZeroCopy],
  ['decode, CRC32 verified, values copied (decoder default)', decodeCopied],
  ['decode, checksums not verified, zero-copy', decodeTrusted],
  [`readBinlogBatches over the files (${(fileBytes / 1e6).toFixed(0)} MB, NodeFileSystem, page cache)`, fromFiles],
  ['peer: CRC-32 pass only over the same bytes (base crc32)', crcOnly],
];
if (mariadb !== undefined) rowsOut.push([`peer: mariadb-binlog -v, C++ (${mariadbNote})`, mariadb]);

console.log(`\n@lockstep/binlog benchmark — ${transactions} sysbench-like transactions (${rowsEventCount} rows events + as many table maps, ${(encoded.length / 1e6).toFixed(1)} MB), best of ${rounds}`);
console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, load ${machine.loadavg.join(' ')}\n`);
console.log('| run | rows events/s (wall) | MB/s (wall) | rows events per CPU-second | vs decode zero-copy (wall) |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [name, m] of rowsOut) {
  console.log(`| ${name} | ${fmt(m.rowsEventsPerS)} | ${m.mbPerS.toFixed(0)} | ${fmt(m.rowsEventsPerCpuS)} | ${(m.rowsEventsPerS / decodeZeroCopy.rowsEventsPerS).toFixed(2)}× |`);
}
if (mariadb === undefined) console.log(`| peer: mariadb-binlog | ${mariadbNote} | | | |`);
const goalWall = decodeZeroCopy.rowsEventsPerS >= 1e6;
const goalCpu = decodeZeroCopy.rowsEventsPerCpuS >= 1e6;
console.log(`\ngoal (>= 1M rows events/s decoded, CRC32 verified): ${goalWall ? 'met' : 'NOT met'} in wall time, ${goalCpu ? 'met' : 'NOT met'} per CPU-second\n`);

const results: Record<string, { value: number; unit: string }> = {
  encodeRowsEventsPerS: { value: Math.round(encode.rowsEventsPerS), unit: 'events/s' },
  encodeMBPerS: { value: Math.round(encode.mbPerS), unit: 'MB/s' },
  decodeRowsEventsPerS: { value: Math.round(decodeZeroCopy.rowsEventsPerS), unit: 'events/s' },
  decodeMBPerS: { value: Math.round(decodeZeroCopy.mbPerS), unit: 'MB/s' },
  decodeRowsEventsPerCpuS: { value: Math.round(decodeZeroCopy.rowsEventsPerCpuS), unit: 'events/cpu-s' },
  decodeCopiedRowsEventsPerS: { value: Math.round(decodeCopied.rowsEventsPerS), unit: 'events/s' },
  decodeUnverifiedRowsEventsPerS: { value: Math.round(decodeTrusted.rowsEventsPerS), unit: 'events/s' },
  readBinlogRowsEventsPerS: { value: Math.round(fromFiles.rowsEventsPerS), unit: 'events/s' },
  crc32OnlyMBPerS: { value: Math.round(crcOnly.mbPerS), unit: 'MB/s' },
};
if (mariadb !== undefined) results.mariadbBinlogRowsEventsPerS = { value: Math.round(mariadb.rowsEventsPerS), unit: 'events/s' };
const json = JSON.stringify({ package: '@lockstep/binlog', machine, results });
console.log(json);
if (process.env.LOCKSTEP_BENCH_JSON !== undefined) writeFileSync(process.env.LOCKSTEP_BENCH_JSON, `${json}\n`);
