import type { ColumnDef, EventInput, TableMapBody, TransactionInput } from '../src/index.js';

/** sysbench's sbtest table: id INT, k INT, c CHAR(120), pad CHAR(60) (utf8mb4 byte lengths). */
export const SBTEST_COLUMNS: readonly ColumnDef[] = [
  { type: 'int', unsigned: false, nullable: false },
  { type: 'int', unsigned: false, nullable: false },
  { type: 'char', maxBytes: 480, nullable: false },
  { type: 'char', maxBytes: 240, nullable: false },
];

/** One table map object per table id, as a SQL layer keeps one per open table. */
const maps = new Map<string, TableMapBody>();
export function sbtestMap(tableId: number, table = 'sbtest1'): TableMapBody {
  const key = `${tableId}/${table}`;
  let map = maps.get(key);
  if (map === undefined) {
    map = { kind: 'tableMap', tableId, tableFlags: 1, database: 'sbtest', table, columns: SBTEST_COLUMNS };
    maps.set(key, map);
  }
  return map;
}

const enc = new TextEncoder();
export function sbRow(id: number, k: number): [number, number, Uint8Array, Uint8Array] {
  const c = enc.encode(`${String(id).padStart(11, '0')}-${String(k).padStart(11, '0')}-68487932199-96439406143-93774651418-41631865787-96406072701-20604855487-25459966574-28203206787`.slice(0, 119));
  const pad = enc.encode('22195207048-70116052123-74140395089-76317954521-98694025897');
  return [id, k, c, pad];
}

/** One oltp_write_only-like transaction: update k, update c, delete, insert (4 rows events). */
export function sysbenchTransaction(seqNo: bigint, id: number, tableId = 10): EventInput[] {
  const before = sbRow(id, id);
  const afterK = sbRow(id, id + 1);
  return [
    sbtestMap(tableId),
    { kind: 'updateRows', tableId, rowsFlags: 1, columnCount: 4, rows: [{ before, after: afterK }] },
    sbtestMap(tableId),
    { kind: 'updateRows', tableId, rowsFlags: 1, columnCount: 4, rows: [{ before: afterK, after: sbRow(id, id + 1) }] },
    sbtestMap(tableId),
    { kind: 'deleteRows', tableId, rowsFlags: 1, columnCount: 4, rows: [afterK] },
    sbtestMap(tableId),
    { kind: 'writeRows', tableId, rowsFlags: 1, columnCount: 4, rows: [sbRow(id, Number(seqNo % 1000n))] },
  ];
}

export function txInput(seqNo: bigint, events: EventInput[], options: { domainId?: number; serverId?: number; commitId?: bigint; ddl?: boolean } = {}): TransactionInput {
  return {
    gtid: { domainId: options.domainId ?? 0, serverId: options.serverId ?? 1, seqNo },
    commitId: options.commitId,
    flags: options.ddl === true ? { ddl: true } : { transactional: true },
    xid: seqNo + 1000n,
    events,
  };
}
