// Micro-benchmarks of @lockstep/sql's hot paths, each beside a simple peer in the same run:
// parse vs statement-cache hit (peer: node-sql-parser's astify alone), key and row
// encode/decode (peer: JSON), compiled expressions vs an AST interpreter, plan resolution.
// Usage: npm run bench -w @lockstep/sql [-- --quick]
import { benchMachine } from '@lockstep/base/testing';
import nodeSqlParser from 'node-sql-parser/build/mariadb.js';
import {
  Catalog,
  compareSqlValues,
  compileCondition,
  parseExpression,
  parseStatementUncached,
  planAccess,
  SqlDateTime,
  SqlParser,
  tableColumnResolver,
  truth,
  type CreateTableStatement,
  type EvalContext,
  type Expr,
  type SqlValue,
} from '../src/index.js';

const quick = process.argv.includes('--quick');
const targetMs = quick ? 150 : 1000;
const machine = benchMachine();

let sink = 0;
/** Runs `fn` in batches until `targetMs` has passed; returns operations per second. */
function measure(fn: () => unknown, batch = 100): number {
  for (let i = 0; i < batch * 50; i++) fn(); // warm up (JIT)
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < targetMs) {
    for (let i = 0; i < batch; i++) {
      const r = fn();
      if (r === undefined) sink++;
    }
    ops += batch;
    now = performance.now();
  }
  return (ops * 1000) / (now - start);
}

const results: Record<string, { value: number; unit: string }> = {};
const rows: [string, string, string, string][] = [];
function record(name: string, ours: number, peerName: string, peer: number | undefined): void {
  results[name] = { value: Math.round(ours), unit: 'ops/s' };
  if (peer !== undefined) results[`${name}.peer`] = { value: Math.round(peer), unit: 'ops/s' };
  rows.push([name, fmt(ours), peer === undefined ? '' : `${peerName}: ${fmt(peer)}`, peer === undefined ? '' : `${(ours / peer).toFixed(2)}x`]);
}
const fmt = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M/s` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k/s` : `${n.toFixed(0)} /s`);

// --- Parsing ---------------------------------------------------------------------------
const raw = new nodeSqlParser.Parser();
const statements = {
  point_select: 'SELECT c FROM sbtest1 WHERE id=?',
  update_index: 'UPDATE sbtest1 SET k=k+1 WHERE id=?',
  insert: 'INSERT INTO sbtest1 (id, k, c, pad) VALUES (?, ?, ?, ?)',
  version_comment: 'select @@version_comment limit 1',
};
for (const [name, sql] of Object.entries(statements)) {
  // Alternate the two and keep each one's best round: the first measured otherwise pays the JIT warm-up.
  let uncached = 0;
  let astifyOnly = 0;
  for (let round = 0; round < 2; round++) {
    uncached = Math.max(uncached, measure(() => parseStatementUncached(sql), 20));
    astifyOnly = Math.max(astifyOnly, measure(() => raw.astify(sql, { database: 'MariaDB' }), 20));
  }
  record(`parse.${name}.uncached`, uncached, 'node-sql-parser astify alone', astifyOnly);
  const parser = new SqlParser();
  const cached = measure(() => parser.parse(sql), 1000);
  record(`parse.${name}.cached`, cached, 'uncached parse', uncached);
}

// --- Keys and rows ---------------------------------------------------------------------
const catalog = new Catalog();
catalog.createDatabase('sbtest');
const INT = { kind: 'int', bytes: 4, unsigned: false } as const;
const col = (name: string, type: CreateTableStatement['columns'][number]['type'], extra: Partial<CreateTableStatement['columns'][number]> = {}) => ({
  name,
  type,
  nullable: false,
  default: { kind: 'none' } as const,
  autoIncrement: false,
  primaryKey: false,
  unique: false,
  comment: undefined,
  ...extra,
});
catalog.createTable(
  {
    kind: 'createTable',
    table: { database: undefined, name: 'sbtest1' },
    ifNotExists: false,
    columns: [col('id', INT, { autoIncrement: true }), col('k', INT), col('c', { kind: 'char', length: 120 }), col('pad', { kind: 'char', length: 60 })],
    primaryKey: ['id'],
    indexes: [{ name: 'k_1', columns: ['k'], unique: false }],
    engine: undefined,
    comment: undefined,
  },
  'sbtest',
);
const table = catalog.getTable('sbtest', 'sbtest1');
const c = '68487932199-96439406143-93774651418-41631865787-96406072701-20604855487-25459966574-28203206787-41238978918-19503783441';
const pad = '22195207048-70116052123-74140395089-76317954521-98694025897';
const row: SqlValue[] = [123456, 498765, c, pad];
let n = 0;
const pkEncode = measure(() => table.primaryCodec.encode([n++ & 0xffff]), 1000);
const pkJson = measure(() => Buffer.from(JSON.stringify([n++ & 0xffff])), 1000);
record('key.primary.encode', pkEncode, 'JSON+Buffer', pkJson);
const pk = table.primaryCodec.encode([123456]);
record('key.primary.decode', measure(() => table.primaryCodec.decode(pk), 1000), 'JSON.parse', measure(() => JSON.parse('[123456]') as unknown, 1000));
const secondary = table.secondaryCodecs[0]!;
record('key.secondary.encode', measure(() => secondary.encodeFromRow(row, [1], [row[0]!]), 1000), '', undefined);
const sk = secondary.encodeFromRow(row, [1], [row[0]!]);
record('key.secondary.decode', measure(() => secondary.decode(sk), 1000), '', undefined);
const rowBytes = table.rowCodec.encode(row);
const rowJson = JSON.stringify(row);
record('row.encode', measure(() => table.rowCodec.encode(row), 1000), 'JSON.stringify+Buffer', measure(() => Buffer.from(JSON.stringify(row)), 1000));
record('row.decode', measure(() => table.rowCodec.decode(rowBytes), 1000), 'JSON.parse', measure(() => JSON.parse(rowJson) as unknown, 1000));
results['row.bytes'] = { value: rowBytes.length, unit: 'bytes' };
results['row.json.bytes'] = { value: Buffer.byteLength(rowJson), unit: 'bytes' };

