import { cpus, loadavg, platform, release, totalmem } from 'node:os';

/** What every package benchmark prints about the machine it ran on (and puts in its JSON line). */
export interface BenchMachine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  /** 1, 5 and 15 minute load averages, rounded to hundredths: the machine is often shared. */
  readonly loadavg: readonly number[];
}

export function benchMachine(): BenchMachine {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
