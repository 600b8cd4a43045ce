import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { nodeFileSystem } from '@lockstep/base';
import { afterAll, describe, expect, it } from 'vitest';
import { BinlogWriter, formatDateTime, type ColumnDef, type ColumnValue, type DateTimeValue, type EventInput, type TransactionInput } from '../src/index.js';
import { ensureApt } from './helpers.js';
import { sysbenchTransaction, SBTEST_COLUMNS } from './sysbench-like.js';
import { TYPED_COLUMNS, TYPED_ROWS, typedMap } from './typed-table.js';

const skipReason = ensureApt('mariadb-client');
const tmp = mkdtempSync(path.join(tmpdir(), 'lockstep-binlog-interop-'));
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const INT_BITS = { tinyint: 8, smallint: 16, mediumint: 24, int: 32, bigint: 64 } as const;

/** How `mariadb-binlog --verbose` prints a value (it ignores signedness metadata: see FORMAT.md). */
function printed(column: ColumnDef, value: ColumnValue): string {
  if (value === null) return 'NULL';
  switch (column.type) {
    case 'tinyint':
    case 'smallint':
    case 'mediumint':
    case 'int':
    case 'bigint': {
      const bits = INT_BITS[column.type];
      const unsigned = BigInt.asUintN(bits, BigInt(value as number | bigint));
      const signed = BigInt.asIntN(bits, unsigned);
      return signed < 0n ? `${signed} (${unsigned})` : `${signed}`;
    }
    case 'double':
    case 'float': {
      // C's %.20g: 20 significant digits, trailing zeros dropped, two-digit exponent.
      const [mantissa, exponent] = (value as number).toPrecision(20).split('e');
      const trimmed = mantissa!.includes('.') ? mantissa!.replace(/0+$/, '').replace(/\.$/, '') : mantissa!;
      if (exponent === undefined) return trimmed;
      const sign = exponent.startsWith('-') ? '-' : '+';
      return `${trimmed}e${sign}${exponent.replace(/^[+-]/, '').padStart(2, '0')}`;
    }
    case 'char':
    case 'varchar':
    case 'blob': {
      const bytes = value as Uint8Array;
      let out = "'";
      for (const b of bytes) out += b < 0x20 ? `\\x${b.toString(16).padStart(2, '0')}` : String.fromCharCode(b);
      return `${out}'`;
    }
    case 'datetime':
      return `'${formatDateTime(value as DateTimeValue, column.fsp)}'`;
    case 'unsupported':
      throw new Error('unsupported');
  }
}

interface Statement {
  readonly op: 'INSERT INTO' | 'UPDATE' | 'DELETE FROM';
  readonly table: string;
  readonly images: string[][];
}

/** The `### ...` pseudo-SQL of mariadb-binlog, as statements with their images (WHERE/SET). */
function parseRows(output: string): Statement[] {
  const statements: Statement[] = [];
  let current: Statement | undefined;
  for (const line of output.split('\n')) {
    if (!line.startsWith('### ')) continue;
    const body = line.slice(4);
    const head = /^(INSERT INTO|UPDATE|DELETE FROM) (\S+)$/.exec(body);
    if (head !== null) {
      current = { op: head[1] as Statement['op'], table: head[2]!, images: [] };
      statements.push(current);
    } else if (body === 'SET' || body === 'WHERE') {
      current!.images.push([]);
    } else {
      const value = /^ {2}@(\d+)=(.*)$/.exec(body);
      if (value === null) throw new Error(`unexpected line ${line}`);
      const image = current!.images[current!.images.length - 1]!;
      expect(Number(value[1])).toBe(image.length + 1);
      image.push(value[2]!);
    }
  }
  return statements;
}

function expectedStatements(transactions: readonly TransactionInput[], columnsOf: (tableId: number) => readonly ColumnDef[], tableName: (tableId: number) => string): Statement[] {
  const out: Statement[] = [];
  const image = (columns: readonly ColumnDef[], row: readonly (ColumnValue | undefined)[]): string[] => row.map((v, i) => printed(columns[i]!, v!));
  for (const tx of transactions) {
    for (const e of tx.events) {
      if (e.kind === 'writeRows' || e.kind === 'deleteRows') {
        for (const row of e.rows) out.push({ op: e.kind === 'writeRows' ? 'INSERT INTO' : 'DELETE FROM', table: tableName(e.tableId), images: [image(columnsOf(e.tableId), row)] });
      } else if (e.kind === 'updateRows') {
        for (const row of e.rows) out.push({ op: 'UPDATE', table: tableName(e.tableId), images: [image(columnsOf(e.tableId), row.before), image(columnsOf(e.tableId), row.after)] });
      }
    }
  }
  return out;
}

