import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
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
});
