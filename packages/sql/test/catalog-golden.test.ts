import { crc32 } from '@lockstep/base';
import { describe, expect, it } from 'vitest';
import { Catalog, catalogToRecords, encodeTableCounters, encodeTableRecord, tableCountersKey, tableRecordKey } from '../src/index.js';
import { column, createTable, INT } from './support/ddl.js';

/** Bytes written out from FORMAT.md by hand, then sealed with the CRC-32 the format prescribes. */
function sealed(hex: string): string {
  const body = Buffer.from(hex.replace(/\s+/g, ''), 'hex');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([body, crc]).toString('hex');
}
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('catalog records: golden bytes from FORMAT.md', () => {
  const catalog = new Catalog();
  catalog.createDatabase('d');
  const t = catalog.createTable(createTable('t', [column('a', INT, { nullable: false })], ['a']), 'd')!;

  it('keys', () => {
    expect(hex(tableRecordKey('d', 't'))).toBe('00000003' + '640001' + '740001');
    expect(hex(tableCountersKey('d', 't'))).toBe('00000004' + '640001' + '740001');
  });

  it('table definition record', () => {
    const expected = sealed(
      [
        '01', // record version
        '01', // table id 1
        '01 64', // database 'd'
        '01 74', // table 't'
        '01', // schema version 1
        '00', // comment ''
        '01', // 1 column
        '01 61', //   name 'a'
        '00 04 00 00', //   type int, 4 bytes, signed, default display width
        '00', //   flags: NOT NULL, no AUTO_INCREMENT, no comment
        '00', //   no default
        '00', // declared primary key (not hidden)
        '07 5052494d415259', // index name 'PRIMARY'
        '8002', // index id 256
        '01', // unique
        '01 00', // 1 column: position 0
        '00', // no secondary indexes
      ].join(' '),
    );
    expect(hex(encodeTableRecord(t.def))).toBe(expected);
  });

  it('meta and counters records', () => {
    const records = catalogToRecords(catalog);
    expect(hex(records[0]!.key)).toBe('00000001');
    expect(hex(records[0]!.value)).toBe(sealed('01 8102 02')); // next index id 257, next table id 2
    t.counters.autoIncrement = 5n;
    expect(hex(encodeTableCounters(t))).toBe(sealed('01 0000000000000005 0000000000000001'));
  });
});
