import type { FileHandle, FileSystem } from '@lockstep/base';
import type {
  BinlogSink,
  CoordinatorPosition,
  LoggedTransaction,
  RecoveredTransaction,
  TcParticipant,
  TransactionBranch,
  WrittenGroup,
  Xid,
} from '../src/index.js';

/**
 * Test stand-ins for the binlog file and an engine, both on a real (or simulated) file
 * system, until @lockstep/binlog and @lockstep/kv are wired in: the "binlog" is one text
 * line per transaction (`domain-server-seq commitId xid value`), the engine one line per
 * commit (`C xid logNumber offset value`) appended without fsync.
 */
export class LineBinlog implements BinlogSink<string> {
  readonly #fs: FileSystem;
  readonly #path: string;
  #file: FileHandle | undefined;

  constructor(fs: FileSystem, path: string) {
    this.#fs = fs;
    this.#path = path;
  }

  async open(): Promise<void> {
    const exists = await this.#fs.exists(this.#path);
    this.#file = await this.#fs.open(this.#path, { create: true });
    if (!exists) await this.#fs.syncDir('/db');
  }

  async writeGroup(transactions: readonly LoggedTransaction<string>[]): Promise<WrittenGroup> {
    const lines = transactions.map((t) => `${t.gtid.domainId}-${t.gtid.serverId}-${t.gtid.seqNo} ${t.commitId ?? '-'} ${t.xid} ${t.events}\n`);
    const bytes = new TextEncoder().encode(lines.join(''));
    const file = this.#file!;
    const at = await file.append(bytes);
    const positions: CoordinatorPosition[] = [];
    let offset = at;
    for (const line of lines) {
      offset += new TextEncoder().encode(line).length;
      positions.push({ logNumber: 1, offset });
    }
    return { positions, sync: () => file.datasync() };
  }

  /** Every intact transaction line, in order (a torn last line is ignored). */
  async *read(): AsyncGenerator<RecoveredTransaction<string>> {
    const text = new TextDecoder().decode(await this.#fs.readFile(this.#path));
    let offset = 0;
    for (const line of text.split('\n')) {
      const end = offset + new TextEncoder().encode(line).length + 1;
      if (end > new TextEncoder().encode(text).length) return; // torn: no newline
      const [gtidText, commitId, xid, value] = line.split(' ');
      const [domainId, serverId, seqNo] = gtidText!.split('-');
      yield {
        gtid: { domainId: Number(domainId), serverId: Number(serverId), seqNo: BigInt(seqNo!) },
        commitId: commitId === '-' ? undefined : BigInt(commitId!),
        flags: { transactional: true },
        xid: BigInt(xid!),
        events: value!,
        end: { logNumber: 1, offset: end },
      };
      offset = end;
    }
  }

  async lines(): Promise<string[]> {
    const text = new TextDecoder().decode(await this.#fs.readFile(this.#path));
    return text.split('\n').filter((l) => l !== '');
  }
}

export class LineEngine implements TcParticipant {
  readonly name = 'engine';
  /** xid -> value of committed transactions, in commit order. */
  readonly rows = new Map<Xid, string>();
  readonly commitOrder: Xid[] = [];
  durable: CoordinatorPosition | undefined;
  readonly #fs: FileSystem;
  readonly #path: string;
  #file: FileHandle | undefined;

  constructor(fs: FileSystem, path: string) {
    this.#fs = fs;
    this.#path = path;
  }

  async open(): Promise<void> {
    const exists = await this.#fs.exists(this.#path);
    this.#file = await this.#fs.open(this.#path, { create: true });
    if (!exists) await this.#fs.syncDir('/db');
    const text = new TextDecoder().decode(await this.#fs.readFile(this.#path));
    // The last piece has no newline: empty, or a commit record torn by a crash.
    for (const line of text.split('\n').slice(0, -1)) {
      const [kind, xid, logNumber, offset, value] = line.split(' ');
      if (kind !== 'C' || value === undefined) continue;
      this.#apply(BigInt(xid!), value, { logNumber: Number(logNumber), offset: Number(offset) });
    }
  }

  branch(xid: Xid, value: string): TransactionBranch {
    return {
      participantName: this.name,
      commitOrdered: (position) => {
        this.#apply(xid, value, position);
        void this.#file!.append(new TextEncoder().encode(`C ${xid} ${position.logNumber} ${position.offset} ${value}\n`)).catch(() => undefined);
      },
      rollback: () => Promise.resolve(),
    };
  }

  async redo(transaction: RecoveredTransaction<string>): Promise<void> {
    this.#apply(transaction.xid, transaction.events, transaction.end);
    await this.#file!.append(new TextEncoder().encode(`C ${transaction.xid} ${transaction.end.logNumber} ${transaction.end.offset} ${transaction.events}\n`));
  }

  recoverPrepared(): Promise<readonly Xid[]> {
    return Promise.resolve([]);
  }

  commitPrepared(): Promise<void> {
    return Promise.resolve();
  }

  rollbackPrepared(): Promise<void> {
    return Promise.resolve();
  }

  async checkpoint(): Promise<void> {
    await this.#file!.datasync();
  }

  #apply(xid: Xid, value: string, position: CoordinatorPosition): void {
    this.rows.set(xid, value);
    this.commitOrder.push(xid);
    this.durable = position;
  }
}
