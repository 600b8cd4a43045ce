// `npm run bench [-- --quick] [-- --only=NAME] [-- --no-e2e] [-- --write]`: every
// workspace's benchmark and the end-to-end suite (real servers over the wire), one after
// another, with a progress bar and the machine described once. A full run writes
// docs/results.json, docs/benchmarks.md and the charts under docs/charts/; with --only it
// replaces only the steps it ran in docs/results.json and renders the documents from the
// merged set (each section says which run it came from). A quick run (the CI smoke check)
// writes nothing under docs/ unless --write is given, but still renders every chart into a
// temporary directory.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCharts, type ResultsByPackage } from './charts/write-charts.js';
import { describeMachine, machineLine, type MachineDescription } from './machine.js';
import { docsDir, repositoryRoot } from './paths.js';
import { Progress } from './progress.js';
import { humanPart, parseResultLine, renderMarkdown, type BenchResultLine, type PackageRun } from './report.js';

const quick = process.argv.includes('--quick');
const withEndToEnd = !process.argv.includes('--no-e2e');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
/** Runs nothing: re-renders docs/benchmarks.md and the charts from docs/results.json. */
const renderOnly = process.argv.includes('--render-only');
const write = !quick || renderOnly || process.argv.includes('--write');
const commandLine = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
const resultsFile = join(docsDir, 'results.json');

/** What docs/results.json keeps per step, so partial runs can be merged. */
interface StoredRun extends PackageRun {
  readonly date: string;
  readonly command: string;
  readonly quick: boolean;
  /** The step's own command, e.g. `npm run bench -w @lockstep/tc -- --quick`. */
  readonly stepCommand?: string;
  readonly endToEnd?: string;
}

/** The machine of the last full run, kept in docs/results.json for partial runs and re-renders. */
let storedMachine: MachineDescription | undefined;

function loadStored(): Map<string, StoredRun> {
  if (!existsSync(resultsFile)) return new Map();
  try {
    const parsed = JSON.parse(readFileSync(resultsFile, 'utf8')) as { runs?: StoredRun[]; machine?: MachineDescription };
    storedMachine = parsed.machine;
    return new Map((parsed.runs ?? []).map((r) => [r.workspace, r]));
  } catch (error) {
    console.warn(`ignoring ${resultsFile}: ${error instanceof Error ? error.message : String(error)}`);
    return new Map();
  }
}
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

/**
 * Sizes the runner gives a package's full benchmark so the whole suite fits its time
 * budget on a small shared machine (the package's own default stays for people running it
 * alone). Said in docs/benchmarks.md through the step's command.
 */
const FULL_RUN_ARGS: Readonly<Record<string, readonly string[]>> = {
  // 100,000 transactions x 43 points does not finish in 20 minutes on 2 shared cores.
  '@lockstep/replication': ['--transactions', '10000'],
};

function steps(): Step[] {
  const list: Step[] = benchWorkspaces().map((workspace) => ({ name: workspace, command: 'npm', args: ['run', 'bench', '-w', workspace, '--silent', '--', ...(quick ? ['--quick'] : (FULL_RUN_ARGS[workspace] ?? []))] }));
  if (withEndToEnd) list.push({ name: E2E_STEP, command: 'npm', args: ['run', 'bench:mariadb', '-w', '@lockstep/bench', '--silent', '--', ...(quick ? ['--smoke'] : [])] });
  return renderOnly ? [] : list.filter((s) => only === undefined || s.name.includes(only));
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
const runs: (PackageRun & { readonly stepCommand: string })[] = [];
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
  runs.push({ workspace: step.name, stepCommand: [step.command, ...step.args.filter((a) => a !== '--silent')].join(' '), ok, humanOutput: step.name === E2E_STEP ? human.replace(E2E_BEGIN, '').replace(E2E_END, '') : human, result: parseResultLine(stdout), seconds });
}

// The set the documents are made from: this run's steps, plus (with --only) earlier stored ones.
const today = new Date().toISOString().slice(0, 10);
const merged = only === undefined && !renderOnly ? new Map<string, StoredRun>() : loadStored();
for (const run of runs) merged.set(run.workspace, { ...run, date: today, command: commandLine, quick, ...(run.workspace === E2E_STEP && endToEnd !== undefined ? { endToEnd } : {}) });
const documentRuns: PackageRun[] = [...merged.values()]
  .sort((a, b) => (a.workspace === E2E_STEP ? 1 : b.workspace === E2E_STEP ? -1 : a.workspace.localeCompare(b.workspace)))
  .map((r) => {
    const parts = [r.stepCommand === undefined ? undefined : `as \`${r.stepCommand}\``, r.command === commandLine ? undefined : `from \`${r.command}\` on ${r.date}`, r.quick ? 'a QUICK run: small sizes' : undefined].filter((x) => x !== undefined);
    return { workspace: r.workspace, ok: r.ok, humanOutput: r.humanOutput, result: r.result, seconds: r.seconds, ...(parts.length > 0 ? { note: parts.join(', ') } : {}) };
  });
const mergedEndToEnd = merged.get(E2E_STEP)?.endToEnd;

const results: ResultsByPackage = new Map((write ? documentRuns : runs).map((r) => r.result).filter((r): r is BenchResultLine => r !== undefined).map((r) => [r.package, r]));
const subtitle = `${quick ? 'quick run' : 'npm run bench'}, ${new Date().toISOString().slice(0, 10)}, ${machine.cpu} x${machine.cores}`;
const chartDir = write ? join(docsDir, 'charts') : mkdtempSync(join(tmpdir(), 'lockstep-charts-'));
let chartsFailed = false;
let charts: Awaited<ReturnType<typeof writeCharts>> = [];
try {
  charts = await writeCharts(results, chartDir, subtitle);
  console.log(`\n${charts.length} charts rendered (SVG + PNG) into ${write ? 'docs/charts/' : chartDir}: ${charts.map((c) => c.name).join(', ')}`);
} catch (error) {
  chartsFailed = true;
  console.error(`charts failed: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  if (!write) rmSync(chartDir, { recursive: true, force: true });
}
if (write) {
  mkdirSync(docsDir, { recursive: true });
  // A full run describes the machine; a partial run or a re-render keeps the full run's description.
  const documentMachine = only === undefined && !renderOnly ? machine : (storedMachine ?? machine);
  writeFileSync(resultsFile, `${JSON.stringify({ machine: documentMachine, runs: [...merged.values()] }, null, 1)}\n`);
  writeFileSync(join(docsDir, 'benchmarks.md'), renderMarkdown(documentMachine, documentRuns, commandLine, new Date(), { charts: charts.map((c) => ({ title: c.title, svg: `charts/${c.svg}`, png: `charts/${c.png}` })), ...(mergedEndToEnd === undefined ? {} : { endToEnd: mergedEndToEnd }) }));
  console.log('wrote docs/results.json, docs/benchmarks.md');
}
const failed = runs.filter((r) => !r.ok).map((r) => r.workspace);
console.log(`\n${runs.length - failed.length} benchmarks passed, ${failed.length} failed${failed.length > 0 ? `: ${failed.join(', ')}` : ''}${chartsFailed ? '; charts FAILED' : ''}; ${((performance.now() - started) / 1000).toFixed(0)} s in all`);
process.exit(failed.length === 0 && !chartsFailed ? 0 : 1);
