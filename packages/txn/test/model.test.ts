// Model-based property test of single-transaction semantics against a Map: own writes over
// committed data, insert-if-absent, savepoints, failing statements, merged scans (plain and
// locking, forward and reverse, bounded), then commit — on the real kv engine.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DuplicateKeyError, type Transaction } from '../src/index.js';
import { key, keyNumber, num, openSimDb, toNum } from './helpers.js';

const KEYS = 12;
const RUNS = Number(process.env.TXN_MODEL_RUNS ?? 300);

type Command =
  | { readonly op: 'put'; readonly k: number; readonly v: number }
  | { readonly op: 'delete'; readonly k: number }
  | { readonly op: 'insert'; readonly k: number; readonly v: number }
  | { readonly op: 'get'; readonly k: number; readonly locking: boolean }
  | { readonly op: 'savepoint' }
  | { readonly op: 'rollbackTo'; readonly which: number }
  | { readonly op: 'failingStatement'; readonly writes: readonly { readonly k: number; readonly v: number | undefined }[] }
  | { readonly op: 'scan'; readonly from: number | undefined; readonly to: number | undefined; readonly fromInclusive: boolean; readonly toInclusive: boolean; readonly reverse: boolean; readonly lock: boolean };

const k = fc.integer({ min: 0, max: KEYS - 1 });
const v = fc.integer({ min: 0, max: 999 });
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ op: fc.constant('put' as const), k, v }),
  fc.record({ op: fc.constant('delete' as const), k }),
  fc.record({ op: fc.constant('insert' as const), k, v }),
  fc.record({ op: fc.constant('get' as const), k, locking: fc.boolean() }),
  fc.record({ op: fc.constant('savepoint' as const) }),
  fc.record({ op: fc.constant('rollbackTo' as const), which: fc.nat() }),
  fc.record({ op: fc.constant('failingStatement' as const), writes: fc.array(fc.record({ k, v: fc.option(v, { nil: undefined }) }), { maxLength: 4 }) }),
  fc.record({
    op: fc.constant('scan' as const),
    from: fc.option(k, { nil: undefined }),
    to: fc.option(k, { nil: undefined }),
    fromInclusive: fc.boolean(),
    toInclusive: fc.boolean(),
    reverse: fc.boolean(),
    lock: fc.boolean(),
  }),
);

/** The reference: committed rows plus a layer of own writes (undefined = deleted), with savepoint copies. */
class Model {
  readonly committed: Map<number, number>;
  own = new Map<number, number | undefined>();
  savepoints: Map<number, number | undefined>[] = [];

  constructor(committed: Map<number, number>) {
    this.committed = committed;
  }

  get(k: number): number | undefined {
    return this.own.has(k) ? this.own.get(k) : this.committed.get(k);
  }

  view(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < KEYS; i++) {
      const value = this.get(i);
      if (value !== undefined) out.push([i, value]);
    }
    return out;
  }
}

async function scanRows(t: Transaction, c: Extract<Command, { op: 'scan' }>): Promise<[number, number][]> {
  const rows: [number, number][] = [];
  const options = {
    ...(c.from === undefined ? {} : c.fromInclusive ? { gte: key(c.from) } : { gt: key(c.from) }),
    ...(c.to === undefined ? {} : c.toInclusive ? { lte: key(c.to) } : { lt: key(c.to) }),
    ...(c.reverse ? { reverse: true } : {}),
    ...(c.lock ? { lock: 'exclusive' as const } : {}),
  };
  for await (const row of t.scan(1, options)) rows.push([keyNumber(row.key), toNum(row.value)!]);
  return rows;
}

function expectedScan(model: Model, c: Extract<Command, { op: 'scan' }>): [number, number][] {
  const rows = model.view().filter(([i]) => {
    if (c.from !== undefined && (c.fromInclusive ? i < c.from : i <= c.from)) return false;
    if (c.to !== undefined && (c.toInclusive ? i > c.to : i >= c.to)) return false;
    return true;
  });
  return c.reverse ? rows.reverse() : rows;
}

describe('single-transaction semantics against a Map model', () => {
  it('own writes, insert-if-absent, savepoints, failing statements and merged scans agree with the model, and commit applies the view', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(k, v), { maxLength: KEYS }),
        fc.array(command, { minLength: 1, maxLength: 40 }),
        fc.constantFrom('point' as const, 'range' as const),
        async (initial, commands, lockingMode) => {
          const { db, engine } = await openSimDb({ lockingMode, syncCommit: false });
          try {
            const committed = new Map<number, number>();
            const init = db.begin();
            for (const [i, value] of initial) {
              await init.put(key(i), num(value));
              committed.set(i, value);
            }
            await init.put(key(0, 2), num(7)); // another index: never in scans of index 1
            await init.commit();
            const model = new Model(committed);
            const t = db.begin();
            const savepoints: ReturnType<Transaction['savepoint']>[] = [];
            for (const c of commands) {
              switch (c.op) {
                case 'put':
                  await t.put(key(c.k), num(c.v));
                  model.own.set(c.k, c.v);
                  break;
                case 'delete':
                  await t.delete(key(c.k));
                  model.own.set(c.k, undefined);
                  break;
                case 'insert': {
                  const exists = model.get(c.k) !== undefined;
                  if (exists) await expect(t.insert(key(c.k), num(c.v))).rejects.toBeInstanceOf(DuplicateKeyError);
                  else {
                    await t.insert(key(c.k), num(c.v));
                    model.own.set(c.k, c.v);
                  }
                  break;
                }
                case 'get': {
                  const got = c.locking ? await t.getForUpdate(key(c.k)) : t.get(key(c.k));
                  expect(toNum(got)).toBe(model.get(c.k));
                  break;
                }
                case 'savepoint':
                  savepoints.push(t.savepoint());
                  model.savepoints.push(new Map(model.own));
                  break;
                case 'rollbackTo': {
                  if (savepoints.length === 0) break;
                  const i = c.which % savepoints.length;
                  t.rollbackToSavepoint(savepoints[i]!);
                  model.own = new Map(model.savepoints[i]);
                  savepoints.length = i + 1; // later savepoints are gone, this one stays
                  model.savepoints.length = i + 1;
                  break;
                }
                case 'failingStatement':
                  await expect(
                    t.statement(async () => {
                      for (const w of c.writes) {
                        if (w.v === undefined) await t.delete(key(w.k));
                        else await t.put(key(w.k), num(w.v));
                      }
                      throw new Error('statement fails');
                    }),
                  ).rejects.toThrow('statement fails');
                  break;
                case 'scan':
                  expect(await scanRows(t, c)).toEqual(expectedScan(model, c));
                  break;
              }
            }
            await t.commit();
            const check = db.begin();
            const after = await scanRows(check, { op: 'scan', from: undefined, to: undefined, fromInclusive: true, toInclusive: true, reverse: false, lock: false });
            await check.rollback();
            expect(after).toEqual(model.view());
          } finally {
            await db.close();
            await engine.close();
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
