import { LockstepError } from '@lockstep/base';
import { ColumnType, type BinlogDumpRequest, type BinlogEventSink, type QueryResult, type WireHandler, type WireSession } from '../src/index.js';

export const EVENT = { QUERY: 2, ROTATE: 4, FORMAT_DESCRIPTION: 15, HEARTBEAT: 27 } as const;
export const FILE = 'b.000001';

/** A binlog event with a v4 header: timestamp, type, server id, size, log_pos, flags. */
export function makeEvent(type: number, logPos: number, body: Buffer, options: { flags?: number; crc?: boolean } = {}): Buffer {
  const crc = options.crc === true ? 4 : 0;
  const header = Buffer.alloc(19);
  header.writeUInt32LE(1_700_000_000, 0);
  header[4] = type;
  header.writeUInt32LE(1, 5);
  header.writeUInt32LE(19 + body.length + crc, 9);
  header.writeUInt32LE(logPos, 13);
  header.writeUInt16LE(options.flags ?? 0, 17);
  return Buffer.concat([header, body, Buffer.alloc(crc, 0xcc)]);
}

export function eventType(event: Buffer): number {
  return event[4]!;
}

export function eventBody(event: Buffer, crc: boolean): string {
  return event.toString('utf8', 19, event.length - (crc ? 4 : 0));
}

class BinlogReadError extends LockstepError {
  constructor(message: string) {
    super('TEST_BINLOG', message, { errno: 1236, sqlState: 'HY000' });
  }
}

interface ReplicaState {
  vars: Map<string, string>;
}

/**
 * A fake primary: answers the replica's SET/SELECT queries, records REGISTER_SLAVE, and
 * serves a binlog of `count` query events ('q0', 'q1', …) from the requested position,
 * with a fake ROTATE and a FORMAT_DESCRIPTION first, CRC32 checksums when asked.
 */
export class FakePrimary implements WireHandler {
  readonly events: { start: number; end: number; body: string }[] = [];
  readonly registered: unknown[] = [];
  readonly dumps: { request: BinlogDumpRequest; vars: Map<string, string> }[] = [];
  checksum: 'NONE' | 'CRC32' = 'CRC32';
  /** Kill the connection after sending this many events of a dump (once). */
  dropAfter: number | undefined;
  /** Fail dumps with 1236. */
  failDumps = false;
  #waiters: (() => void)[] = [];
  sent = 0;
  sendPending = false;
  onDrop: ((session: WireSession) => void) | undefined;

  constructor(count: number) {
    let pos = 4 + 100; // pretend the FDE occupies 4..104
    for (let i = 0; i < count; i++) {
      this.#push(`q${i}`, pos);
      pos = this.events.at(-1)!.end;
    }
  }

  #push(body: string, start: number): void {
    const size = 19 + Buffer.byteLength(body) + 4;
    this.events.push({ start, end: start + size, body });
  }

  append(body: string): void {
    this.#push(body, this.events.at(-1)?.end ?? 104);
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  #state(session: WireSession): ReplicaState {
    session.state ??= { vars: new Map<string, string>() } satisfies ReplicaState;
    return session.state as ReplicaState;
  }

  query(session: WireSession, sql: string): QueryResult {
    if (/^select @@global\.binlog_checksum$/i.test(sql)) {
      return { kind: 'rows', columns: [{ name: '@@global.binlog_checksum', type: ColumnType.VAR_STRING }], rows: [[this.checksum]] };
    }
    const m = /^set @(\w+)\s*=\s*(.*)$/i.exec(sql);
    if (m !== null) {
      this.#state(session).vars.set(m[1]!, m[2]!.replace(/^'(.*)'$/, '$1'));
      return { kind: 'ok' };
    }
    if (sql === 'select 1') return { kind: 'rows', columns: [{ name: '1', type: ColumnType.LONGLONG }], rows: [[1]] };
    throw new LockstepError('TEST_PARSE', `syntax error: ${sql}`, { errno: 1064, sqlState: '42000' });
  }

  registerSlave(_session: WireSession, request: unknown): void {
    this.registered.push(request);
  }

  async binlogDump(session: WireSession, request: BinlogDumpRequest, sink: BinlogEventSink): Promise<void> {
    const vars = new Map(this.#state(session).vars);
    this.dumps.push({ request, vars });
    if (this.failDumps) throw new BinlogReadError('Could not find first log file name in binary log index file');
    const crc = vars.get('master_binlog_checksum') === 'CRC32';
    let index: number;
    if (request.file === '') {
      // MariaDB GTID mode: @slave_connect_state '0-1-N' means events q0..q(N-1) are applied
      const state = vars.get('slave_connect_state') ?? '';
      index = state === '' ? 0 : Number(state.split('-')[2]);
    } else {
      index = this.events.findIndex((e) => e.start >= Number(request.position));
      if (index < 0) index = this.events.length;
    }
    const startPos = this.events[index]?.start ?? this.events.at(-1)?.end ?? 104;
    const rotateBody = Buffer.alloc(8);
    rotateBody.writeBigUInt64LE(BigInt(startPos));
    await sink.send(makeEvent(EVENT.ROTATE, 0, Buffer.concat([rotateBody, Buffer.from(FILE)]), { flags: 0x20, crc }));
    const fde = Buffer.concat([Buffer.alloc(2 + 50 + 4 + 1 + 5), Buffer.from([crc ? 1 : 0])]);
    await sink.send(makeEvent(EVENT.FORMAT_DESCRIPTION, 0, fde, { crc: true }));
    const heartbeatNs = vars.get('master_heartbeat_period');
    let sentThisDump = 0;
    for (;;) {
      while (index < this.events.length) {
        const e = this.events[index]!;
        this.sendPending = true;
        await sink.send(makeEvent(EVENT.QUERY, e.end, Buffer.from(e.body), { crc }));
        this.sendPending = false;
        this.sent += 1;
        index += 1;
        sentThisDump += 1;
        if (this.dropAfter !== undefined && sentThisDump === this.dropAfter) {
          this.dropAfter = undefined;
          this.onDrop?.(session);
          return;
        }
      }
      if ((request.flags & 1) !== 0) return; // NON_BLOCK: EOF
      // wait for new events, or send heartbeats meanwhile
      const periodMs = heartbeatNs === undefined ? undefined : Number(BigInt(heartbeatNs) / 1_000_000n);
      const more = new Promise<void>((resolve) => this.#waiters.push(resolve));
      const aborted = new Promise<void>((resolve) => {
        sink.signal.addEventListener('abort', () => {
          resolve();
        });
      });
      if (periodMs === undefined) {
        await Promise.race([more, aborted]);
      } else {
        let timer: NodeJS.Timeout | undefined;
        const beat = new Promise<void>((resolve) => (timer = setTimeout(resolve, periodMs)));
        await Promise.race([more, aborted, beat]);
        clearTimeout(timer);
        if (!sink.signal.aborted && index >= this.events.length && this.heartbeats) {
          await sink.send(makeEvent(EVENT.HEARTBEAT, this.events.at(-1)?.end ?? 104, Buffer.from(FILE), { flags: 0x20, crc }));
        }
      }
      if (sink.signal.aborted) return;
    }
  }

  /** Whether to send heartbeats when the replica asked for them. */
  heartbeats = true;
}