// --- Expressions -----------------------------------------------------------------------
const ctx: EvalContext = {
  params: [100, 200],
  now: SqlDateTime.ZERO,
  session: { currentDatabase: () => null, connectionId: () => 0, lastInsertId: () => 0, version: () => '', user: () => '', systemVariable: () => null, userVariable: () => null },
};
const whereSql = "id BETWEEN ? AND ? AND k > 5 AND c LIKE '68%'";
const where = parseExpression(whereSql);
const compiled = compileCondition(where, tableColumnResolver(table, undefined, 'where clause'));
/** The peer: a plain AST walker that resolves columns by name on every row. */
function interpret(e: Expr, r: readonly SqlValue[]): SqlValue {
  switch (e.kind) {
    case 'literal':
      return e.value;
    case 'param':
      return ctx.params[e.index] ?? null;
    case 'column':
      return r[table.columnPosition(e.name)] ?? null;
    case 'binary': {
      if (e.op === 'AND') {
        const a = truth(interpret(e.left, r));
        if (a === false) return 0;
        const b = truth(interpret(e.right, r));
        return b === false ? 0 : a === null || b === null ? null : 1;
      }
      const cmp = compareSqlValues(interpret(e.left, r), interpret(e.right, r));
      if (cmp === null) return null;
      return e.op === '>' ? (cmp > 0 ? 1 : 0) : e.op === '=' ? (cmp === 0 ? 1 : 0) : cmp < 0 ? 1 : 0;
    }
    case 'between': {
      const v = interpret(e.operand, r);
      const lo = compareSqlValues(v, interpret(e.low, r));
      const hi = compareSqlValues(v, interpret(e.high, r));
      return lo === null || hi === null ? null : lo >= 0 && hi <= 0 ? 1 : 0;
    }
    case 'like': {
      const v = interpret(e.operand, r);
      const p = interpret(e.pattern, r);
      if (v === null || p === null) return null;
      const re = new RegExp(`^${String(p).replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replaceAll('%', '.*').replaceAll('_', '.')}$`, 's');
      return re.test(String(v)) ? 1 : 0;
    }
    default:
      throw new Error(`interpreter: ${e.kind}`);
  }
}
const evalRows: SqlValue[][] = Array.from({ length: 1024 }, (_, i) => [i, i % 17, i % 3 === 0 ? c : pad, pad]);
let i = 0;
const compiledRate = measure(() => compiled(evalRows[i++ & 1023]!, ctx), 1000);
const interpretedRate = measure(() => truth(interpret(where, evalRows[i++ & 1023]!)) === true, 1000);
record('expr.where.per_row', compiledRate, 'AST interpreter', interpretedRate);

// --- Planning --------------------------------------------------------------------------
const columnOf = (e: Expr) => (e.kind === 'column' ? table.findColumn(e.name) : undefined);
const pointPlan = planAccess(table, parseExpression('id = ?'), columnOf);
record('plan.point.resolve', measure(() => pointPlan.resolve([n++ & 0xffff]), 1000), 'planAccess + resolve', measure(() => planAccess(table, parseExpression('id = ?'), columnOf).resolve([1]), 20));
const rangePlan = planAccess(table, parseExpression('id BETWEEN ? AND ?'), columnOf);
record('plan.range.resolve', measure(() => rangePlan.resolve([100, 199]), 1000), '', undefined);

console.log(`# @lockstep/sql micro-benchmarks${quick ? ' (--quick)' : ''}`);
console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, node ${machine.node}, load ${machine.loadavg.join(' ')}`);
console.log('');
console.log('| benchmark | ours | peer | ratio |');
console.log('|---|---:|---|---:|');
for (const [name, ours, peer, ratio] of rows) console.log(`| ${name} | ${ours} | ${peer} | ${ratio} |`);
console.log(`\nrow bytes: ${rowBytes.length} (JSON ${Buffer.byteLength(rowJson)}); sink ${sink}`);
console.log(JSON.stringify({ package: '@lockstep/sql', machine, results }));
