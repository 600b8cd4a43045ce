// Prometheus text exposition over plain node:http, bound to loopback.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Statement kinds counted separately (by first keyword); anything else is `other`. */
export const QUERY_KINDS = ['select', 'insert', 'update', 'delete', 'replace', 'begin', 'commit', 'rollback', 'set', 'show', 'other'] as const;
export type QueryKind = (typeof QUERY_KINDS)[number];

const KIND_INDEX = Object.fromEntries(QUERY_KINDS.map((kind, i) => [kind, i])) as Record<QueryKind, number>;

const KIND_BY_WORD: ReadonlyMap<string, QueryKind> = new Map<string, QueryKind>([
  ['select', 'select'],
  ['insert', 'insert'],
  ['update', 'update'],
  ['delete', 'delete'],
  ['replace', 'replace'],
  ['begin', 'begin'],
  ['start', 'begin'],
  ['commit', 'commit'],
  ['rollback', 'rollback'],
  ['set', 'set'],
  ['show', 'show'],
]);

/** The statement's kind from its first word (no allocation beyond the short word). */
export function queryKind(sql: string): QueryKind {
  let i = 0;
  while (i < sql.length && sql.charCodeAt(i) <= 32) i++;
  let j = i;
  while (j < sql.length && j - i < 8) {
    const c = sql.charCodeAt(j) | 0x20;
    if (c < 97 || c > 122) break;
    j++;
  }
  return KIND_BY_WORD.get(sql.slice(i, j).toLowerCase()) ?? 'other';
}

/** Counters the server keeps itself; the rest are read from tc, txn and the wire server when scraped. */
export class ServerCounters {
  connectionsTotal = 0;
  abortedConnections = 0;
  statementErrors = 0;
  /** Per kind (QUERY_KINDS order): statements through COM_QUERY and through COM_STMT_EXECUTE/PREPARE. */
  readonly textQueries = new Array<number>(QUERY_KINDS.length).fill(0);
  readonly preparedQueries = new Array<number>(QUERY_KINDS.length).fill(0);

  countQuery(protocol: 'text' | 'prepared', kind: QueryKind): void {
    const counts = protocol === 'text' ? this.textQueries : this.preparedQueries;
    const i = KIND_INDEX[kind];
    counts[i] = counts[i]! + 1;
  }

  queries(protocol: 'text' | 'prepared', kind: QueryKind): number {
    return (protocol === 'text' ? this.textQueries : this.preparedQueries)[KIND_INDEX[kind]]!;
  }
}

export interface MetricSample {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly values: readonly { readonly labels?: Readonly<Record<string, string>>; readonly value: number }[];
}

function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

/** Prometheus text format 0.0.4. */
export function renderMetrics(samples: readonly MetricSample[]): string {
  const lines: string[] = [];
  for (const sample of samples) {
    lines.push(`# HELP ${sample.name} ${sample.help}`, `# TYPE ${sample.name} ${sample.type}`);
    for (const { labels, value } of sample.values) {
      const text = labels === undefined ? '' : `{${Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
      lines.push(`${sample.name}${text} ${Number.isFinite(value) ? String(value) : 'NaN'}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Serves `GET /metrics` (and `/`) with the samples of the moment; 404 elsewhere. */
export async function startMetricsServer(port: number, host: string, collect: () => readonly MetricSample[]): Promise<{ server: Server; port: number }> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (request.method !== 'GET' || (request.url !== '/metrics' && request.url !== '/')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    let body: string;
    try {
      body = renderMetrics(collect());
    } catch (error) {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${error instanceof Error ? error.message : String(error)}\n`);
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}
