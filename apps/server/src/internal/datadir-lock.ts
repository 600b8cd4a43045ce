// One server per datadir: `lockstep.pid` holds the owner's pid while it runs. A pid file
// left by a process that died (kill -9) is taken over; one naming a live process is refused.
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DatadirLockedError } from '../errors/datadir-locked-error.js';

export const PID_FILE = 'lockstep.pid';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else — still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the datadir; resolves with the release function (removes the pid file). */
export async function lockDatadir(datadir: string): Promise<() => Promise<void>> {
  const path = join(datadir, PID_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${String(process.pid)}\n`);
      await handle.sync();
      await handle.close();
      return async () => {
        await rm(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      // Our own pid: another server of this process holds it.
      if (Number.isInteger(owner) && owner > 0 && (owner === process.pid || alive(owner))) throw new DatadirLockedError(datadir, owner);
      // Stale (the owner died) or unreadable: take it over.
      await rm(path, { force: true });
    }
  }
  throw new DatadirLockedError(datadir, 0);
}
