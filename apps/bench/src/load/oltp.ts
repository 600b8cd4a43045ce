// sysbench 1.0.20's OLTP mixes (oltp_common.lua, oltp_point_select.lua, oltp_write_only.lua,
// oltp_read_write.lua) with its default options: the same statements with the same
// placeholders, the same table layout, and the same per-transaction counts (point_selects
// 10, one each of the ranges of 100 rows, one index update, one non-index update, one
// delete + insert of the same id).
import type { SeededRandom } from './prng.js';
import { drawKey, type KeyDistribution } from './distributions.js';

export type OltpWorkload = 'oltp_point_select' | 'oltp_write_only' | 'oltp_read_write';
export const OLTP_WORKLOADS: readonly OltpWorkload[] = ['oltp_point_select', 'oltp_write_only', 'oltp_read_write'];

export const RANGE_SIZE = 100;
export const POINT_SELECTS_PER_READ_WRITE = 10;

/** sysbench's CREATE TABLE for the MySQL driver with auto_inc on (its default). */
export function createTableSql(table: number): string {
  return `CREATE TABLE sbtest${table}(\n  id INTEGER NOT NULL AUTO_INCREMENT,\n  k INTEGER DEFAULT '0' NOT NULL,\n  c CHAR(120) DEFAULT '' NOT NULL,\n  pad CHAR(60) DEFAULT '' NOT NULL,\n  PRIMARY KEY (id)\n) /*! ENGINE = innodb */ `;
}

export function createIndexSql(table: number): string {
  return `CREATE INDEX k_${table} ON sbtest${table}(k)`;
}

export type StatementName = 'point_selects' | 'simple_ranges' | 'sum_ranges' | 'order_ranges' | 'distinct_ranges' | 'index_updates' | 'non_index_updates' | 'deletes' | 'inserts';

/** The statement texts, with `%u` replaced by the table number as sysbench does. */
export function statementSql(name: StatementName, table: number): string {
  const t = `sbtest${table}`;
  switch (name) {
    case 'point_selects':
      return `SELECT c FROM ${t} WHERE id=?`;
    case 'simple_ranges':
      return `SELECT c FROM ${t} WHERE id BETWEEN ? AND ?`;
    case 'sum_ranges':
      return `SELECT SUM(k) FROM ${t} WHERE id BETWEEN ? AND ?`;
    case 'order_ranges':
      return `SELECT c FROM ${t} WHERE id BETWEEN ? AND ? ORDER BY c`;
    case 'distinct_ranges':
      return `SELECT DISTINCT c FROM ${t} WHERE id BETWEEN ? AND ? ORDER BY c`;
    case 'index_updates':
      return `UPDATE ${t} SET k=k+1 WHERE id=?`;
    case 'non_index_updates':
      return `UPDATE ${t} SET c=? WHERE id=?`;
    case 'deletes':
      return `DELETE FROM ${t} WHERE id=?`;
    case 'inserts':
      return `INSERT INTO ${t} (id, k, c, pad) VALUES (?, ?, ?, ?)`;
  }
}

/** The statements each workload prepares on every connection. */
export function workloadStatements(workload: OltpWorkload): StatementName[] {
  switch (workload) {
    case 'oltp_point_select':
      return ['point_selects'];
    case 'oltp_write_only':
      return ['index_updates', 'non_index_updates', 'deletes', 'inserts'];
    case 'oltp_read_write':
      return ['point_selects', 'simple_ranges', 'sum_ranges', 'order_ranges', 'distinct_ranges', 'index_updates', 'non_index_updates', 'deletes', 'inserts'];
  }
}

/** Whether a transaction is wrapped in BEGIN/COMMIT (sysbench: all but point_select, unless --skip-trx). */
export function usesTransactions(workload: OltpWorkload): boolean {
  return workload !== 'oltp_point_select';
}

/** sysbench's c and pad value templates: '#' becomes a random digit. */
const C_TEMPLATE = '###########-###########-###########-###########-###########-###########-###########-###########-###########-###########';
const PAD_TEMPLATE = '###########-###########-###########-###########-###########';

function fillTemplate(random: SeededRandom, template: string): string {
  let out = '';
  for (let i = 0; i < template.length; i++) out += template[i] === '#' ? String.fromCharCode(48 + (random.nextUint32() % 10)) : template[i]!;
  return out;
}

export const cValue = (random: SeededRandom): string => fillTemplate(random, C_TEMPLATE);
export const padValue = (random: SeededRandom): string => fillTemplate(random, PAD_TEMPLATE);

export interface Step {
  readonly statement: StatementName;
  readonly table: number;
  readonly params: readonly (number | string)[];
}

/**
 * One transaction's statements in sysbench's order, with parameters drawn as sysbench does
 * (a table per statement group, ids from the key distribution, fresh c/pad strings).
 */
export function transactionSteps(workload: OltpWorkload, random: SeededRandom, tables: number, tableSize: number, distribution: KeyDistribution): Step[] {
  const steps: Step[] = [];
  const id = (): number => drawKey(random, tableSize, distribution);
  const table = (): number => random.int(1, tables);
  const points = (count: number): void => {
    const t = table();
    for (let i = 0; i < count; i++) steps.push({ statement: 'point_selects', table: t, params: [id()] });
  };
  const range = (statement: StatementName): void => {
    const t = table();
    const start = id();
    steps.push({ statement, table: t, params: [start, start + RANGE_SIZE - 1] });
  };
  const writes = (): void => {
    steps.push({ statement: 'index_updates', table: table(), params: [id()] });
    const nonIndexTable = table();
    steps.push({ statement: 'non_index_updates', table: nonIndexTable, params: [cValue(random), id()] });
    const t = table();
    const rowId = id();
    const k = id();
    steps.push({ statement: 'deletes', table: t, params: [rowId] });
    steps.push({ statement: 'inserts', table: t, params: [rowId, k, cValue(random), padValue(random)] });
  };
  switch (workload) {
    case 'oltp_point_select':
      points(1);
      break;
    case 'oltp_write_only':
      writes();
      break;
    case 'oltp_read_write':
      points(POINT_SELECTS_PER_READ_WRITE);
      range('simple_ranges');
      range('sum_ranges');
      range('order_ranges');
      range('distinct_ranges');
      writes();
      break;
  }
  return steps;
}
