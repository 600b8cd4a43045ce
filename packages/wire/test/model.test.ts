import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ColumnType, Command, PacketWriter, type WireServer } from '../src/index.js';
import { KvHandler, PASSWORD, startServer } from './helpers.js';
import { RawClient, errOf } from './raw-client.js';

/** Runs of the property; raise with WIRE_MODEL_RUNS=500. */
const RUNS = Number(process.env.WIRE_MODEL_RUNS ?? 40);

type Step =
  | { kind: 'ping' }
  | { kind: 'select1' }
  | { kind: 'insert'; key: string }
  | { kind: 'bad' }
  | { kind: 'prepare' }
  | { kind: 'execute'; pick: number; value: bigint }
  | { kind: 'close'; pick: number }
  | { kind: 'reset'; pick: number }
  | { kind: 'unknown' }
  | { kind: 'setOption' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant({ kind: 'ping' as const }),
  fc.constant({ kind: 'select1' as const }),
  fc.record({ kind: fc.constant('insert' as const), key: fc.stringMatching(/^[a-z]{1,3}$/) }),
  fc.constant({ kind: 'bad' as const }),
  fc.constant({ kind: 'prepare' as const }),
  fc.record({ kind: fc.constant('execute' as const), pick: fc.nat(), value: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) }),
  fc.record({ kind: fc.constant('close' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('reset' as const), pick: fc.nat() }),
  fc.constant({ kind: 'unknown' as const }),
  fc.constant({ kind: 'setOption' as const }),
);

/** The model: which statement ids are open, what the table holds, and what each step must answer. */
interface Model {
  open: number[];
  everPrepared: number;
  keys: Set<string>;
}

type Expect = { packets: string[] } | { none: true };

function candidate(model: Model, pick: number): number {
  // Mostly open statements, sometimes one that was closed or never existed.
  const pool = [...model.open, model.everPrepared + 1, 0];
  return pool[pick % pool.length]!;
}

function encode(s: Step, model: Model): { payload: Buffer; expect: Expect } {
  const w = new PacketWriter();
  const text = (command: number, t: string): Buffer => Buffer.concat([Buffer.from([command]), Buffer.from(t)]);
  switch (s.kind) {
    case 'ping':
      return { payload: Buffer.from([Command.PING]), expect: { packets: ['ok'] } };
    case 'select1':
      return { payload: text(Command.QUERY, 'select 1'), expect: { packets: ['count', 'column', 'eof', 'row', 'eof'] } };
    case 'insert':
      model.keys.add(s.key);
      return { payload: text(Command.QUERY, `insert into kv values ('${s.key}', 'v')`), expect: { packets: [`ok:${model.keys.size}`] } };
    case 'bad':
      return { payload: text(Command.QUERY, 'bad'), expect: { packets: ['err:1064'] } };
    case 'prepare':
      model.everPrepared += 1;
      model.open.push(model.everPrepared);
      return { payload: text(Command.STMT_PREPARE, 'select ?'), expect: { packets: [`prepared:${model.everPrepared}`, 'column', 'eof'] } };
    case 'execute': {
      const id = candidate(model, s.pick);
      w.u8(Command.STMT_EXECUTE).u32(id).u8(0).u32(1).u8(0).u8(1).u8(ColumnType.LONGLONG).u8(0).i64(s.value);
      const known = model.open.includes(id);
      return { payload: w.take(), expect: { packets: known ? ['count', 'column', 'eof', `binrow:${s.value}`, 'eof'] : ['err:1243'] } };
    }
    case 'close': {
      const id = candidate(model, s.pick);
      model.open = model.open.filter((x) => x !== id);
      w.u8(Command.STMT_CLOSE).u32(id);
      return { payload: w.take(), expect: { none: true } };
    }
    case 'reset': {
      const id = candidate(model, s.pick);
      w.u8(Command.STMT_RESET).u32(id);
      return { payload: w.take(), expect: { packets: [model.open.includes(id) ? 'ok' : 'err:1243'] } };
    }
    case 'unknown':
      return { payload: Buffer.from([0xee]), expect: { packets: ['err:1047'] } };
    case 'setOption':
      return { payload: Buffer.from([Command.SET_OPTION, 1, 0]), expect: { packets: ['eof'] } };
  }
}

function classify(payload: Buffer, expected: string): string {
  const head = payload[0];
  if (head === 0xff) return `err:${errOf({ payload, seq: 0 })!.errno}`;
  if (expected.startsWith('ok:') && head === 0) return `ok:${payload[2]}`;
  if (expected === 'ok' && head === 0 && payload.length === 7) return 'ok';
  if (expected.startsWith('prepared:') && head === 0 && payload.length === 12) return `prepared:${payload.readUInt32LE(1)}`;
  if (expected === 'eof' && head === 0xfe && payload.length === 5) return 'eof';
  if (expected === 'count' && payload.length === 1) return 'count';
  if (expected === 'column' && payload.subarray(1, 4).toString() === 'def') return 'column';
  if (expected === 'row' && payload.equals(Buffer.from([1, 0x31]))) return 'row';
  if (expected.startsWith('binrow:') && head === 0 && payload.length === 10) return `binrow:${payload.readBigInt64LE(2)}`;
  return `unexpected ${payload.toString('hex')}`;
}

describe('model-based: any sequence of commands, pipelined in any batches', () => {
  let server: WireServer;
  let port: number;
  let kv = new KvHandler();
  beforeAll(async () => {
    ({ server, port } = await startServer(
      { maxQueuedCommands: 1000 },
      { query: (s, q) => kv.query(s, q), prepare: (s, q) => kv.prepare(s, q), execute: (s, st, p) => kv.execute(s, st, p) },
    ));
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers every command as the model says, in order, with sequence ids 1, 2, …', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 10 }), async (steps, batchSizes) => {
        const raw = await RawClient.connect(port);
        try {
          await raw.login('root', PASSWORD);
          const model: Model = { open: [], everPrepared: 0, keys: new Set() };
          kv = new KvHandler(); // each run starts from an empty table
          let at = 0;
          let b = 0;
          while (at < steps.length) {
            const batch = steps.slice(at, at + batchSizes[b++ % batchSizes.length]!);
            at += batch.length;
            const encoded = batch.map((s) => encode(s, model));
            const w = new PacketWriter();
            for (const e of encoded) {
              w.sequenceId = 0;
              w.begin().bytes(e.payload).end();
            }
            raw.write(w.take()); // the whole batch in one write: pipelined
            for (const { expect: ex } of encoded) {
              if ('none' in ex) continue;
              for (let i = 0; i < ex.packets.length; i++) {
                const p = await raw.read();
                expect(p, 'connection closed early').toBeDefined();
                expect(p!.seq).toBe(i + 1);
                expect(classify(p!.payload, ex.packets[i]!)).toBe(ex.packets[i]);
              }
            }
          }
        } finally {
          raw.close();
        }
      }),
      { numRuns: RUNS },
    );
  });
});
