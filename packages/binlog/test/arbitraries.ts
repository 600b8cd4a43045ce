import fc from 'fast-check';
import type { BinlogEvent, ColumnDef, ColumnValue, EventBody, QueryStatus, RowImage, TableMapBody } from '../src/index.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const name = fc.string({ unit: 'grapheme-ascii', maxLength: 40 });
const text = fc.string({ unit: 'grapheme', maxLength: 200 });
const bytes = (max: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength: max });

export const headerArb = fc.record({ timestamp: u32, serverId: u32, logPos: u32, flags: u16 });

const gtidArb = fc.record({ domainId: u32, serverId: u32, seqNo: u64 });

const statusArb: fc.Arbitrary<QueryStatus> = fc.record(
  {
    flags2: u32,
    sqlMode: u64,
    catalog: name,
    autoIncrement: fc.record({ increment: u16, offset: u16 }),
    charset: fc.record({ client: u16, connection: u16, server: u16 }),
    timeZone: name,
    lcTimeNames: u16,
    charsetDatabase: u16,
    tableMapForUpdate: u64,
    masterDataWritten: u32,
    invoker: fc.record({ user: name, host: name }),
    updatedDbNames: fc.array(name.filter((n) => !n.includes('\0')), { maxLength: 5 }),
    microseconds: fc.integer({ min: 0, max: 0xffffff }),
    hrnow: fc.integer({ min: 0, max: 0xffffff }),
    xid: u64,
    unknownStatus: fc.tuple(fc.integer({ min: 200, max: 255 }), bytes(8)).map(([code, rest]) => Uint8Array.of(code, ...rest)),
  },
  { requiredKeys: [] },
);

/** A body of any kind except rows (those need a table map: see `tableWithRowsArb`). */
export const simpleBodyArb = (checksum: boolean): fc.Arbitrary<EventBody> =>
  fc.oneof(
    fc.record({
      kind: fc.constant('formatDescription' as const),
      binlogVersion: fc.constant(4),
      serverVersion: name.filter((n) => !n.includes('\0')),
      createTimestamp: u32,
      postHeaderLengths: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 200 }),
      checksum: fc.constant(checksum ? ('crc32' as const) : ('none' as const)),
    }),
    fc.record({ kind: fc.constant('rotate' as const), position: u64, nextFile: name }),
    fc.record({ kind: fc.constant('gtidList' as const), gtids: fc.array(gtidArb, { maxLength: 5 }), listFlags: fc.integer({ min: 0, max: 15 }) }),
    fc.record({ kind: fc.constant('binlogCheckpoint' as const), file: name }),
    fc
      .record({ seqNo: u64, domainId: u32, flags: fc.integer({ min: 0, max: 255 }), commitId: fc.option(u64, { nil: undefined }), extra: bytes(12) })
      .map(({ seqNo, domainId, flags, commitId, extra }) => ({
        kind: 'gtid' as const,
        seqNo,
        domainId,
        gtidFlags: commitId === undefined ? flags & ~2 : flags | 2,
        commitId,
        extra,
      })),
    fc.record({ kind: fc.constant('query' as const), threadId: u32, execTimeS: u32, errorCode: u16, database: name, sql: text, status: statusArb }),
    fc.record({ kind: fc.constant('xid' as const), xid: u64 }),
    fc.record({ kind: fc.constant('heartbeat' as const), logFile: name }),
    fc.record({ kind: fc.constant('annotateRows' as const), sql: text }),
    fc.constant({ kind: 'stop' as const }),
    fc.record({
      kind: fc.constant('unknown' as const),
      typeCode: fc.integer({ min: 0, max: 255 }).filter((t) => ![2, 3, 4, 15, 16, 19, 23, 24, 25, 27, 160, 161, 162, 163].includes(t)),
      body: bytes(40),
    }),
  );

const columnArb: fc.Arbitrary<ColumnDef> = fc.oneof(
  fc.record({ type: fc.constantFrom('tinyint' as const, 'smallint' as const, 'mediumint' as const, 'int' as const, 'bigint' as const), unsigned: fc.boolean(), nullable: fc.boolean() }),
  fc.record({ type: fc.constantFrom('float' as const, 'double' as const), nullable: fc.boolean() }),
  fc.record({ type: fc.constant('varchar' as const), maxBytes: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 0xffff })), nullable: fc.boolean() }),
  fc.record({ type: fc.constant('char' as const), maxBytes: fc.integer({ min: 0, max: 1023 }), nullable: fc.boolean() }),
  fc.record({ type: fc.constant('blob' as const), lengthBytes: fc.constantFrom(1 as const, 2 as const, 3 as const, 4 as const), nullable: fc.boolean() }),
  fc.record({ type: fc.constant('datetime' as const), fsp: fc.integer({ min: 0, max: 6 }), nullable: fc.boolean() }),
);

