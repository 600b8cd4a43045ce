import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { docsDir, repositoryRoot } from '../src/paths.js';

describe('the runner', () => {
  it('runs a quick step with a progress bar, collects its JSON, renders its charts to a temporary directory and leaves docs/ alone', () => {
    const benchmarksMd = join(docsDir, 'benchmarks.md');
    const before = existsSync(benchmarksMd) ? statSync(benchmarksMd).mtimeMs : undefined;
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(repositoryRoot, 'apps/bench/src/run.ts'), '--quick', '--only=@lockstep/tc', '--no-e2e'], { cwd: repositoryRoot, encoding: 'utf8', timeout: 80_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/machine: .*fsync p50 .*load average/);
    expect(run.stdout).toContain(`[${'.'.repeat(24)}] 0/1   0%  @lockstep/tc (quick)`);
    expect(run.stdout).toMatch(new RegExp(`\\[${'#'.repeat(24)}\\] 1/1 100%  @lockstep/tc \\(quick\\)  \\d+ s \\(total \\d+ s\\)  done`));
    expect(run.stdout).toMatch(/2 charts rendered \(SVG \+ PNG\) into .*lockstep-charts-.*: commit-throughput, commits-per-fsync/);
    expect(run.stdout).toContain('1 benchmarks passed, 0 failed');
    expect(existsSync(benchmarksMd) ? statSync(benchmarksMd).mtimeMs : undefined).toBe(before);
  }, 90_000);

  it('with --only and --write, replaces only the steps it ran and renders the documents from the merged set', () => {
    const docs = mkdtempSync(join(tmpdir(), 'bench-docs-'));
    try {
      const earlier = {
        workspace: '@lockstep/tc',
        ok: true,
        humanOutput: 'an earlier tc table',
        seconds: 12,
        date: '2026-01-01',
        command: 'npm run bench',
        quick: false,
        stepCommand: 'npm run bench -w @lockstep/tc --',
        result: { package: '@lockstep/tc', results: { fsync_rate: { value: 300, unit: 'fsync/s' }, rows_group_commit_16: { value: 3000, unit: 'commits/s' }, rows_naive_16: { value: 300, unit: 'commits/s' }, rows_commits_per_fsync_16: { value: 15, unit: 'commits/fsync' } } },
      };
      writeFileSync(join(docs, 'results.json'), JSON.stringify({ runs: [earlier] }));
      const run = spawnSync(process.execPath, ['--import', 'tsx', join(repositoryRoot, 'apps/bench/src/run.ts'), '--quick', '--write', '--only=@lockstep/txn', '--no-e2e'], { cwd: repositoryRoot, encoding: 'utf8', timeout: 80_000, env: { ...process.env, LOCKSTEP_BENCH_DOCS_DIR: docs } });
      expect(run.status, run.stderr).toBe(0);
      const stored = JSON.parse(readFileSync(join(docs, 'results.json'), 'utf8')) as { runs: { workspace: string; quick: boolean }[] };
      expect(stored.runs.map((r) => [r.workspace, r.quick])).toEqual([
        ['@lockstep/tc', false],
        ['@lockstep/txn', true],
      ]);
      const md = readFileSync(join(docs, 'benchmarks.md'), 'utf8');
      expect(md).toContain('an earlier tc table');
      expect(md).toContain('from `npm run bench` on 2026-01-01');
      expect(md).toMatch(/### @lockstep\/txn\n\nRan in \d+ s — as `npm run bench -w @lockstep\/txn -- --quick`, a QUICK run: small sizes\./);
      expect(md).toContain('![Commit throughput vs concurrency (@lockstep/tc, rows transactions)](charts/commit-throughput.svg)');
      expect(readdirSync(join(docs, 'charts')).sort()).toEqual(['commit-throughput.png', 'commit-throughput.svg', 'commits-per-fsync.png', 'commits-per-fsync.svg']);
    } finally {
      rmSync(docs, { recursive: true, force: true });
    }
  }, 90_000);
});
