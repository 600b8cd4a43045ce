// Tables for the end-to-end suite: MariaDB and Lockstep side by side, ratios vs serial
// apply and Lockstep vs MariaDB, and the JSON line.
import type { SuiteResult } from './server-suite.js';

export type FlavorOutcome = { readonly ran: true; readonly result: SuiteResult } | { readonly ran: false; readonly name: string; readonly reason: string };

const fmt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
const ms = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '-');

function unavailableLines(outcomes: readonly FlavorOutcome[]): string[] {
  return outcomes.filter((o): o is Extract<FlavorOutcome, { ran: false }> => !o.ran).map((o) => `**${o.name}: not measured.** ${o.reason}`);
}

/** Markdown for the three measurements, in the order people read them. */
export function renderE2eMarkdown(outcomes: readonly FlavorOutcome[], threads: number): string {
  const ran = outcomes.filter((o): o is Extract<FlavorOutcome, { ran: true }> => o.ran).map((o) => o.result);
  const mariadb = ran.find((r) => r.flavor === 'MariaDB');
  const lockstep = ran.find((r) => r.flavor === 'Lockstep');
  const out: string[] = [];
  const notes = unavailableLines(outcomes);
  if (notes.length > 0) out.push(...notes, '');

  out.push(`### Primary: sysbench OLTP, ${threads} threads`, '');
  out.push('| server | workload | tps | latency p50 ms | p95 ms | p99 ms | max ms | ignored errors | vs MariaDB |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const result of ran) {
    for (const { script, result: r } of result.oltp) {
      const peer = mariadb?.oltp.find((o) => o.script === script)?.result.tps;
      out.push(`| ${result.flavor} ${result.version} | ${script} | ${fmt(r.tps)} | ${ms(r.latencyMs.p50)} | ${ms(r.latencyMs.p95)} | ${ms(r.latencyMs.p99)} | ${ms(r.latencyMs.max)} | ${r.ignoredErrors} | ${peer === undefined || result === mariadb ? '1.00x' : `${(r.tps / peer).toFixed(2)}x`} |`);
    }
  }
  out.push('');

  if (ran.some((r) => r.generator.length > 0)) {
    out.push(`### Primary: the built-in load generator (mysql2, prepared statements, ${threads} connections in one Node process beside the server)`, '');
    out.push('| server | workload | keys | tps | latency p50 ms | p95 ms | p99 ms | max ms | retries (errno: count) | errors (errno: count) | vs MariaDB |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const result of ran) {
      for (const { distribution, result: g } of result.generator) {
        const peer = mariadb?.generator.find((m) => m.distribution === distribution && m.result.workload === g.workload)?.result.tps;
        const counts = (record: Readonly<Record<number, number>>): string => Object.entries(record).map(([errno, n]) => `${errno}: ${n}`).join(', ') || '0';
        out.push(`| ${result.flavor} | ${g.workload} | ${distribution} | ${fmt(g.tps)} | ${ms(g.latencyMs.p50)} | ${ms(g.latencyMs.p95)} | ${ms(g.latencyMs.p99)} | ${ms(g.latencyMs.max)} | ${counts(g.retries)} | ${counts(g.errors)} | ${peer === undefined || result === mariadb ? '1.00x' : `${(g.tps / peer).toFixed(2)}x`} |`);
      }
    }
    out.push('');
  }

  out.push('### Replica catch-up of a stopped replica', '');
  for (const result of ran) {
    const first = result.catchUp[0];
    if (first !== undefined) out.push(`${result.flavor}: a history of ${fmt(first.transactions)} sysbench oltp_write_only transactions (${threads} threads on the primary, ${fmt(result.historyTps)} tps) applied from a snapshot of the stopped replica, once per setting.`);
  }
  out.push('');
  out.push('| server | slave_parallel_mode | slave_parallel_threads | seconds | txn/s | vs serial | retried transactions | retried per 1000 | replica equals primary | vs MariaDB |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const result of ran) {
    const serial = result.catchUp.find((c) => c.threads === 0 || c.mode === 'none')?.rate;
    for (const c of result.catchUp) {
      const peer = mariadb?.catchUp.find((m) => m.mode === c.mode && m.threads === c.threads)?.rate;
      out.push(`| ${result.flavor} | ${c.mode} | ${c.threads} | ${c.seconds.toFixed(1)} | ${fmt(c.rate)} | ${serial === undefined ? '-' : `${(c.rate / serial).toFixed(2)}x`} | ${c.retried} | ${((c.retried * 1000) / Math.max(1, c.transactions)).toFixed(1)} | ${c.equal ? 'yes' : 'NO'} | ${peer === undefined || result === mariadb ? '-' : `${(c.rate / peer).toFixed(2)}x`} |`);
    }
  }
  if (lockstep === undefined) out.push(`| Lockstep | - | - | - | - | - | - | - | - | not measured |`);
  out.push('');

  out.push(`### Replica lag under a live load (sysbench oltp_write_only, ${threads} threads)`, '');
  out.push('| server | mode x threads | primary tps | max GTID distance (txn) | max Seconds_Behind_Master | backlog growth, 2nd half (txn/s) | verdict | drain after load (s) | retried | replica equals primary |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const result of ran) {
    const lag = result.lag;
    if (lag === undefined) continue;
    out.push(`| ${result.flavor} | ${lag.mode} x${lag.threads} | ${fmt(lag.primaryTps)} | ${fmt(lag.maxDistance)} | ${lag.maxSecondsBehind} | ${lag.growthPerSecond.toFixed(1)} | ${lag.verdict} | ${lag.drainSeconds.toFixed(1)} | ${lag.retried} | ${lag.equal ? 'yes' : 'NO'} |`);
  }
  if (lockstep === undefined) out.push(`| Lockstep | - | - | - | - | - | - | - | - | not measured |`);
  out.push('');
  for (const result of ran) {
    if (result.lag === undefined) continue;
    out.push(`${result.flavor} lag samples (second: GTID distance / Seconds_Behind_Master): ${result.lag.samples.map((s) => `${s.second}: ${s.gtidDistance}/${s.secondsBehindMaster ?? 'NULL'}`).join(', ')}`, '');
  }
  return out.join('\n');
}

