// `npm run bench:mariadb [-- --quick]`: real sysbench and a real MariaDB 10.11 primary +
// replica on loopback, next to Lockstep once its server serves (until then every table
// says "Lockstep: not available yet (server not built)"). A full run writes
// docs/mariadb-baseline.md and docs/e2e-results.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeMachine, machineLine } from './machine.js';
import { docsDir } from './paths.js';
import { e2eResults, renderE2eMarkdown, type FlavorOutcome } from './e2e/e2e-report.js';
import { runServerSuite, type SuiteOptions } from './e2e/server-suite.js';
import { runSmoke } from './e2e/smoke.js';
import { LockstepFlavor } from './servers/lockstep.js';
import { MariaDbFlavor } from './servers/mariadb.js';
import { killAllStartedServers } from './servers/server-process.js';
import type { ServerFlavor } from './servers/types.js';

const quick = process.argv.includes('--quick');
const smoke = process.argv.includes('--smoke');
const command = `npm run bench:mariadb -w @lockstep/bench${quick ? ' -- --quick' : smoke ? ' -- --smoke' : ''}`;
const threads = 16;
const started = performance.now();

function suiteOptions(name: string): SuiteOptions {
  return {
    workdir: join(tmpdir(), `lockstep-e2e-${name.toLowerCase()}-${process.pid}`),
    threads,
    oltpSeconds: quick ? 5 : 30,
    oltpScripts: ['oltp_point_select', 'oltp_write_only', 'oltp_read_write'],
    tableSize: 10_000,
    historyTransactions: quick ? 2_000 : 20_000,
    // The last configuration (MariaDB's default mode, 16 workers) stays up for the lag run.
    catchUp: [
      { mode: 'none', threads: 0 },
      { mode: 'conservative', threads: 4 },
      { mode: 'conservative', threads: 16 },
      { mode: 'aggressive', threads: 4 },
      { mode: 'aggressive', threads: 16 },
      { mode: 'optimistic', threads: 4 },
      { mode: 'optimistic', threads: 16 },
    ],
    lagSeconds: quick ? 5 : 30,
    generatorSeconds: quick ? 2 : 10,
    catchUpTimeoutMs: quick ? 120_000 : 300_000,
    log: (line) => {
      console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
    },
  };
}

async function runFlavor(flavor: ServerFlavor): Promise<FlavorOutcome> {
  const availability = await flavor.availability();
  if (!availability.available) {
    console.log(`${flavor.name}: not measured: ${availability.reason}`);
    return { ran: false, name: flavor.name, reason: availability.reason };
  }
  try {
    return { ran: true, result: await runServerSuite(flavor, availability.version, suiteOptions(flavor.name)) };
  } catch (error) {
    const reason = `the run failed: ${error instanceof Error ? error.message : String(error)}`;
    console.error(`${flavor.name}: ${reason}`);
    return { ran: false, name: flavor.name, reason };
  }
}

try {
  const machine = describeMachine();
  console.log(`machine: ${machineLine(machine)}`);
  if (smoke) {
    await runSmoke([new MariaDbFlavor(), new LockstepFlavor()], machine);
    process.exit(process.exitCode ?? 0);
  }
  const outcomes = [await runFlavor(new MariaDbFlavor()), await runFlavor(new LockstepFlavor())];
  const seconds = (performance.now() - started) / 1000;
  const markdown = renderE2eMarkdown(outcomes, threads);
  console.log(`\n<!-- e2e-begin -->\n${markdown}\n<!-- e2e-end -->`);
  console.log(`${quick ? 'quick run' : 'full run'} in ${seconds.toFixed(0)} s; machine: ${machineLine(machine)}`);
  if (!quick) {
    mkdirSync(docsDir, { recursive: true });
    const doc = [
      '# MariaDB 10.11 baseline (and Lockstep beside it)',
      '',
      `Produced by \`${command}\` on ${new Date().toISOString().slice(0, 10)} in ${seconds.toFixed(0)} s. These are the reference figures the project quotes for MariaDB.`,
      '',
      `Machine: ${machineLine(machine)}. The machine is shared (see the load average): figures move by tens of percent between runs.`,
      '',
      'Setup: a primary and a replica on 127.0.0.1, throwaway datadirs made by `mariadb-install-db`, InnoDB, `sync_binlog=1`, `innodb_flush_log_at_trx_commit=1`, `binlog_format=ROW`, `log_bin`, GTIDs (`MASTER_USE_GTID=slave_pos`), the replica with `log_slave_updates=0`; sysbench 1.0.20 with its bundled scripts, 1 table of 10,000 rows, its default key distribution (`--rand-type=special`). See apps/bench/README.md for each step.',
      '',
      markdown,
    ].join('\n');
    writeFileSync(join(docsDir, 'mariadb-baseline.md'), doc);
    writeFileSync(join(docsDir, 'e2e-results.json'), `${JSON.stringify({ command, date: new Date().toISOString(), machine, outcomes }, (key, value: unknown) => (key === 'output' ? undefined : value), 1)}\n`);
    console.log('wrote docs/mariadb-baseline.md and docs/e2e-results.json');
  }
  console.log(JSON.stringify({ package: '@lockstep/bench/e2e', machine, results: e2eResults(outcomes) }));
  process.exitCode = outcomes.some((o) => !o.ran && o.name === 'MariaDB') ? 1 : 0;
} finally {
  killAllStartedServers();
}
