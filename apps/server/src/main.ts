// lockstep-server: resolves its configuration, then (once the SQL and protocol layers are
// wired in, issue 10) serves MySQL clients. Today it validates the configuration and says
// plainly that serving is not built yet.
import { readFileSync } from 'node:fs';
import { isLockstepError } from '@lockstep/base';
import { helpText, parseArguments } from './config/parse-config.js';

function main(argv: readonly string[]): number {
  let parsed;
  try {
    parsed = parseArguments(argv, (path) => readFileSync(path, 'utf8'));
  } catch (error) {
    process.stderr.write(`lockstep-server: ${isLockstepError(error) ? error.message : String(error)}\n`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(`${helpText()}\n`);
    return 0;
  }
  process.stderr.write(
    `lockstep-server: configuration is valid (datadir ${parsed.config.datadir}, port ${parsed.config.port}), ` +
      'but serving clients is not built yet: the SQL layer and its wiring to the wire protocol land with issue 10.\n',
  );
  return 1;
}

process.exitCode = main(process.argv.slice(2));
