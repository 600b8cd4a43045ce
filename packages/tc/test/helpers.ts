import type { CoordinatorPosition, TransactionBranch, Xid } from '../src/index.js';

/** Records the order of every ordered hook across branches. */
export class OrderLog {
  readonly prepareOrdered: string[] = [];
  readonly commitOrdered: string[] = [];
  readonly positions = new Map<string, CoordinatorPosition>();
  readonly rolledBack: string[] = [];
  readonly committed: string[] = [];
}

/** A branch that records its hooks; optionally fails in prepare or commit. */
export function recordingBranch(name: string, log: OrderLog, options: { failPrepare?: boolean; failCommit?: boolean } = {}): TransactionBranch {
  return {
    participantName: 'recorder',
    prepare(_xid: Xid) {
      return options.failPrepare === true ? Promise.reject(new Error(`prepare of ${name} failed`)) : Promise.resolve();
    },
    prepareOrdered() {
      log.prepareOrdered.push(name);
    },
    commitOrdered(position) {
      log.commitOrdered.push(name);
      log.positions.set(name, position);
    },
    commit() {
      log.committed.push(name);
      return options.failCommit === true ? Promise.reject(new Error(`late failure in ${name}`)) : Promise.resolve();
    },
    rollback() {
      log.rolledBack.push(name);
      return Promise.resolve();
    },
  };
}

/** A flush the test opens by hand: every call waits until `release()`. */
export class GatedFlush {
  calls: string[][] = [];
  #waiting: (() => void)[] = [];
  fail: Error | undefined;

  readonly flush = (group: readonly { readonly name: string }[]): Promise<CoordinatorPosition[]> => {
    this.calls.push(group.map((g) => g.name));
    const callNumber = this.calls.length;
    return new Promise((resolve, reject) => {
      this.#waiting.push(() => {
        if (this.fail !== undefined) reject(this.fail);
        else resolve(group.map((_, i) => ({ logNumber: 1, offset: callNumber * 1000 + i })));
      });
    });
  };

  get pending(): number {
    return this.#waiting.length;
  }

  release(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const go of waiting) go();
  }
}

/** Lets every queued microtask and immediate run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