const INT_LIMITS = { tinyint: 8, smallint: 16, mediumint: 24, int: 32 } as const;

function valueArb(c: ColumnDef): fc.Arbitrary<ColumnValue> {
  const nonNull = ((): fc.Arbitrary<ColumnValue> => {
    switch (c.type) {
      case 'tinyint':
      case 'smallint':
      case 'mediumint':
      case 'int': {
        const bits = INT_LIMITS[c.type];
        return c.unsigned ? fc.integer({ min: 0, max: 2 ** bits - 1 }) : fc.integer({ min: -(2 ** (bits - 1)), max: 2 ** (bits - 1) - 1 });
      }
      case 'bigint':
        return c.unsigned ? fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) : fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
      case 'float':
        return fc.float({ noNaN: true }).map((f) => Math.fround(f));
      case 'double':
        return fc.double({ noNaN: true });
      case 'varchar':
      case 'char':
        return bytes(Math.min(c.maxBytes, 300));
      case 'blob':
        return bytes(c.lengthBytes === 1 ? 255 : 400);
      case 'datetime': {
        const unit = 10 ** (6 - c.fsp);
        return fc
          .record({
            year: fc.integer({ min: 0, max: 9999 }),
            month: fc.integer({ min: 0, max: 12 }),
            day: fc.integer({ min: 0, max: 31 }),
            hour: fc.integer({ min: 0, max: 23 }),
            minute: fc.integer({ min: 0, max: 59 }),
            second: fc.integer({ min: 0, max: 59 }),
            microsecond: fc.integer({ min: 0, max: 999999 }),
          })
          .map((v) => ({ ...v, microsecond: Math.floor(v.microsecond / unit) * unit }));
      }
      case 'unsupported':
        return fc.constant(null);
    }
  })();
  return c.nullable ? fc.oneof(fc.constant(null), nonNull) : nonNull;
}

function imageArb(columns: readonly ColumnDef[], present: readonly boolean[] | undefined): fc.Arbitrary<RowImage> {
  return fc.tuple(...columns.map((c, i) => (present === undefined || present[i] ? valueArb(c) : fc.constant(undefined))));
}

const presentArb = (n: number): fc.Arbitrary<boolean[] | undefined> =>
  n < 2
    ? fc.constant(undefined)
    : fc.option(
    fc.array(fc.boolean(), { minLength: n, maxLength: n }).filter((bits) => bits.some((b) => !b) && bits.some((b) => b)),
    { nil: undefined },
  );

/** A table map and a few rows events of every kind against it. */
export const tableWithRowsArb = fc
  .record({
    tableId: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
    tableFlags: u16,
    database: name,
    table: name,
    columns: fc.array(columnArb, { minLength: 1, maxLength: 12 }),
  })
  .chain((map) => {
    const n = map.columns.length;
    const rowsEvent = fc.oneof(
      presentArb(n).chain((present) =>
        fc.record({
          kind: fc.constantFrom('writeRows' as const, 'deleteRows' as const),
          tableId: fc.constant(map.tableId),
          rowsFlags: u16,
          columnCount: fc.constant(n),
          rows: fc.array(imageArb(map.columns, present), { minLength: 1, maxLength: 4 }),
          ...(present === undefined ? {} : { columnsPresent: fc.constant(present) }),
        }),
      ),
      fc.tuple(presentArb(n), presentArb(n)).chain(([before, after]) =>
        fc.record({
          kind: fc.constant('updateRows' as const),
          tableId: fc.constant(map.tableId),
          rowsFlags: u16,
          columnCount: fc.constant(n),
          rows: fc.array(fc.record({ before: imageArb(map.columns, before), after: imageArb(map.columns, after) }), { minLength: 1, maxLength: 3 }),
          ...(before === undefined ? {} : { columnsPresent: fc.constant(before) }),
          ...(after === undefined ? {} : { columnsPresentAfter: fc.constant(after) }),
        }),
      ),
    );
    const tableMap: TableMapBody = { kind: 'tableMap', ...map };
    return fc.tuple(fc.constant(tableMap), fc.array(rowsEvent, { minLength: 1, maxLength: 3 }));
  });

export function withHeader(h: { timestamp: number; serverId: number; logPos: number; flags: number }, body: EventBody): BinlogEvent {
  return { ...h, ...body };
}
