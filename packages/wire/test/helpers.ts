import { LockstepError } from '@lockstep/base';
import {
  ColumnFlag,
  ColumnType,
  createWireServer,
  type ColumnDefinition,
  type QueryResult,
  type WireHandler,
  type WireLimits,
  type WireServer,
  type WireValue,
} from '../src/index.js';

export const PASSWORD = 'secret-pw';

const KEY: ColumnDefinition = { name: 'k', type: ColumnType.VAR_STRING, flags: ColumnFlag.NOT_NULL | ColumnFlag.PRI_KEY, table: 'kv' };
const VALUE: ColumnDefinition = { name: 'v', type: ColumnType.VAR_STRING, table: 'kv' };
const ONE: ColumnDefinition = { name: '1', type: ColumnType.LONGLONG, flags: ColumnFlag.NOT_NULL | ColumnFlag.NUM };
const COMMENT: ColumnDefinition = { name: '@@version_comment', type: ColumnType.VAR_STRING };

class SyntaxError1064 extends LockstepError {
  constructor(sql: string) {
    super('TEST_PARSE', `You have an error in your SQL syntax near '${sql.slice(0, 40)}'`, { errno: 1064, sqlState: '42000' });
  }
}

/** Describes the column a parameter of `execute echo` comes back as, from the value's JS type. */
function columnFor(value: WireValue, index: number): ColumnDefinition {
  const name = `p${index}`;
  if (value === null) return { name, type: ColumnType.NULL };
  switch (typeof value) {
    case 'bigint':
      return { name, type: ColumnType.LONGLONG, flags: value > 0x7fffffffffffffffn ? ColumnFlag.UNSIGNED : 0 };
    case 'number':
      return Number.isSafeInteger(value) ? { name, type: ColumnType.LONGLONG } : { name, type: ColumnType.DOUBLE };
    case 'string':
      return { name, type: ColumnType.VAR_STRING };
    case 'boolean':
      return { name, type: ColumnType.TINY };
    default:
      if (value instanceof Uint8Array) return { name, type: ColumnType.BLOB, flags: ColumnFlag.BINARY | ColumnFlag.BLOB };
      if ('year' in value) return { name, type: ColumnType.DATETIME, decimals: value.microsecond === 0 ? 0 : 6 };
      return { name, type: ColumnType.TIME, decimals: value.microseconds === 0 ? 0 : 6 };
  }
}

/**
 * A toy handler: a key-value table answering a few statements by regular expression (no
 * SQL parser). `SELECT ?`-style echo statements return their parameters, so prepared
 * statements can check every parameter type round trip.
 */
export class KvHandler implements WireHandler {
  readonly table = new Map<string, string | null>();
  readonly log: string[] = [];
  readonly executed: (readonly WireValue[])[] = [];

  query(_session: unknown, sql: string): QueryResult | QueryResult[] {
    this.log.push(sql);
    const trimmed = sql.trim().replace(/;$/, '');
    if (/^select @@version_comment limit 1$/i.test(trimmed)) return { kind: 'rows', columns: [COMMENT], rows: [['Lockstep test server']] };
    if (/^select 1$/i.test(trimmed)) return { kind: 'rows', columns: [ONE], rows: [[1n]] };
    if (/^(set|begin|commit|rollback|use)\b/i.test(trimmed)) return { kind: 'ok' };
    if (/^select k, v from kv$/i.test(trimmed)) {
      const rows = [...this.table.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
      return { kind: 'rows', columns: [KEY, VALUE], rows };
    }
    let m = /^select v from kv where k = '([^']*)'$/i.exec(trimmed);
    if (m !== null) {
      const key = m[1]!;
      return { kind: 'rows', columns: [VALUE], rows: this.table.has(key) ? [[this.table.get(key)!]] : [] };
    }
    m = /^insert into kv values \('([^']*)', (?:'([^']*)'|null)\)$/i.exec(trimmed);
    if (m !== null) {
      this.table.set(m[1]!, m[2] ?? null);
      return { kind: 'ok', affectedRows: 1, lastInsertId: this.table.size };
    }
    m = /^select length\('(.*)'\)$/is.exec(trimmed);
    if (m !== null) return { kind: 'rows', columns: [ONE], rows: [[Buffer.byteLength(m[1]!)]] };
    m = /^select repeat\('x', (\d+)\)$/i.exec(trimmed);
    if (m !== null) return { kind: 'rows', columns: [{ name: 'r', type: ColumnType.LONG_BLOB }], rows: [['x'.repeat(Number(m[1]))]] };
    if (/^select 1; select 2$/i.test(trimmed)) {
      return [
        { kind: 'rows', columns: [ONE], rows: [[1]] },
        { kind: 'rows', columns: [{ ...ONE, name: '2' }], rows: [[2]] },
      ];
    }
    throw new SyntaxError1064(sql);
  }

  prepare(_session: unknown, sql: string): { params: number; columns: ColumnDefinition[] } {
    const m = /^select\s+(.*)$/i.exec(sql.trim());
    if (m === null) throw new SyntaxError1064(sql);
    const count = (sql.match(/\?/g) ?? []).length;
    // Columns are only known at execute time for the echo statement: send none here.
    return { params: count, columns: [] };
  }

  execute(_session: unknown, _statement: unknown, params: readonly WireValue[]): QueryResult {
    this.executed.push(params);
    return { kind: 'rows', columns: params.map(columnFor), rows: [params] };
  }
}

export async function startServer(limits: Partial<WireLimits> = {}, handler: WireHandler = new KvHandler()): Promise<{ server: WireServer; port: number; handler: WireHandler }> {
  const server = createWireServer({
    handler,
    users: [
      { user: 'root', password: PASSWORD },
      { user: 'nopw' },
      { user: 'shauser', password: 'x', plugin: 'caching_sha2_password' },
    ],
    limits,
  });
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, port, handler };
}
