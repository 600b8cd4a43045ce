import { describe, expect, it } from 'vitest';
import { describeMachine, machineLine } from '../src/machine.js';
import { progressLine } from '../src/progress.js';
import { latencyFigures, peerRatios } from '../src/ratios.js';
import { humanPart, parseResultLine, renderMarkdown, type BenchResultLine } from '../src/report.js';

const output = [
  '> @lockstep/tc@0.1.0 bench',
  'committers | rate',
  '1 | 3000',
  '{"package":"@lockstep/tc","machine":{"cores":2},"results":{"group_commit_1":{"value":3000.5,"unit":"commits/s"},"naive_1":{"value":1500,"unit":"commits/s"}}}',
  '',
].join('\n');
const machine = { cpu: 'Test CPU', cores: 2, memoryGiB: 24, os: 'linux', node: 'v20', fsyncP50Ms: 0.3, fsyncP99Ms: 1.25, loadAverage: [1, 2, 3] as [number, number, number] };

describe('benchmark report', () => {
  it('finds the last JSON result line and ignores broken ones', () => {
    expect(parseResultLine(output)?.results.group_commit_1).toEqual({ value: 3000.5, unit: 'commits/s' });
    expect(parseResultLine('{"package": broken\nnothing')).toBeUndefined();
    expect(parseResultLine(`${output}\n{"package":"x","results":{"a":{"value":1,"unit":"u"}}}`)?.package).toBe('x');
  });

  it('keeps the table for people and drops npm chatter and JSON', () => {
    expect(humanPart(output)).toBe('committers | rate\n1 | 3000');
  });

  it('renders the machine, charts, ratios, the end-to-end section, each table and each figure', () => {
    const md = renderMarkdown(machine, [{ workspace: '@lockstep/tc', ok: true, humanOutput: humanPart(output), result: parseResultLine(output), seconds: 3 }, { workspace: '@lockstep/kv', ok: false, humanOutput: 'boom', result: undefined, seconds: 9 }], 'npm run bench', new Date('2026-11-24T00:00:00Z'), {
      charts: [{ title: 'Commit throughput', svg: 'charts/commit-throughput.svg', png: 'charts/commit-throughput.png' }],
      endToEnd: '| MariaDB | 1 |',
    });
    expect(md).toContain('| Test CPU | 2 | 24 GiB | linux | v20 | 0.30 ms / 1.25 ms | 1 2 3 |');
    expect(md).toContain('### @lockstep/tc');
    expect(md).toContain('| group_commit_1 | 3,001 | commits/s |');
    expect(md).toContain('on 2026-11-24');
    expect(md).toContain('![Commit throughput](charts/commit-throughput.svg)');
    expect(md).toContain('[PNG](charts/commit-throughput.png)');
    expect(md).toContain('| @lockstep/tc | 1 committers: group commit vs one fsync per commit | 3,001 | 1,500 | commits/s | 2.00x |');
    expect(md).toContain('## End to end: real servers over the wire\n\n| MariaDB | 1 |');
    expect(md).toContain('**Failed in this run:** @lockstep/kv');
  });

  it('measures a real fsync latency and the load average', () => {
    const m = describeMachine(20);
    expect(m.cores).toBeGreaterThan(0);
    expect(m.fsyncP50Ms).toBeGreaterThan(0);
    expect(m.fsyncP99Ms).toBeGreaterThanOrEqual(m.fsyncP50Ms);
    expect(m.loadAverage).toHaveLength(3);
    expect(machineLine(m)).toContain('load average');
  });
});

describe('ratios vs peers', () => {
  const lines: BenchResultLine[] = [
    { package: '@lockstep/locktree', results: { uncontended_try: { value: 4e6, unit: 'lock+release/s' }, async_lock_uncontended: { value: 4e5, unit: 'lock+release/s' }, hot_wait_p99_us: { value: 120, unit: 'µs' } } },
    { package: '@lockstep/kv', results: { '@lockstep/kv point reads': { value: 200, unit: 'ops/s' }, 'classic-level point reads': { value: 100, unit: 'ops/s' } } },
    { package: '@lockstep/replication', results: { 'none-w1': { value: 1000, unit: 'txn/s' }, 'optimistic-keyaware-w16': { value: 3000, unit: 'txn/s' }, 'optimistic-keyaware-w16-retries': { value: 2, unit: 'retries/1000 txn' } } },
    { package: '@lockstep/bench/e2e', results: { 'mariadb.oltp_write_only.tps': { value: 1500, unit: 'txn/s' }, 'lockstep.oltp_write_only.tps': { value: 3000, unit: 'txn/s' }, 'mariadb.catchup.none-w0': { value: 400, unit: 'txn/s' }, 'mariadb.catchup.conservative-w16': { value: 3200, unit: 'txn/s' }, 'mariadb.oltp_write_only.p99': { value: 44, unit: 'ms' } } },
    { package: '@lockstep/sql', results: { 'row.encode': { value: 10, unit: 'ops/s' }, 'row.encode.peer': { value: 5, unit: 'ops/s' } } },
  ];

  it('pairs each figure with the peer measured in the same run', () => {
    const ratios = peerRatios(lines).map((r) => [r.comparison, r.ours / r.peer]);
    expect(ratios).toEqual([
      ['uncontended lock+release: Lockstep tryAcquire vs async-lock', 10],
      ['point reads: kv vs classic-level', 2],
      ['optimistic-keyaware x16 vs serial (none)', 3],
      ['oltp_write_only.tps: Lockstep vs MariaDB', 2],
      ['MariaDB replica catch-up conservative x16 vs serial', 8],
      ['row.encode: ours vs peer', 2],
    ]);
  });

  it('lists latency figures', () => {
    expect(latencyFigures(lines).map((l) => l.name)).toEqual(['hot_wait_p99_us', 'mariadb.oltp_write_only.p99']);
  });
});

describe('progress bar', () => {
  it('fills in proportion to the steps done', () => {
    expect(progressLine({ done: 0, total: 4, label: 'a', stepSeconds: 1.2, totalSeconds: 3 })).toBe(`[${'.'.repeat(24)}] 0/4   0%  a  1 s (total 3 s)`);
    expect(progressLine({ done: 3, total: 4, label: 'tc', stepSeconds: 10, totalSeconds: 70 })).toBe(`[${'#'.repeat(18)}${'.'.repeat(6)}] 3/4  75%  tc  10 s (total 70 s)`);
    expect(progressLine({ done: 4, total: 4, label: 'x', stepSeconds: 0, totalSeconds: 0 })).toContain(`[${'#'.repeat(24)}] 4/4 100%`);
  });
});