/** The `results` of the JSON line: one figure per measurement, named `<flavor>.<what>`. */
export function e2eResults(outcomes: readonly FlavorOutcome[]): Record<string, { value: number; unit: string }> {
  const results: Record<string, { value: number; unit: string }> = {};
  for (const outcome of outcomes) {
    if (!outcome.ran) continue;
    const r = outcome.result;
    const prefix = r.flavor.toLowerCase();
    for (const { script, result } of r.oltp) {
      results[`${prefix}.${script}.tps`] = { value: Number(result.tps.toFixed(1)), unit: 'txn/s' };
      results[`${prefix}.${script}.p95`] = { value: result.latencyMs.p95, unit: 'ms' };
      results[`${prefix}.${script}.p99`] = { value: result.latencyMs.p99, unit: 'ms' };
    }
    for (const c of r.catchUp) {
      results[`${prefix}.catchup.${c.mode}-w${c.threads}`] = { value: Math.round(c.rate), unit: 'txn/s' };
      results[`${prefix}.catchup.${c.mode}-w${c.threads}-retried`] = { value: c.retried, unit: 'transactions' };
    }
    for (const { distribution, result } of r.generator) {
      results[`${prefix}.generator.${result.workload}.${distribution}.tps`] = { value: Number(result.tps.toFixed(1)), unit: 'txn/s' };
      results[`${prefix}.generator.${result.workload}.${distribution}.p99`] = { value: Number(result.latencyMs.p99.toFixed(3)), unit: 'ms' };
    }
    if (r.lag !== undefined) {
      results[`${prefix}.lag.max_distance`] = { value: r.lag.maxDistance, unit: 'transactions' };
      results[`${prefix}.lag.growth`] = { value: Number(r.lag.growthPerSecond.toFixed(2)), unit: 'txn/s' };
    }
  }
  return results;
}
