#!/usr/bin/env node
// `npm test`: build, lint and typecheck every workspace, run every workspace's tests,
// then print one summary line over all of them: `N passed, N failed[, N skipped]`.
// Exits non-zero if any step failed or any test failed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

function workspaces() {
  const dirs = [];
  for (const group of ['packages', 'apps']) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) {
      const pkgFile = join(base, name, 'package.json');
      if (existsSync(pkgFile)) dirs.push({ dir: join(base, name), pkg: JSON.parse(readFileSync(pkgFile, 'utf8')) });
    }
  }
  return dirs;
}

function run(args) {
  console.log(`\n$ ${args.join(' ')}`);
  const result = spawnSync(args[0], args.slice(1), { cwd: root, stdio: 'inherit' });
  return result.status === 0;
}

const all = workspaces();
for (const ws of all) rmSync(join(ws.dir, 'test-report.json'), { force: true });

const checksPassed = run(['npx', 'turbo', 'run', 'build', 'lint', 'typecheck', '--output-logs=errors-only']);
// Tests run one package at a time: several use real sockets, fsync and timing-free stress
// loops sized for two cores; running them side by side would only add noise.
const testsRan = run(['npx', 'turbo', 'run', 'test', '--concurrency=1', '--continue']);

let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
for (const ws of all) {
  if (!ws.pkg.scripts?.test) continue;
  const reportFile = join(ws.dir, 'test-report.json');
  if (!existsSync(reportFile)) {
    // A package whose test run died before writing a report counts as one failure.
    failed += 1;
    rows.push(`${ws.pkg.name}: no test report (the test run crashed or did not start)`);
    continue;
  }
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  const p = report.numPassedTests ?? 0;
  const f = report.numFailedTests ?? 0;
  const s = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  // A suite that failed to load (import error, crash in a hook) has no failed test but counts.
  let suiteFailures = 0;
  for (const suite of report.testResults ?? []) {
    if (suite.status === 'failed' && (suite.assertionResults ?? []).every((a) => a.status !== 'failed')) suiteFailures += 1;
  }
  passed += p;
  failed += f + suiteFailures;
  skipped += s;
  rows.push(`${ws.pkg.name}: ${p} passed, ${f + suiteFailures} failed${s ? `, ${s} skipped` : ''}`);
}

console.log('\nTest totals by workspace:');
for (const row of rows) console.log(`  ${row}`);
if (!checksPassed) console.log('build, lint or typecheck failed (see above)');
if (!testsRan && failed === 0) {
  failed += 1;
  console.log('the test run failed outside any test (see above)');
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(checksPassed && testsRan && failed === 0 ? 0 : 1);
