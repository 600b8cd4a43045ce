import type { FileHandle, FileSystem } from '@lockstep/base';
import type { CoordinatorPosition, TcParticipant, TransactionBranch, Xid } from '../src/index.js';

/**
 * A deliberately small two-phase-commit engine over a real (or simulated) file, for
 * coordinator tests until the kv engine is wired in: one line per record, `P xid`
 * (prepare, synced), `C xid` (commit, not synced — the coordinator's log covers it),
 * `R xid` (rollback). Visible state is the set of committed XIDs.
 */
export class FileEngine implements TcParticipant {
  readonly name: string;
  readonly committed = new Set<Xid>();
  readonly #fs: FileSystem;
  readonly #path: string;
  #file: FileHandle | undefined;
  #prepared = new Set<Xid>();

  constructor(fs: FileSystem, path: string, name: string) {
    this.#fs = fs;
    this.#path = path;
    this.name = name;
  }

  async open(): Promise<void> {
    const exists = await this.#fs.exists(this.#path);
    this.#file = await this.#fs.open(this.#path, { create: true });
    if (!exists) await this.#fs.syncDir(this.#path.slice(0, this.#path.lastIndexOf('/')) || '/');
    this.committed.clear();
    this.#prepared.clear();
    const text = new TextDecoder().decode(await this.#fs.readFile(this.#path));
    for (const line of text.split('\n')) {
      const [kind, id] = line.split(' ');
      if (id === undefined) continue;
      const xid = BigInt(id);
      if (kind === 'P') this.#prepared.add(xid);
      if (kind === 'C') {
        this.#prepared.delete(xid);
        this.committed.add(xid);
      }
      if (kind === 'R') this.#prepared.delete(xid);
    }
  }

  branch(xid: Xid): TransactionBranch {
    return {
      participantName: this.name,
      prepare: async () => {
        await this.#append(`P ${xid}\n`);
        await this.#file!.datasync();
        this.#prepared.add(xid);
      },
      commitOrdered: (_position: CoordinatorPosition) => {
        this.#prepared.delete(xid);
        this.committed.add(xid);
        // Not awaited on purpose: the engine's commit record needs no fsync; the write is
        // queued behind earlier appends and a later checkpoint syncs it.
        void this.#append(`C ${xid}\n`).catch(() => undefined);
      },
      rollback: async () => {
        if (this.#prepared.delete(xid)) await this.#append(`R ${xid}\n`);
      },
    };
  }

  recoverPrepared(): Promise<readonly Xid[]> {
    return Promise.resolve([...this.#prepared].sort((a, b) => (a < b ? -1 : 1)));
  }

  async commitPrepared(xid: Xid): Promise<void> {
    this.#prepared.delete(xid);
    this.committed.add(xid);
    await this.#append(`C ${xid}\n`);
    await this.#file!.datasync();
  }

  async rollbackPrepared(xid: Xid): Promise<void> {
    this.#prepared.delete(xid);
    await this.#append(`R ${xid}\n`);
    await this.#file!.datasync();
  }

  async checkpoint(): Promise<void> {
    await this.#file!.datasync();
  }

  async #append(line: string): Promise<void> {
    await this.#file!.append(new TextEncoder().encode(line));
  }
}
