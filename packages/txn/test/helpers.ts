import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimFileSystem, type Clock } from '@lockstep/base';
import { KvStore } from '@lockstep/kv';
import { TransactionDb, indexKey, type Transaction, type TransactionDbOptions } from '../src/index.js';

export const INDEX = 1;

/** Key `n` of index `index`: the 4-byte index prefix then `n` as 4 bytes big-endian. */
export function key(n: number, index = INDEX): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, n);
  return indexKey(index, bytes);
}

export function keyNumber(k: Uint8Array): number {
  return new DataView(k.buffer, k.byteOffset + 4, 4).getUint32(0);
}

export const num = (n: number): Uint8Array => new TextEncoder().encode(String(n));
export const toNum = (v: Uint8Array | undefined): number | undefined => (v === undefined ? undefined : Number(new TextDecoder().decode(v)));

/** A real KvStore in a fresh temp directory on the real file system. */
export async function openRealDb(options: TransactionDbOptions = {}): Promise<{ db: TransactionDb; engine: KvStore; dir: string; cleanup: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-txn-'));
  const engine = await KvStore.open(dir);
  const db = new TransactionDb(engine, options);
  return {
    db,
    engine,
    dir,
    cleanup: async () => {
      await db.close();
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A real KvStore on the simulated file system: every call completes within microtasks, so
 * the deterministic scheduler's interleavings are a pure function of the seed.
 */
export async function openSimDb(options: TransactionDbOptions = {}, clock?: Clock): Promise<{ db: TransactionDb; engine: KvStore; fs: SimFileSystem }> {
  const fs = new SimFileSystem(clock === undefined ? {} : { clock });
  const engine = await KvStore.open('/db', { fs, ...(clock === undefined ? {} : { clock }) });
  const db = new TransactionDb(engine, options);
  return { db, engine, fs };
}

export async function seed(db: TransactionDb, rows: Iterable<readonly [number, number]>, index = INDEX): Promise<void> {
  const t = db.begin();
  for (const [k, v] of rows) await t.put(key(k, index), num(v));
  await t.commit();
}

export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Keys (as numbers) of a scan. */
export async function scanKeys(t: Transaction, options: Parameters<Transaction['scan']>[1] = {}, index = INDEX): Promise<number[]> {
  const out: number[] = [];
  for await (const entry of t.scan(index, options)) out.push(keyNumber(entry.key));
  return out;
}

/** Expects `promise` to reject with an error whose `code` is `code`; returns the error. */
export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<Error & { code: string; errno?: number }> {
  try {
    await promise;
  } catch (error) {
    const e = error as Error & { code: string; errno?: number };
    if (e.code !== code) throw new Error(`expected ${code}, got ${e.code}: ${e.message}`, { cause: error });
    return e;
  }
  throw new Error(`expected ${code}, but it resolved`);
}
