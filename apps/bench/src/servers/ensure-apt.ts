import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repositoryRoot } from '../paths.js';

export type AptOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Runs the project's `scripts/ensure-apt.sh` for the Debian packages named, which installs
 * what is missing with apt-get or exits non-zero with the reason. Never throws.
 */
export function ensureApt(packages: readonly string[]): AptOutcome {
  const script = join(repositoryRoot, 'scripts', 'ensure-apt.sh');
  const result = spawnSync('bash', [script, ...packages], { encoding: 'utf8', timeout: 15 * 60_000 });
  if (result.status === 0) return { ok: true };
  const output = `${result.stderr}${result.stdout}`.trim();
  const reason = output !== '' ? output : (result.error?.message ?? `exit status ${String(result.status)}`);
  return { ok: false, reason: `scripts/ensure-apt.sh ${packages.join(' ')} failed: ${reason}` };
}
