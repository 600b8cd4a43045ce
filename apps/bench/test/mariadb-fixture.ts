// A real throwaway MariaDB for tests: skipped, with the reason printed, when
// scripts/ensure-apt.sh cannot provide mariadb-server, mariadb-client and sysbench.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MariaDbFlavor } from '../src/servers/mariadb.js';
import type { ServerHandle } from '../src/servers/server-process.js';

export const mariadb = new MariaDbFlavor();
const availability = await mariadb.availability();
export const mariadbMissing: string | undefined = availability.available ? undefined : availability.reason;
if (mariadbMissing !== undefined) console.warn(`SKIPPED (MariaDB tests): ${mariadbMissing}`);

export interface Throwaway {
  readonly dir: string;
  readonly servers: ServerHandle[];
  cleanup(): Promise<void>;
}

export function throwawayDir(prefix: string): Throwaway {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const servers: ServerHandle[] = [];
  return {
    dir,
    servers,
    async cleanup() {
      for (const server of servers) await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
