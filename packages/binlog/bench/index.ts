// Encode and decode throughput for sysbench-like row events (oltp_write_only: per
// transaction two updates, a delete and an insert on an sbtest table, each rows event
// after its table map), beside two peers in the same run: MariaDB's own decoder
// (`mariadb-binlog --base64-output=decode-rows --verbose`, C++, decoding the same file
// to text) and a plain CRC-32 pass over the same bytes (the floor of verified decoding).
// Usage: npm run bench -w @lockstep/binlog [-- --quick]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, nodeFileSystem } from '@lockstep/base';
import { BinlogEventDecoder, BinlogEventEncoder, BinlogWriter, type EventInput } from '../src/index.js';
import { sysbenchTransaction } from '../test/sysbench-like.js';

const quick = process.argv.includes('--quick');
const transactions = quick ? 20_000 : 100_000;
const rounds = quick ? 2 : 5;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  os: `${platform()} ${release()}`,
  node: process.version,
  loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
};

const headerDefaults = { timestamp: 1_700_000_000, serverId: 1, flags: 0 };

function buildEvents(): EventInput[] {
  const events: EventInput[] = [];
  for (let i = 0; i < transactions; i++) for (const e of sysbenchTransaction(BigInt(i + 1), (i % 1000) + 1)) events.push(e);
  return events;
}

const isRows = (e: EventInput): boolean => e.kind === 'writeRows' || e.kind === 'updateRows' || e.kind === 'deleteRows';

interface Measure {
  readonly rowsEventsPerS: number;
  readonly mbPerS: number;
}

function best(run: () => { rowsEvents: number; bytes: number; ms: number }): Measure {
  let top: Measure = { rowsEventsPerS: 0, mbPerS: 0 };
  for (let r = 0; r < rounds; r++) {
    const { rowsEvents, bytes, ms } = run();
    const m = { rowsEventsPerS: (rowsEvents * 1000) / ms, mbPerS: bytes / 1e6 / (ms / 1000) };
    if (m.rowsEventsPerS > top.rowsEventsPerS) top = m;
  }
  return top;
}

const events = buildEvents();
const rowsEventCount = events.filter(isRows).length;

// Encode: every event (table maps included) into one growing buffer per round, CRC32 on.
let encoded: Uint8Array = new Uint8Array(0);
const encode = best(() => {
  const encoder = new BinlogEventEncoder({ checksum: true });
  const t0 = performance.now();
  const bytes = encoder.encodeMany(events, 0, headerDefaults);
  const ms = performance.now() - t0;
  encoded = bytes;
  return { rowsEvents: rowsEventCount, bytes: bytes.length, ms };
});

function decodeRun(options: { verifyChecksums: boolean; zeroCopy: boolean }): Measure {
  return best(() => {
    const decoder = new BinlogEventDecoder({ checksum: true, ...options });
    let rows = 0;
    const t0 = performance.now();
    for (let at = 0; at < encoded.length; ) {
      const d = decoder.decode(encoded, at);
      if (d.typeCode >= 23 && d.typeCode <= 25) rows++;
      at += d.size;
    }
    const ms = performance.now() - t0;
    if (rows !== rowsEventCount) throw new Error(`decoded ${rows} rows events, expected ${rowsEventCount}`);
    return { rowsEvents: rows, bytes: encoded.length, ms };
  });
}

const decodeVerified = decodeRun({ verifyChecksums: true, zeroCopy: false });
const decodeZeroCopy = decodeRun({ verifyChecksums: true, zeroCopy: true });
const decodeTrusted = decodeRun({ verifyChecksums: false, zeroCopy: true });
const crcOnly = best(() => {
  const t0 = performance.now();
  let n = 0;
  for (let at = 0; at < encoded.length; ) {
    const size = encoded[at + 9]! | (encoded[at + 10]! << 8) | (encoded[at + 11]! << 16);
    n ^= crc32(encoded, 0, at, at + size - 4);
    at += size;
  }
  const ms = performance.now() - t0;
  if (n === -1) throw new Error('unreachable');
  return { rowsEvents: rowsEventCount, bytes: encoded.length, ms };
});

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
      return { rowsEvents: peerTransactions * 4, bytes: size, ms };
    });
    mariadbNote = `${peerTransactions * 4} rows events, ${(size / 1e6).toFixed(1)} MB, output to /dev/null`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(0)}k` : n.toFixed(0));
const rowsOut: [string, Measure, string][] = [
  ['encode (CRC32)', encode, ''],
  ['decode, CRC32 verified (values copied)', decodeVerified, ''],
  ['decode, CRC32 verified, zero-copy values', decodeZeroCopy, ''],
  ['decode, checksums not verified, zero-copy', decodeTrusted, ''],
  ['peer: CRC-32 pass only (no decoding)', crcOnly, ''],
];
if (mariadb !== undefined) rowsOut.push(['peer: mariadb-binlog -v (C++, to /dev/null)', mariadb, mariadbNote]);

console.log(`\n@lockstep/binlog benchmark — ${transactions} sysbench-like transactions (${rowsEventCount} rows events, ${(encoded.length / 1e6).toFixed(1)} MB with table maps), best of ${rounds}`);
console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, load ${machine.loadavg.join(' ')}\n`);
console.log('| run | rows events/s | MB/s | vs decode (verified) |');
console.log('| --- | ---: | ---: | ---: |');
for (const [name, m, note] of rowsOut) {
  console.log(`| ${name}${note ? ` (${note})` : ''} | ${fmt(m.rowsEventsPerS)} | ${m.mbPerS.toFixed(0)} | ${(m.rowsEventsPerS / decodeVerified.rowsEventsPerS).toFixed(2)}× |`);
}
if (mariadb === undefined) console.log(`| peer: mariadb-binlog | ${mariadbNote} | | |`);
const goal = decodeVerified.rowsEventsPerS >= 1e6;
console.log(`\ngoal (>= 1M rows events/s decoded, checksums verified): ${goal ? 'met' : 'NOT met'}\n`);

const results: Record<string, { value: number; unit: string }> = {
  encodeRowsEventsPerS: { value: Math.round(encode.rowsEventsPerS), unit: 'events/s' },
  encodeMBPerS: { value: Math.round(encode.mbPerS), unit: 'MB/s' },
  decodeRowsEventsPerS: { value: Math.round(decodeVerified.rowsEventsPerS), unit: 'events/s' },
  decodeMBPerS: { value: Math.round(decodeVerified.mbPerS), unit: 'MB/s' },
  decodeZeroCopyRowsEventsPerS: { value: Math.round(decodeZeroCopy.rowsEventsPerS), unit: 'events/s' },
  decodeUnverifiedRowsEventsPerS: { value: Math.round(decodeTrusted.rowsEventsPerS), unit: 'events/s' },
  crc32OnlyMBPerS: { value: Math.round(crcOnly.mbPerS), unit: 'MB/s' },
};
if (mariadb !== undefined) results.mariadbBinlogRowsEventsPerS = { value: Math.round(mariadb.rowsEventsPerS), unit: 'events/s' };
const json = JSON.stringify({ package: '@lockstep/binlog', machine, results });
console.log(json);
if (process.env.LOCKSTEP_BENCH_JSON !== undefined) writeFileSync(process.env.LOCKSTEP_BENCH_JSON, `${json}\n`);
