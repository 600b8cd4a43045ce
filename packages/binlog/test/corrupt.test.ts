import { isLockstepError, Random } from '@lockstep/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimFileSystem } from '@lockstep/base';
import { BinlogCorruptError, BinlogEventDecoder, BinlogEventEncoder, BinlogTruncatedError, BinlogWriter, readBinlog } from '../src/index.js';
import { headerArb, simpleBodyArb, tableWithRowsArb, withHeader } from './arbitraries.js';
import { fixture, fixtureFiles, FUZZ_RUNS } from './helpers.js';

/** Decodes a whole stream; returns the error thrown, if any. */
function decodeAll(bytes: Uint8Array, options: { verifyChecksums: boolean; checksum: boolean; file?: string }, start = 0): unknown {
  const decoder = new BinlogEventDecoder({ ...options, file: options.file ?? 'fuzz' });
  try {
    for (let at = start; at < bytes.length; ) at += decoder.decode(bytes, at).size;
    return undefined;
  } catch (error) {
    return error;
  }
}

function expectTyped(error: unknown): void {
  if (error === undefined) return;
  if (!isLockstepError(error)) throw new Error(`untyped exception: ${error instanceof Error ? error.message : typeof error}`, { cause: error });
  expect(error.code).toMatch(/^BINLOG_/);
}

describe('corrupt and truncated input gives typed errors with the position', () => {
  it('a flipped byte in a CRC32 event is a checksum error naming file and offset', () => {
    const bytes = fixture('mariadb-bin.000005').slice();
    bytes[389 + 25] = bytes[389 + 25]! ^ 0x40; // inside the GTID event at 389
    const error = decodeAll(bytes, { verifyChecksums: true, checksum: true, file: 'mariadb-bin.000005' }, 4);
    expect(error).toBeInstanceOf(BinlogCorruptError);
    expect((error as BinlogCorruptError).offset).toBe(389);
    expect((error as BinlogCorruptError).file).toBe('mariadb-bin.000005');
    expect((error as BinlogCorruptError).message).toMatch(/checksum mismatch/);
  });

  it('a file cut inside an event is BinlogTruncatedError at that event', () => {
    const bytes = fixture('mariadb-bin.000005').subarray(0, 1500); // inside the write-rows event at 1519? no: table map at 1441
    const error = decodeAll(bytes, { verifyChecksums: true, checksum: true }, 4);
    expect(error).toBeInstanceOf(BinlogTruncatedError);
    expect((error as BinlogTruncatedError).offset).toBe(1441);
    expect((error as BinlogTruncatedError).needed).toBe(78);
  });

  it('an event size below the header or above the limit is corrupt', () => {
    const bytes = fixture('mariadb-bin.000005').slice(0, 300);
    bytes[256 + 9] = 5;
    bytes[256 + 10] = 0;
    expect(decodeAll(bytes, { verifyChecksums: true, checksum: true }, 4)).toBeInstanceOf(BinlogCorruptError);
    const big = fixture('mariadb-bin.000005').slice(0, 300);
    big[256 + 12] = 0x7f;
    const error = decodeAll(big, { verifyChecksums: true, checksum: true }, 4);
    expect(error).toBeInstanceOf(BinlogCorruptError);
    expect((error as BinlogCorruptError).message).toMatch(/over the limit/);
  });

  it('rows for a table id no table map defined are corrupt, not a crash', () => {
    const decoder = new BinlogEventDecoder({ file: 'x' });
    const bytes = fixture('mariadb-bin.000005');
    decoder.decode(bytes, 4); // format description
    expect(() => decoder.decode(bytes, 1519)).toThrow(BinlogCorruptError);
  });

  const seeds = Math.max(20, Math.floor(FUZZ_RUNS / 10));
  it(`random byte damage to the real fixtures never throws an untyped exception (${seeds} seeds per file, checksums not verified so the damage reaches every parser)`, () => {
    for (const file of fixtureFiles()) {
      const original = fixture(file);
      for (let seed = 1; seed <= seeds; seed++) {
        const random = new Random(seed);
        const bytes = original.slice();
        const damage = random.int(1, 8);
        for (let i = 0; i < damage; i++) bytes[random.int(4, bytes.length - 1)] = random.int(0, 255);
        const cut = random.bool(0.3) ? bytes.subarray(0, random.int(4, bytes.length)) : bytes;
        try {
          expectTyped(decodeAll(cut, { verifyChecksums: false, checksum: true, file }, 4));
          expectTyped(decodeAll(cut, { verifyChecksums: true, checksum: true, file }, 4));
        } catch (error) {
          throw new Error(`${file} seed ${seed}: ${String(error)}`, { cause: error });
        }
      }
    }
  });

  it('random damage to random encoded events never throws an untyped exception (fast-check)', () => {
    fc.assert(
      fc.property(
        headerArb,
        simpleBodyArb(false),
        tableWithRowsArb,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.nat(),
        (header, body, [map, rows], edits, cutAt) => {
          const encoder = new BinlogEventEncoder({ checksum: false });
          const parts = [withHeader(header, body), withHeader(header, map), ...rows.map((r) => withHeader(header, r))].map((e) => encoder.encode(e));
          const stream = Uint8Array.from(parts.flatMap((p) => [...p]));
          for (const [at, value] of edits) stream[at % stream.length] = value;
          const cut = stream.subarray(0, cutAt % (stream.length + 1));
          expectTyped(decodeAll(cut, { verifyChecksums: false, checksum: false }));
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  it(`damaged files through readBinlog and BinlogWriter.open (${seeds} seeds): typed errors or a clean recovery, never an untyped exception`, async () => {
    const files = fixtureFiles();
    for (let seed = 1; seed <= seeds; seed++) {
      const random = new Random(seed);
      const fs = new SimFileSystem({ seed });
      await fs.mkdir('/d', { recursive: true });
      for (const file of files) {
        const bytes = fixture(file).slice();
        if (random.bool(0.5)) for (let i = 0; i < 3; i++) bytes[random.int(0, bytes.length - 1)] = random.int(0, 255);
        await fs.writeFile(`/d/${file}`, random.bool(0.2) ? bytes.subarray(0, random.int(0, bytes.length)) : bytes);
      }
      try {
        for await (const p of readBinlog({ fs, dir: '/d', baseName: 'mariadb-bin' })) expect(p.size).toBeGreaterThan(0);
      } catch (error) {
        expectTyped(error);
      }
      try {
        const writer = await BinlogWriter.open({ fs, dir: '/d', baseName: 'mariadb-bin', serverId: 9 });
        await writer.close();
      } catch (error) {
        expectTyped(error);
      }
    }
  });
});
