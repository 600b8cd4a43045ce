import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ColumnType,
  MalformedPacketError,
  PacketFramer,
  PacketReader,
  PacketTooLargeError,
  PacketWriter,
  PacketsOutOfOrderError,
  nativePasswordHash,
  readBinaryValue,
  readStmtExecuteParams,
  scrambleNativePassword,
  verifyNativePassword,
  writeBinaryValue,
  type WireValue,
} from '../src/index.js';

function frames(payloads: Buffer[], firstSeq = 0): Buffer {
  const w = new PacketWriter();
  w.reset(firstSeq);
  for (const p of payloads) w.begin().bytes(p).end();
  return w.take();
}

function collect(max: number): { framer: PacketFramer; got: { payload: Buffer; seq: number }[] } {
  const got: { payload: Buffer; seq: number }[] = [];
  const framer = new PacketFramer(max, (payload, seq) => got.push({ payload: Buffer.from(payload), seq }));
  return { framer, got };
}

describe('PacketFramer and PacketWriter', () => {
  it('splits a payload of 16 MiB and more into 0xffffff frames and joins it back', () => {
    const size = 0xffffff * 2 + 10;
    const payload = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4093) payload[i] = i & 0xff;
    const bytes = frames([payload, Buffer.from('next')], 7);
    // three frames for the big payload (0xffffff, 0xffffff, 10), then one for "next"
    expect(bytes.readUIntLE(0, 3)).toBe(0xffffff);
    expect(bytes[3]).toBe(7);
    expect(bytes[4 + 0xffffff + 3]).toBe(8);
    const { framer, got } = collect(size);
    for (let at = 0; at < bytes.length; at += 1 << 20) framer.push(bytes.subarray(at, at + (1 << 20)));
    expect(got.map((g) => g.seq)).toEqual([7, 10]);
    expect(got[0]!.payload.equals(payload)).toBe(true);
    expect(got[1]!.payload.toString()).toBe('next');
  });

  it('a payload of exactly 0xffffff bytes is followed by an empty frame', () => {
    const payload = Buffer.alloc(0xffffff, 1);
    const bytes = frames([payload]);
    expect(bytes.length).toBe(4 + 0xffffff + 4);
    expect(bytes.subarray(4 + 0xffffff)).toEqual(Buffer.from([0, 0, 0, 1]));
    const { framer, got } = collect(0xffffff);
    framer.push(bytes);
    expect(got).toHaveLength(1);
    expect(got[0]!.payload.length).toBe(0xffffff);
  });

  it('refuses an oversized packet at its header, before buffering any of it', () => {
    const { framer, got } = collect(100);
    const header = Buffer.from([101, 0, 0, 0]);
    expect(() => {
      framer.push(header);
    }).toThrow(PacketTooLargeError);
    expect(framer.bufferedBytes).toBe(0);
    expect(got).toHaveLength(0);
    // exactly the limit is fine
    const ok = collect(100);
    ok.framer.push(frames([Buffer.alloc(100)]));
    expect(ok.got).toHaveLength(1);
  });

  it('counts the frames of a split packet against the limit as they come', () => {
    const { framer } = collect(0xffffff + 5);
    const first = Buffer.alloc(4);
    first.writeUIntLE(0xffffff, 0, 3);
    framer.push(first);
    framer.push(Buffer.alloc(0xffffff));
    expect(() => {
      framer.push(Buffer.from([6, 0, 0, 1]));
    }).toThrow(PacketTooLargeError);
  });

  it('rejects a continuation frame with the wrong sequence id', () => {
    const { framer } = collect(1 << 26);
    const first = Buffer.alloc(4 + 0xffffff);
    first.writeUIntLE(0xffffff, 0, 3);
    first[3] = 3;
    framer.push(first);
    expect(() => {
      framer.push(Buffer.from([1, 0, 0, 9, 0]));
    }).toThrow(PacketsOutOfOrderError);
  });

  it('property: any split of the byte stream yields the same packets', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 }),
        (payloads, cuts) => {
          const bytes = frames(payloads.map((p) => Buffer.from(p)));
          const { framer, got } = collect(1000);
          let at = 0;
          let i = 0;
          while (at < bytes.length) {
            const step = cuts[i++ % cuts.length]!;
            framer.push(bytes.subarray(at, at + step));
            at += step;
          }
          expect(got.map((g) => [...g.payload])).toEqual(payloads.map((p) => [...p]));
          expect(got.map((g) => g.seq)).toEqual(payloads.map((_, k) => k));
          expect(framer.idle).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('length-encoded integers and strings', () => {
  it('uses the 1/3/4/9-byte forms at their boundaries', () => {
    const cases: [number | bigint, string][] = [
      [0, '00'],
      [250, 'fa'],
      [251, 'fcfb00'],
      [0xffff, 'fcffff'],
      [0x10000, 'fd000001'],
      [0xffffff, 'fdffffff'],
      [0x1000000, 'fe0000000100000000'],
      [0xffffffffffffffffn, 'feffffffffffffffff'],
    ];
    for (const [value, hex] of cases) {
      const w = new PacketWriter();
      w.lenencInt(value);
      expect(w.take().toString('hex')).toBe(hex);
      const r = new PacketReader(Buffer.from(hex, 'hex'));
      expect(r.lenencBigInt('n')).toBe(BigInt(value));
    }
  });

  it('property: strings round-trip, including multi-byte text longer than 250 bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        const w = new PacketWriter(8);
        w.lenencString(text).lenencString('end');
        const r = new PacketReader(w.take());
        expect(r.lenencString('a')).toBe(Buffer.from(text, 'utf8').toString('utf8'));
        expect(r.lenencString('b')).toBe('end');
        expect(r.atEnd()).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('truncated fields are MalformedPacketError naming field and offset', () => {
    const r = new PacketReader(Buffer.from([0xfc, 0x10]));
    expect(() => r.lenencInt('column count')).toThrow(/column count needs 2 bytes at offset 1/);
    expect(() => new PacketReader(Buffer.from([0xff])).lenencInt('x')).toThrow(MalformedPacketError);
    expect(() => new PacketReader(Buffer.from('abc')).nulString('user')).toThrow(/user at offset 0 has no NUL terminator/);
    expect(() => new PacketReader(Buffer.from([0x05, 1, 2])).lenencBytes('v')).toThrow(MalformedPacketError);
  });
});

describe('binary values', () => {
  const cases: { type: number; unsigned: boolean; value: WireValue }[] = [
    { type: ColumnType.TINY, unsigned: false, value: -128 },
    { type: ColumnType.TINY, unsigned: true, value: 255 },
    { type: ColumnType.SHORT, unsigned: false, value: -32768 },
    { type: ColumnType.SHORT, unsigned: true, value: 65535 },
    { type: ColumnType.INT24, unsigned: false, value: -8388608 },
    { type: ColumnType.LONG, unsigned: false, value: -2147483648 },
    { type: ColumnType.LONG, unsigned: true, value: 4294967295 },
    { type: ColumnType.LONGLONG, unsigned: false, value: -9223372036854775808n },
    { type: ColumnType.LONGLONG, unsigned: true, value: 18446744073709551615n },
    { type: ColumnType.YEAR, unsigned: true, value: 2026 },
    { type: ColumnType.FLOAT, unsigned: false, value: 1.5 },
    { type: ColumnType.DOUBLE, unsigned: false, value: -1.25e300 },
    { type: ColumnType.NEWDECIMAL, unsigned: false, value: '-12345678901234567890.123456789' },
    { type: ColumnType.VAR_STRING, unsigned: false, value: 'héllo ✓' },
    { type: ColumnType.BLOB, unsigned: false, value: Buffer.from([0, 1, 254, 255]) },
    { type: ColumnType.DATE, unsigned: false, value: { year: 2026, month: 11, day: 25, hour: 0, minute: 0, second: 0, microsecond: 0 } },
    { type: ColumnType.DATETIME, unsigned: false, value: { year: 2026, month: 11, day: 25, hour: 10, minute: 0, second: 59, microsecond: 0 } },
    { type: ColumnType.TIMESTAMP, unsigned: false, value: { year: 1999, month: 1, day: 2, hour: 3, minute: 4, second: 5, microsecond: 123456 } },
    { type: ColumnType.DATETIME, unsigned: false, value: { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, microsecond: 0 } },
    { type: ColumnType.TIME, unsigned: false, value: { negative: true, days: 3, hours: 4, minutes: 5, seconds: 6, microseconds: 7 } },
    { type: ColumnType.TIME, unsigned: false, value: { negative: false, days: 0, hours: 0, minutes: 0, seconds: 0, microseconds: 0 } },
  ];
  it.each(cases)('type $type round-trips $value', ({ type, unsigned, value }) => {
    const w = new PacketWriter();
    writeBinaryValue(w, value!, type);
    const r = new PacketReader(w.take());
    expect(readBinaryValue(r, type, unsigned, 'v')).toEqual(value);
    expect(r.atEnd()).toBe(true);
  });

  it('COM_STMT_EXECUTE parameters: NULL bitmap, bound types, reuse of types, long data', () => {
    const w = new PacketWriter();
    // 10 parameters: 0 NULL, 9 NULL; bitmap bytes 0b0000_0001, 0b0000_0010
    w.u8(0x01).u8(0x02).u8(1);
    const types = [ColumnType.NULL, ColumnType.LONGLONG, ColumnType.TINY, ColumnType.VAR_STRING, ColumnType.DOUBLE, ColumnType.DATE, ColumnType.BLOB, ColumnType.SHORT, ColumnType.BLOB, ColumnType.LONG];
    for (let i = 0; i < types.length; i++) w.u8(types[i]!).u8(i === 2 ? 0x80 : 0);
    w.i64(-5n).u8(200).lenencString('abc').f64(2.5).u8(4).u16(2020).u8(2).u8(29).lenencBytes(Buffer.from([9])).i16(-2);
    // parameter 8 comes as long data; parameter 9 is NULL
    const payload = w.take();
    const longData = new Map([[8, Buffer.from('LONG')]]);
    const { params, types: bound } = readStmtExecuteParams(new PacketReader(payload), 10, undefined, longData);
    expect(params).toEqual([
      null,
      -5n,
      200,
      'abc',
      2.5,
      { year: 2020, month: 2, day: 29, hour: 0, minute: 0, second: 0, microsecond: 0 },
      Buffer.from([9]),
      -2,
      Buffer.from('LONG'),
      null,
    ]);
    // new-params-bound = 0 reuses the types
    const again = new PacketWriter();
    again.u8(0xff).u8(0xff).u8(0);
    expect(readStmtExecuteParams(new PacketReader(again.take()), 10, bound).params).toEqual(new Array(10).fill(null));
    const none = new PacketWriter();
    none.u8(0).u8(0).u8(0);
    expect(() => readStmtExecuteParams(new PacketReader(none.take()), 10, undefined)).toThrow(/none were bound before/);
  });

  it('re-sent identical parameter types reuse the decoded types; changed ones are decoded afresh', () => {
    const packet = (type: number, flag: number): PacketReader => {
      const w = new PacketWriter();
      w.u8(0).u8(1).u8(type).u8(flag);
      if (type === ColumnType.LONGLONG) w.i64(-1n);
      else w.u8(0xff);
      return new PacketReader(w.take());
    };
    const first = readStmtExecuteParams(packet(ColumnType.LONGLONG, 0), 1, undefined);
    const same = readStmtExecuteParams(packet(ColumnType.LONGLONG, 0), 1, first.types);
    expect(same.types).toBe(first.types);
    expect(same.params).toEqual([-1n]);
    const unsigned = readStmtExecuteParams(packet(ColumnType.LONGLONG, 0x80), 1, first.types);
    expect(unsigned.types).not.toBe(first.types);
    expect(unsigned.params).toEqual([18446744073709551615n]);
    const tiny = readStmtExecuteParams(packet(ColumnType.TINY, 0), 1, first.types);
    expect(tiny.params).toEqual([-1]);
  });

  it('bad parameter types and lengths are MalformedPacketError', () => {
    const w = new PacketWriter();
    w.u8(0).u8(1).u8(0x77).u8(0);
    expect(() => readStmtExecuteParams(new PacketReader(w.take()), 1, undefined)).toThrow(/unknown type 119/);
    const d = new PacketWriter();
    d.u8(0).u8(1).u8(ColumnType.DATETIME).u8(0).u8(5).zeros(5);
    expect(() => readStmtExecuteParams(new PacketReader(d.take()), 1, undefined)).toThrow(/invalid DATETIME length 5/);
  });
});

describe('mysql_native_password', () => {
  it('a scramble made from the password verifies against the stored hash, a wrong one does not', () => {
    const scramble = Buffer.from('0123456789abcdefghij');
    const hash = nativePasswordHash('pw');
    expect(hash.length).toBe(20);
    expect(verifyNativePassword(scrambleNativePassword('pw', scramble), scramble, hash)).toBe(true);
    expect(verifyNativePassword(scrambleNativePassword('pX', scramble), scramble, hash)).toBe(false);
    expect(verifyNativePassword(Buffer.alloc(0), scramble, hash)).toBe(false);
    expect(verifyNativePassword(Buffer.alloc(0), scramble, new Uint8Array(0))).toBe(true);
  });

  it('matches MySQL: PASSWORD(\'password\') is *2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19', () => {
    expect(nativePasswordHash('password').toString('hex').toUpperCase()).toBe('2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19');
  });
});