function runMariadbBinlog(file: string): { stdout: string; stderr: string; status: number | null } {
  const result = spawnSync('mariadb-binlog', ['--no-defaults', '--base64-output=decode-rows', '--verbose', file], { encoding: 'latin1', maxBuffer: 64 * 1024 * 1024 });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

describe('mariadb-binlog (MariaDB 10.11) decodes files Lockstep writes', () => {
  for (const checksum of [true, false]) {
    it.skipIf(skipReason !== undefined)(`every column type, inserts/updates/deletes, DDL, commit ids — checksum ${checksum ? 'CRC32' : 'none'}`, async () => {
      const dir = path.join(tmp, checksum ? 'crc' : 'none');
      const writer = await BinlogWriter.open({ fs: nodeFileSystem, dir, serverId: 7, checksum, maxFileBytes: 64 * 1024 });
      const typedTx: TransactionInput[] = [
        {
          gtid: { domainId: 0, serverId: 7, seqNo: 1n },
          commitId: undefined,
          flags: { ddl: true },
          xid: 0n,
          events: [{ kind: 'query', threadId: 1, execTimeS: 0, errorCode: 0, database: 'lockstep', sql: 'CREATE TABLE typed (id INT PRIMARY KEY)', status: { flags2: 0, sqlMode: 0n, catalog: 'std', charset: { client: 33, connection: 33, server: 8 } } }],
        },
        { gtid: { domainId: 0, serverId: 7, seqNo: 2n }, commitId: 2n, flags: { transactional: true }, xid: 2n, events: [typedMap(5), { kind: 'writeRows', tableId: 5, rowsFlags: 1, columnCount: TYPED_COLUMNS.length, rows: TYPED_ROWS }] },
        {
          gtid: { domainId: 0, serverId: 7, seqNo: 3n },
          commitId: 2n,
          flags: { transactional: true, waited: true },
          xid: 3n,
          events: [
            typedMap(5),
            { kind: 'updateRows', tableId: 5, rowsFlags: 0, columnCount: TYPED_COLUMNS.length, rows: [{ before: TYPED_ROWS[0]!, after: TYPED_ROWS[3]! }] },
            { kind: 'deleteRows', tableId: 5, rowsFlags: 1, columnCount: TYPED_COLUMNS.length, rows: [TYPED_ROWS[2]!] },
          ] as EventInput[],
        },
      ];
      const sysbench: TransactionInput[] = [];
      for (let i = 4n; i < 200n; i++) sysbench.push({ gtid: { domainId: 1, serverId: 7, seqNo: i }, commitId: undefined, flags: { transactional: true }, xid: i, events: sysbenchTransaction(i, Number(i % 20n), 9) });
      await writer.writeGroup(typedTx.slice(0, 1));
      await writer.writeGroup(typedTx.slice(1));
      for (let i = 0; i < sysbench.length; i += 10) await writer.writeGroup(sysbench.slice(i, i + 10));
      await writer.close();
      expect(writer.files.length).toBeGreaterThan(1);

      let output = '';
      for (const file of writer.files) {
        const result = runMariadbBinlog(path.join(dir, file));
        expect(result.stderr, file).toBe('');
        expect(result.status, file).toBe(0);
        output += result.stdout;
      }
      const columnsOf = (tableId: number): readonly ColumnDef[] => (tableId === 5 ? TYPED_COLUMNS : SBTEST_COLUMNS);
      const tableName = (tableId: number): string => (tableId === 5 ? '`lockstep`.`typed`' : '`sbtest`.`sbtest1`');
      const statements = parseRows(output);
      expect(statements.length).toBe(4 + 2 + sysbench.length * 4);
      expect(statements).toEqual(expectedStatements([...typedTx, ...sysbench], columnsOf, tableName));
      expect(output).toContain('GTID 0-7-1 ddl');
      expect(output).toContain('GTID 0-7-2 cid=2 trans');
      expect(output).toContain('GTID 0-7-3 cid=2 trans waited');
      expect(output).toContain('CREATE TABLE typed (id INT PRIMARY KEY)');
      expect(output).toMatch(/Rotate to binlog\.000002 {2}pos: 4/);
      expect(output).toContain(`GTID 1-7-199 trans`);
      expect(output).toContain(checksum ? 'CRC32 0x' : 'end_log_pos');
      expect(output.match(/Gtid list \[/g)?.length).toBe(writer.files.length);
    });
  }
});
