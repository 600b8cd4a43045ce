import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
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
  /** os.loadavg() at the start: the machine is shared, so say how busy it was. */
  readonly loadAverage: readonly [number, number, number];
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
    loadAverage: loadavg().map((l) => Number(l.toFixed(2))) as [number, number, number],
  };
}

/** One line for logs and documents. */
export function machineLine(machine: MachineDescription): string {
  return `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, fsync p50 ${machine.fsyncP50Ms.toFixed(2)} ms / p99 ${machine.fsyncP99Ms.toFixed(2)} ms, load average ${machine.loadAverage.join(' ')}`;
}
