// The seam where the Lockstep server plugs into the end-to-end benchmarks. It starts
// `node apps/server/dist/main.js --datadir D --port N --server-id N ...` (the
// `lockstep-server` bin) on a free loopback port. Until the server serves clients
// (issues 10 and 11), `availability()` says so and every table prints
// "Lockstep: not available yet (server not built)".
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repositoryRoot } from '../paths.js';
import { freeLoopbackPort } from './free-port.js';
import { ServerStartError, spawnServer, type ServerHandle } from './server-process.js';
import type { Availability, ServerFlavor, StartOptions } from './types.js';

export const LOCKSTEP_NOT_AVAILABLE = 'Lockstep: not available yet (server not built)';
/** How long the availability probe gives the server to accept a login. */
const PROBE_START_TIMEOUT_MS = 20_000;
const START_ATTEMPTS = 3;

export interface LockstepFlavorOptions {
  /** The server's entry point; defaults to apps/server/dist/main.js. */
  readonly entry?: string;
  /** Extra flags for every start (e.g. `--locking-mode=point`). */
  readonly extraArgs?: readonly string[];
  readonly startTimeoutMs?: number;
}

export class LockstepFlavor implements ServerFlavor {
  readonly name = 'Lockstep';
  private readonly entry: string;
  private probed: Availability | undefined;

  constructor(private readonly options: LockstepFlavorOptions = {}) {
    this.entry = options.entry ?? join(repositoryRoot, 'apps', 'server', 'dist', 'main.js');
  }

  /** Starts a throwaway primary once; available only if it accepts a login. */
  async availability(): Promise<Availability> {
    if (this.probed !== undefined) return this.probed;
    if (!existsSync(this.entry)) {
      this.probed = { available: false, reason: `${LOCKSTEP_NOT_AVAILABLE}: ${this.entry} does not exist (run npm run build)` };
      return this.probed;
    }
    const datadir = mkdtempSync(join(tmpdir(), 'lockstep-probe-'));
    try {
      const server = await this.start({ role: 'primary', datadir, serverId: 1 }, PROBE_START_TIMEOUT_MS);
      await server.stop();
      this.probed = { available: true, version: 'lockstep-server' };
    } catch (error) {
      const detail = error instanceof ServerStartError ? (error.logTail.split('\n').find((l) => l.trim() !== '') ?? error.message.split('\n')[0]!) : String(error);
      this.probed = { available: false, reason: `${LOCKSTEP_NOT_AVAILABLE}: ${detail.trim()}` };
    } finally {
      rmSync(datadir, { recursive: true, force: true });
      rmSync(`${datadir}.server.log`, { force: true });
    }
    return this.probed;
  }

  prepareDatadir(datadir: string): Promise<void> {
    mkdirSync(datadir, { recursive: true });
    return Promise.resolve();
  }

  async start(options: StartOptions, startTimeoutMs = this.options.startTimeoutMs): Promise<ServerHandle> {
    let lastError: unknown;
    for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
      const port = await freeLoopbackPort();
      const args = [
        this.entry,
        `--datadir=${options.datadir}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        `--server-id=${options.serverId}`,
        '--user=bench',
        '--password=bench',
        '--log-level=warn',
        ...(options.role === 'replica' ? [`--slave-parallel-mode=${options.parallelMode ?? 'optimistic'}`, `--slave-parallel-threads=${options.parallelThreads ?? 0}`] : []),
        ...(this.options.extraArgs ?? []),
      ];
      try {
        return await spawnServer({
          name: `Lockstep ${options.role} (server_id ${options.serverId})`,
          command: process.execPath,
          args,
          datadir: options.datadir,
          endpoint: { host: '127.0.0.1', port, user: 'bench', password: 'bench' },
          logFile: `${options.datadir}.server.log`,
          ...(startTimeoutMs === undefined ? {} : { startTimeoutMs }),
        });
      } catch (error) {
        lastError = error;
        if (!(error instanceof ServerStartError) || !error.logTail.includes('EADDRINUSE')) throw error;
      }
    }
    throw lastError;
  }
}
