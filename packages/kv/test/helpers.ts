import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WriteOp } from '../src/index.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const b = (s: string): Uint8Array => encoder.encode(s);
export const s = (bytes: Uint8Array | undefined): string | undefined => (bytes === undefined ? undefined : decoder.decode(bytes));
export const put = (key: string, value: string): WriteOp => ({ type: 'put', key: b(key), value: b(value) });
export const del = (key: string): WriteOp => ({ type: 'delete', key: b(key) });

/** A fresh real directory, removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'lockstep-kv-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Collects an iterator's entries as [key, value] strings. */
export function collect(iterable: Iterable<{ key: Uint8Array; value: Uint8Array }>): [string, string][] {
  const out: [string, string][] = [];
  for (const { key, value } of iterable) out.push([decoder.decode(key), decoder.decode(value)]);
  return out;
}
