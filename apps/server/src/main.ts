// lockstep-server: resolves its configuration and serves MySQL clients until SIGINT/SIGTERM.
import { readFileSync } from 'node:fs';
import { isLockstepError } from '@lockstep/base';
import pino from 'pino';
import { helpText, parseArguments } from './config/parse-config.js';
import { startServer } from './server.js';
import { resolveAccounts } from './users.js';

function fail(message: string, status: number): number {
  process.stderr.write(`lockstep-server: ${message}\n`);
  return status;
}

async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  let users;
  try {
    parsed = parseArguments(argv, (path) => readFileSync(path, 'utf8'));
    const file = parsed.config.users_file;
    users = resolveAccounts(parsed.config.user, parsed.config.password, file === '' ? undefined : { name: file, text: readFileSync(file, 'utf8') });
  } catch (error) {
    return fail(isLockstepError(error) ? error.message : String(error), 2);
  }
  if (parsed.help) {
    process.stdout.write(`${helpText()}\n`);
    return 0;
  }
  const logger = pino({ name: 'lockstep-server', level: parsed.config.log_level }, pino.destination(2));
  // Signal handlers first: a SIGTERM that arrives while the datadir opens (or right after
  // "ready for connections" is logged) must still mean a clean stop, not the default kill.
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  const requested = { stop: false };
  let signals = 0;
  const stopNow = (): void => {
    if (server === undefined) return;
    server.stop().then(
      () => {
        // Everything is closed: let the event loop end by itself (profilers and exit hooks
        // run); a handle someone left open gets one more second.
        process.exitCode = 0;
        setTimeout(() => process.exit(0), 1000).unref();
      },
      (error: unknown) => {
        logger.fatal({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting at once');
      process.exit(1);
    }
    logger.info({ signal }, 'signal received: shutting down');
    requested.stop = true;
    stopNow();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    server = await startServer(parsed.config, { users, logger });
  } catch (error) {
    logger.fatal({ err: error }, 'cannot start');
    return fail(error instanceof Error ? error.message : String(error), 1);
  }
  if (requested.stop) stopNow();
  await server.stopped;
  return 0;
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`lockstep-server: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
