import type mysql from 'mysql2/promise';

export type Row = Record<string, unknown>;

/** Runs a query and gives its rows (as objects) in a one-element tuple. */
export async function rowsOf(sql: mysql.Connection, text: string): Promise<[Row[]]> {
  const [rows] = await sql.query(text);
  return [rows as Row[]];
}

/** Every row of `table`, ordered by its first column. */
export async function sortedTable(sql: mysql.Connection, table: string): Promise<Row[]> {
  const [rows] = await sql.query(`SELECT * FROM ${table} ORDER BY 1`);
  return rows as Row[];
}

/**
 * Polls `check` until it holds; after `timeoutMs` throws with `describe()` (a bound on a
 * test that would otherwise hang, not a synchronisation: each check reads real state).
 */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, describe?: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`condition not reached within ${timeoutMs} ms${describe === undefined ? '' : `: ${await describe()}`}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
