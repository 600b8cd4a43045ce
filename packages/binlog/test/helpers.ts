import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export const fixturesDir = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const repoRoot = path.resolve(fileURLToPath(new URL('../../../', import.meta.url)));

export function fixtureFiles(): string[] {
  return readdirSync(fixturesDir)
    .filter((n) => /^mariadb-bin\.\d{6}$/.test(n))
    .sort();
}

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(fixturesDir, name)));
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export function fromHex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
}

/**
 * Runs scripts/ensure-apt.sh for the Debian packages; returns undefined when they are
 * there, or the reason they are not (tests skip with it printed).
 */
export function ensureApt(...packages: string[]): string | undefined {
  const result = spawnSync('bash', [path.join(repoRoot, 'scripts/ensure-apt.sh'), ...packages], { encoding: 'utf8' });
  if (result.status === 0) return undefined;
  const reason = `${packages.join(', ')} unavailable: ${(result.stderr || result.stdout || `exit ${result.status}`).trim()}`;
  console.warn(`[skip] ${reason}`);
  return reason;
}

/** Seed-count knob: `BINLOG_FUZZ_RUNS=10000 npm test -w @lockstep/binlog`. */
export const FUZZ_RUNS = Number(process.env.BINLOG_FUZZ_RUNS ?? 300);
