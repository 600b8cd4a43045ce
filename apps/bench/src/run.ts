// `npm run bench [-- --quick] [-- --only=NAME] [-- --no-e2e]`: every workspace's
// benchmark and the end-to-end suite (real servers over the wire), one after another, with
// a progress bar and the machine described once. A full run writes docs/benchmarks.md and
// the charts under docs/charts/; a quick run (the CI smoke check) writes nothing under
// docs/ but still renders every chart into a temporary directory.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCharts, type ResultsByPackage } from './charts/write-charts.js';
import { describeMachine, machineLine } from './machine.js';
import { docsDir, repositoryRoot } from './paths.js';
import { Progress } from './progress.js';
import { humanPart, parseResultLine, renderMarkdown, type BenchResultLine, type PackageRun } from './report.js';

const quick = process.argv.includes('--quick');
const withEndToEnd = !process.argv.includes('--no-e2e');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
/** A step running longer than this is killed (its process group) and reported as failed. */
const STEP_TIMEOUT_MS = quick ? 90_000 : 20 * 60_000;
export const E2E_STEP = 'end-to-end (bench:mariadb)';
const E2E_BEGIN = '<!-- e2e-begin -->';
const E2E_END = '<!-- e2e-end -->';

interface Step {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
}

function benchWorkspaces(): string[] {
  const names: string[] = [];
  for (const group of ['packages', 'apps']) {
    const base = join(repositoryRoot, group);
    if (!existsSync(base)) continue;
    for (const dir of readdirSync(base)) {
      const file = join(base, dir, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name: string; scripts?: Record<string, string> };
      if (pkg.name !== '@lockstep/bench' && pkg.scripts?.bench !== undefined) names.push(pkg.name);
    }
  }
  return names.sort();
}

function steps(): Step[] {
  const list: Step[] = benchWorkspaces().map((workspace) => ({ name: workspace, command: 'npm', args: ['run', 'bench', '-w', workspace, '--silent', '--', ...(quick ? ['--quick'] : [])] }));
  if (withEndToEnd) list.push({ name: E2E_STEP, command: 'npm', args: ['run', 'bench:mariadb', '-w', '@lockstep/bench', '--silent', '--', ...(quick ? ['--smoke'] : [])] });
  return list.filter((s) => only === undefined || s.name.includes(only));
}

function runStep(step: Step): Promise<{ ok: boolean; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    // Its own process group, so a timeout stops the benchmark and everything it started.
    const child = spawn(step.command, step.args, { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    }, STEP_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0 && !timedOut, stdout, stderr, timedOut });
    });
  });
}

const started = performance.now();
const machine = describeMachine();
console.log(`machine: ${machineLine(machine)}`);
console.log(`${quick ? 'quick smoke run' : 'full run'}${only === undefined ? '' : ` (only steps matching "${only}")`}\n`);
const plan = steps();
const progress = new Progress(plan.length);
const runs: PackageRun[] = [];
let endToEnd: string | undefined;
for (const step of plan) {
  progress.start(`${step.name}${quick ? ' (quick)' : ''}`);
  const { ok, stdout, stderr, timedOut } = await runStep(step);
  const human = humanPart(stdout);
  const seconds = progress.finish(ok ? 'done' : timedOut ? `FAILED: killed after ${STEP_TIMEOUT_MS / 1000} s` : 'FAILED');
  console.log(human.split('\n').map((l) => `    ${l}`).join('\n'));
  if (!ok && stderr.trim() !== '') console.log(stderr.trim().split('\n').slice(-20).map((l) => `    ! ${l}`).join('\n'));
  if (step.name === E2E_STEP) {
    const section = stdout.split(E2E_BEGIN)[1]?.split(E2E_END)[0];
    endToEnd = section?.trim() ?? `The end-to-end run did not finish (${timedOut ? 'timed out' : 'failed'}); see its output in the section below.`;
  }
  runs.push({ workspace: step.name, ok, humanOutput: step.name === E2E_STEP ? human.replace(E2E_BEGIN, '').replace(E2E_END, '') : human, result: parseResultLine(stdout), seconds });
}

const results: ResultsByPackage = new Map(runs.map((r) => r.result).filter((r): r is BenchResultLine => r !== undefined).map((r) => [r.package, r]));
const subtitle = `${quick ? 'quick run' : 'npm run bench'}, ${new Date().toISOString().slice(0, 10)}, ${machine.cpu} x${machine.cores}`;
const chartDir = quick ? mkdtempSync(join(tmpdir(), 'lockstep-charts-')) : join(docsDir, 'charts');
let chartsFailed = false;
let charts: Awaited<ReturnType<typeof writeCharts>> = [];
try {
  charts = await writeCharts(results, chartDir, subtitle);
  console.log(`\n${charts.length} charts rendered (SVG + PNG) into ${quick ? chartDir : 'docs/charts/'}: ${charts.map((c) => c.name).join(', ')}`);
} catch (error) {
  chartsFailed = true;
  console.error(`charts failed: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  if (quick) rmSync(chartDir, { recursive: true, force: true });
}
if (!quick) {
  mkdirSync(docsDir, { recursive: true });
  const command = `npm run bench${only === undefined ? '' : ` -- --only=${only}`}`;
  writeFileSync(join(docsDir, 'benchmarks.md'), renderMarkdown(machine, runs, command, new Date(), { charts: charts.map((c) => ({ title: c.title, svg: `charts/${c.svg}`, png: `charts/${c.png}` })), ...(endToEnd === undefined ? {} : { endToEnd }) }));
  console.log('wrote docs/benchmarks.md');
}
const failed = runs.filter((r) => !r.ok).map((r) => r.workspace);
console.log(`\n${runs.length - failed.length} benchmarks passed, ${failed.length} failed${failed.length > 0 ? `: ${failed.join(', ')}` : ''}${chartsFailed ? '; charts FAILED' : ''}; ${((performance.now() - started) / 1000).toFixed(0)} s in all`);
process.exit(failed.length === 0 && !chartsFailed ? 0 : 1);
