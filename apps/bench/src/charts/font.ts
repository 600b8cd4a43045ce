// resvg has no access to system fonts unless told; we hand it one TrueType file so that
// chart text renders the same everywhere. DejaVu Sans (Debian `fonts-dejavu-core`).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ensureApt } from '../servers/ensure-apt.js';

export const CHART_FONT_FAMILY = 'DejaVu Sans';
const CANDIDATES = ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/TTF/DejaVuSans.ttf', '/usr/share/fonts/dejavu/DejaVuSans.ttf'];

export class ChartFontMissingError extends Error {
  readonly code = 'CHART_FONT_MISSING';
  constructor(reason: string) {
    super(`no font file for chart text (${CHART_FONT_FAMILY}): ${reason}`);
    this.name = 'ChartFontMissingError';
  }
}

function lookup(): string | undefined {
  const known = CANDIDATES.find((file) => existsSync(file));
  if (known !== undefined) return known;
  const matched = spawnSync('fc-match', ['-f', '%{file}', 'DejaVu Sans'], { encoding: 'utf8' });
  return matched.status === 0 && /dejavu/i.test(matched.stdout) && existsSync(matched.stdout) ? matched.stdout : undefined;
}

let cached: string | undefined;

/** The font file charts are drawn with; installs fonts-dejavu-core through scripts/ensure-apt.sh when none is found. */
export function chartFontFile(): string {
  if (cached !== undefined) return cached;
  let file = lookup();
  if (file === undefined) {
    const apt = ensureApt(['fonts-dejavu-core']);
    if (!apt.ok) throw new ChartFontMissingError(apt.reason);
    file = lookup();
    if (file === undefined) throw new ChartFontMissingError('fonts-dejavu-core is installed but DejaVuSans.ttf was not found');
  }
  cached = file;
  return file;
}
