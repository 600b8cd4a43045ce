import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

export interface MachineDescription {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  /** Median latency of a 4 KiB write + fdatasync on the temporary directory's disk. */
  readonly fsyncP50Ms: number;
  readonly fsyncP99Ms: number;
}

/** Describes this machine, measuring fsync latency with `samples` synced writes. */
export function describeMachine(samples = 200): MachineDescription {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-machine-'));
  const fd = openSync(join(dir, 'probe'), 'w');
  const block = new Uint8Array(4096);
  const latencies: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      writeSync(fd, block, 0, block.length, 0);
      fdatasyncSync(fd);
      latencies.push(performance.now() - t0);
    }
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
  latencies.sort((a, b) => a - b);
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    fsyncP50Ms: latencies[Math.floor(latencies.length / 2)] ?? 0,
    fsyncP99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
  };
}
