// `bench:mariadb --smoke` (what `npm run bench -- --quick` runs end to end, in seconds):
// each available server flavor as a primary, the built-in load generator's three OLTP
// mixes for a moment each, then stopped. Proves the harness works; measures little.
// A flavor that is not available (MariaDB not installable, Lockstep not built) is skipped
// with its reason; a flavor that is available but fails makes the exit status 1.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYSBENCH_SPECIAL } from '../load/distributions.js';
import { prepareTables, runLoad, type LoadResult } from '../load/load-generator.js';
import { OLTP_WORKLOADS } from '../load/oltp.js';
import type { MachineDescription } from '../machine.js';
import type { ServerFlavor } from '../servers/types.js';

const SMOKE_SECONDS = 1.5;
const SMOKE_CONNECTIONS = 8;
const SMOKE_TABLE_SIZE = 10_000;

export async function runSmoke(flavors: readonly ServerFlavor[], machine: MachineDescription): Promise<void> {
  const results: Record<string, { value: number; unit: string }> = {};
  const lines: string[] = ['<!-- e2e-begin -->', `Smoke run: each server as a primary, the built-in generator (${SMOKE_CONNECTIONS} connections, hot-spot keys, ${SMOKE_SECONDS} s per mix).`, '', '| server | workload | tps | p50 ms | p99 ms | retries | errors |', '| --- | --- | --- | --- | --- | --- | --- |'];
  let failed = false;
  for (const flavor of flavors) {
    const availability = await flavor.availability();
    if (!availability.available) {
      // Not installable here (no root, no apt): a smoke run skips it with the reason, as tests do.
      lines.push(`| ${flavor.name} | SKIPPED, not measured: ${availability.reason} | - | - | - | - | - |`);
      console.warn(`SKIPPED ${flavor.name}: ${availability.reason}`);
      continue;
    }
    const dir = mkdtempSync(join(tmpdir(), `lockstep-smoke-${flavor.name.toLowerCase()}-`));
    const datadir = join(dir, 'primary');
    try {
      await flavor.prepareDatadir(datadir);
      const server = await flavor.start({ role: 'primary', datadir, serverId: 1 });
      try {
        await prepareTables(server, { tableSize: SMOKE_TABLE_SIZE, seed: 1 });
        for (const workload of OLTP_WORKLOADS) {
          const r: LoadResult = await runLoad(server, { workload, connections: SMOKE_CONNECTIONS, seed: 1, durationMs: SMOKE_SECONDS * 1000, tableSize: SMOKE_TABLE_SIZE, distribution: SYSBENCH_SPECIAL });
          lines.push(`| ${flavor.name} ${availability.version} | ${workload} | ${Math.round(r.tps)} | ${r.latencyMs.p50.toFixed(2)} | ${r.latencyMs.p99.toFixed(2)} | ${JSON.stringify(r.retries)} | ${JSON.stringify(r.errors)} |`);
          results[`${flavor.name.toLowerCase()}.generator.${workload}.hot-spot.tps`] = { value: Number(r.tps.toFixed(1)), unit: 'txn/s' };
          results[`${flavor.name.toLowerCase()}.generator.${workload}.hot-spot.p99`] = { value: Number(r.latencyMs.p99.toFixed(3)), unit: 'ms' };
        }
      } finally {
        await server.stop();
      }
    } catch (error) {
      lines.push(`| ${flavor.name} | FAILED: ${error instanceof Error ? error.message.split('\n')[0]! : String(error)} | - | - | - | - | - |`);
      failed = true;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  lines.push('<!-- e2e-end -->');
  console.log(lines.join('\n'));
  console.log(JSON.stringify({ package: '@lockstep/bench/e2e', machine, results }));
  process.exitCode = failed ? 1 : 0;
}
