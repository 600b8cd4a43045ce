import { Random } from '@lockstep/base';
import { VersionedStore } from '../src/internal/versioned-store.js';
import { encodeBatch } from '../src/internal/record-codec.js';
import { validateOps } from '../src/internal/validate.js';
import type { WriteOp } from '../src/index.js';
const random = new Random(1);
const N = Number(process.env.N ?? 1000000);
const keys = Array.from({ length: N }, () => random.bytes(16));
const values = Array.from({ length: 1024 }, () => random.bytes(100));
const store = new VersionedStore();
let seq = 0;
for (let i = 0; i < N; i += 1000) {
  const ops: WriteOp[] = [];
  for (let j = i; j < i + 1000; j++) ops.push({ type: 'put', key: keys[j]!, value: values[j & 1023]! });
  store.apply(ops, ++seq);
}
const batches: WriteOp[][] = [];
for (let i = 0; i < 300000; i += 100) {
  const ops: WriteOp[] = [];
  for (let j = i; j < i + 100; j++) ops.push({ type: 'put', key: keys[(j * 7919) % N]!, value: values[j & 1023]! });
  batches.push(ops);
}
const cpu = (f: () => void): number => { const c = process.cpuUsage(); f(); const d = process.cpuUsage(c); return (d.user + d.system) / 300000; };
const limits = { maxKeyBytes: 65536, maxValueBytes: 1 << 24, maxBatchBytes: 1 << 26 };
console.log('validate µs/op', cpu(() => { for (const b of batches) validateOps(b, limits); }).toFixed(3));
console.log('encode µs/op', cpu(() => { for (const b of batches) encodeBatch(1, b, undefined); }).toFixed(3));
console.log('apply µs/op', cpu(() => { for (const b of batches) store.apply(b, ++seq); }).toFixed(3));
console.log('get µs/op', cpu(() => { let f = 0; for (let i = 0; i < 300000; i++) if (store.get(keys[(i * 7919) % N]!, seq) !== undefined) f++; }).toFixed(3));
import { crc32Sliced } from '../src/internal/crc32-sliced.js';
const big = new Uint8Array(12000);
console.log('crc µs/op', cpu(() => { for (let i = 0; i < 3000; i++) crc32Sliced(big, 8, big.length); }).toFixed(3));
console.log('alloc µs/op', cpu(() => { for (let i = 0; i < 3000; i++) new Uint8Array(12000); }).toFixed(3));
console.log('encode again µs/op', cpu(() => { for (const b of batches) encodeBatch(1, b, undefined); }).toFixed(3));
console.log(Object.getPrototypeOf(keys[0]).constructor.name, Object.getPrototypeOf(values[0]).constructor.name);
