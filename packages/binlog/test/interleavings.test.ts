import { SimFileSystem } from '@lockstep/base';
import { DeterministicScheduler, forEachSeed } from '@lockstep/base/testing';
import { describe, expect, it } from 'vitest';
import { BinlogWriter, readBinlog, type WrittenBinlogGroup } from '../src/index.js';
import { sysbenchTransaction, txInput } from './sysbench-like.js';

const SEEDS = Number(process.env.BINLOG_INTERLEAVING_SEEDS ?? 60);
const DIR = '/i';

describe('seeded interleavings of committers, pipelined syncs, rotation, checkpoint, purge and a follower', () => {
  it(`${SEEDS} seeds: every group lands whole, in call order, every sync resolves, the follower sees it all`, async () => {
    await forEachSeed(SEEDS, async (seed) => {
      const fs = new SimFileSystem({ seed });
      const writer = await BinlogWriter.open({ fs, dir: DIR, serverId: 1, maxFileBytes: 4096 });
      const scheduler = new DeterministicScheduler({ seed });
      let nextSeq = 1n;
      const callOrder: bigint[] = [];
      const committers = 3;
      const groupsEach = 4;
      let total = 0;
      for (let c = 0; c < committers; c++) for (let g = 0; g < groupsEach; g++) total += 1 + ((c + g) % 3);
      let followerFile = '';
      for (let c = 0; c < committers; c++) {
        scheduler.spawn(`committer-${c}`, async (ctx) => {
          const pending: Promise<void>[] = [];
          for (let g = 0; g < groupsEach; g++) {
            await ctx.step('before write');
            const size = 1 + ((c + g) % 3);
            const txs = [];
            for (let i = 0; i < size; i++) {
              const seq = nextSeq++;
              callOrder.push(seq);
              txs.push(txInput(seq, sysbenchTransaction(seq, i + 1)));
            }
            const written: WrittenBinlogGroup = await writer.writeGroup(txs);
            await ctx.step('before sync');
            // Pipelined like tc: the sync runs while the next group is written.
            pending.push(written.sync());
          }
          await Promise.all(pending);
        });
      }
      scheduler.spawn('admin', async (ctx) => {
        for (let i = 0; i < 3; i++) {
          await ctx.step('rotate');
          await writer.rotate();
        }
        await ctx.step('checkpoint');
        await writer.checkpoint(writer.files[writer.files.length - 1]!);
        await ctx.step('purge');
        // The server purges only what its readers have passed (purge does not track readers).
        if (followerFile !== '') await writer.purgeTo(followerFile);
      });
      const followed: bigint[] = [];
      scheduler.spawn('follower', async (ctx) => {
        await ctx.step('start');
        for await (const p of readBinlog({ fs, dir: DIR, follow: { waitForAppend: (ms, s) => writer.waitForAppend(ms, s), idleTimeoutMs: 60_000 } })) {
          followerFile = p.file;
          if (p.event.kind === 'gtid') followed.push(p.event.seqNo);
          if (followed.length === total) break;
        }
      });
      const result = await scheduler.run();
      expect(result.stalled, `seed ${seed}`).toEqual([]);
      for (const o of result.outcomes) expect(o.status, `seed ${seed} ${o.name}: ${String(o.error)}`).toBe('fulfilled');
      await writer.close();
      // GTIDs were taken in call order and the writer's lock keeps that order in the file.
      expect(callOrder.length).toBe(total);
      expect(followed, `seed ${seed}`).toEqual(callOrder.slice().sort((a, b) => (a < b ? -1 : 1)));
      expect(writer.gtidPosition.get(0)?.seqNo).toBe(BigInt(total));
      const onDisk: bigint[] = [];
      for await (const p of readBinlog({ fs, dir: DIR, start: { file: writer.files[0]! } })) if (p.event.kind === 'gtid') onDisk.push(p.event.seqNo);
      expect(onDisk).toEqual(followed.slice(followed.length - onDisk.length));
    });
  });
});
