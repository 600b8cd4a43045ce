// `npm run bench [-- --quick]`: every workspace's benchmark, one after another, with the
// machine described once; a full run writes docs/benchmarks.md.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMachine } from './machine.js';
import { humanPart, parseResultLine, renderMarkdown, type PackageRun } from './report.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);

function benchWorkspaces(): string[] {
  const names: string[] = [];
  for (const group of ['packages', 'apps']) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const dir of readdirSync(base)) {
      const file = join(base, dir, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name: string; scripts?: Record<string, string> };
      if (pkg.name !== '@lockstep/bench' && pkg.scripts?.bench !== undefined) names.push(pkg.name);
    }
  }
  return names.filter((n) => only === undefined || n.includes(only)).sort();
}

function runOne(workspace: string): Promise<PackageRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    const args = ['run', 'bench', '-w', workspace, '--silent', '--', ...(quick ? ['--quick'] : [])];
    const child = spawn('npm', args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      process.stdout.write(chunk);
    });
    child.on('close', (code) => {
      resolve({ workspace, ok: code === 0, humanOutput: humanPart(stdout), result: parseResultLine(stdout), seconds: (performance.now() - started) / 1000 });
    });
  });
}

const machine = describeMachine();
console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, fsync p50 ${machine.fsyncP50Ms.toFixed(2)} ms`);
const workspaces = benchWorkspaces();
const runs: PackageRun[] = [];
for (const [i, workspace] of workspaces.entries()) {
  const bar = `${'#'.repeat(i)}${'.'.repeat(workspaces.length - i)}`;
  console.log(`\n[${bar}] ${i + 1}/${workspaces.length} ${workspace}${quick ? ' (quick)' : ''}`);
  const run = await runOne(workspace);
  runs.push(run);
  console.log(`[${workspace}] ${run.ok ? 'done' : 'FAILED'} in ${run.seconds.toFixed(1)} s`);
}
const failed = runs.filter((r) => !r.ok).map((r) => r.workspace);
if (!quick) {
  mkdirSync(join(root, 'docs'), { recursive: true });
  writeFileSync(join(root, 'docs', 'benchmarks.md'), renderMarkdown(machine, runs, 'npm run bench', new Date()));
  console.log('\nwrote docs/benchmarks.md');
}
console.log(`\n${runs.length - failed.length} benchmarks passed, ${failed.length} failed${failed.length > 0 ? `: ${failed.join(', ')}` : ''}`);
process.exit(failed.length === 0 ? 0 : 1);
