// Progress for the runner: a bar per step, redrawn every second on a terminal, one line
// per step change otherwise (CI logs).

const BAR_WIDTH = 24;

export interface ProgressState {
  readonly done: number;
  readonly total: number;
  readonly label: string;
  readonly stepSeconds: number;
  readonly totalSeconds: number;
}

/** `[#########...............] 3/9  33%  @lockstep/tc  12 s (total 45 s)` */
export function progressLine(state: ProgressState): string {
  const fraction = state.total === 0 ? 1 : state.done / state.total;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = `${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}`;
  return `[${bar}] ${state.done}/${state.total} ${String(Math.round(fraction * 100)).padStart(3)}%  ${state.label}  ${state.stepSeconds.toFixed(0)} s (total ${state.totalSeconds.toFixed(0)} s)`;
}

export class Progress {
  private readonly startedAt = performance.now();
  private stepStartedAt = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private label = '';
  private done = 0;

  constructor(
    private readonly total: number,
    private readonly out: NodeJS.WriteStream = process.stdout,
  ) {}

  private state(): ProgressState {
    return { done: this.done, total: this.total, label: this.label, stepSeconds: (performance.now() - this.stepStartedAt) / 1000, totalSeconds: (performance.now() - this.startedAt) / 1000 };
  }

  /** Starts step `label`; on a terminal the bar's clock ticks until `finish`. */
  start(label: string): void {
    this.label = label;
    this.stepStartedAt = performance.now();
    if (this.out.isTTY) {
      this.out.write(`\r${progressLine(this.state())}`);
      this.timer = setInterval(() => this.out.write(`\r${progressLine(this.state())}`), 1000);
    } else this.out.write(`${progressLine(this.state())}\n`);
  }

  /** Ends the current step; returns its seconds. */
  finish(outcome: string): number {
    clearInterval(this.timer);
    const seconds = (performance.now() - this.stepStartedAt) / 1000;
    this.done += 1;
    this.out.write(`${this.out.isTTY ? '\r\x1b[2K' : ''}${progressLine({ ...this.state(), stepSeconds: seconds })}  ${outcome}\n`);
    return seconds;
  }
}
