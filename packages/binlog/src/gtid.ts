import { GtidParseError } from './errors/gtid-parse-error.js';

/**
 * A MariaDB global transaction id `domain-server-seq`. The same shape as `@lockstep/tc`'s
 * `Gtid`, so values pass between the packages unchanged.
 */
export interface Gtid {
  readonly domainId: number;
  readonly serverId: number;
  readonly seqNo: bigint;
}

const U32_MAX = 0xffffffff;
const U64_MAX = (1n << 64n) - 1n;
const GTID_TEXT = /^\s*(\d{1,10})-(\d{1,10})-(\d{1,20})\s*$/;

/** `0-1-100`. */
export function formatGtid(gtid: Gtid): string {
  return `${gtid.domainId}-${gtid.serverId}-${gtid.seqNo}`;
}

/** Parses `domain-server-seq` (u32, u32, u64); throws GtidParseError naming what is wrong. */
export function parseGtid(text: string): Gtid {
  const match = GTID_TEXT.exec(text);
  if (match === null) throw new GtidParseError(text, 'expected domain-server-seq, three unsigned integers');
  const domainId = Number(match[1]);
  const serverId = Number(match[2]);
  const seqNo = BigInt(match[3]!);
  if (domainId > U32_MAX) throw new GtidParseError(text, 'domain id is more than 32 bits');
  if (serverId > U32_MAX) throw new GtidParseError(text, 'server id is more than 32 bits');
  if (seqNo > U64_MAX) throw new GtidParseError(text, 'sequence number is more than 64 bits');
  return { domainId, serverId, seqNo };
}

/** Parses a GTID list `0-1-100,1-2-7` (empty text is the empty list). At most one GTID per domain. */
export function parseGtidList(text: string): Gtid[] {
  if (text.trim() === '') return [];
  const gtids = text.split(',').map((part) => parseGtid(part));
  const seen = new Set<number>();
  for (const gtid of gtids) {
    if (seen.has(gtid.domainId)) throw new GtidParseError(text, `domain ${gtid.domainId} appears twice`);
    seen.add(gtid.domainId);
  }
  return gtids;
}

/** `0-1-100,1-2-7`, sorted by domain. */
export function formatGtidList(gtids: Iterable<Gtid>): string {
  return [...gtids]
    .sort((a, b) => a.domainId - b.domainId)
    .map(formatGtid)
    .join(',');
}

/**
 * Orders GTIDs by domain, then sequence number, then server id. Only the order within a
 * domain means anything (binlog order); across domains it is just a stable sort.
 */
export function compareGtids(a: Gtid, b: Gtid): number {
  if (a.domainId !== b.domainId) return a.domainId - b.domainId;
  if (a.seqNo !== b.seqNo) return a.seqNo < b.seqNo ? -1 : 1;
  return a.serverId - b.serverId;
}

export function gtidsEqual(a: Gtid, b: Gtid): boolean {
  return a.domainId === b.domainId && a.serverId === b.serverId && a.seqNo === b.seqNo;
}

/**
 * A GTID position: per domain, the last GTID applied or logged (MariaDB's gtid_slave_pos /
 * gtid_binlog_pos). Immutable operations return a new position.
 */
export class GtidPosition {
  readonly #byDomain: ReadonlyMap<number, Gtid>;

  constructor(gtids: Iterable<Gtid> = []) {
    const byDomain = new Map<number, Gtid>();
    for (const gtid of gtids) {
      const last = byDomain.get(gtid.domainId);
      if (last === undefined || gtid.seqNo >= last.seqNo) byDomain.set(gtid.domainId, gtid);
    }
    this.#byDomain = byDomain;
  }

  static parse(text: string): GtidPosition {
    return new GtidPosition(parseGtidList(text));
  }

  get(domainId: number): Gtid | undefined {
    return this.#byDomain.get(domainId);
  }

  /** The domains, sorted. */
  domains(): number[] {
    return [...this.#byDomain.keys()].sort((a, b) => a - b);
  }

  /** Every domain's GTID, sorted by domain. */
  list(): Gtid[] {
    return this.domains().map((d) => this.#byDomain.get(d)!);
  }

  get size(): number {
    return this.#byDomain.size;
  }

  /** True when `gtid` is at or before this position in its domain (already applied). */
  contains(gtid: Gtid): boolean {
    const last = this.#byDomain.get(gtid.domainId);
    return last !== undefined && gtid.seqNo <= last.seqNo;
  }

  /** This position moved forward by `gtid` (a later sequence number replaces the domain's). */
  with(gtid: Gtid): GtidPosition {
    return new GtidPosition([...this.#byDomain.values(), gtid]);
  }

  /**
   * True when every domain of `other` is in this position at the same or a later sequence
   * number: everything `other` has seen, this has seen.
   */
  covers(other: GtidPosition): boolean {
    for (const gtid of other.list()) if (!this.contains(gtid)) return false;
    return true;
  }

  equals(other: GtidPosition): boolean {
    if (other.size !== this.size) return false;
    for (const gtid of this.list()) {
      const o = other.get(gtid.domainId);
      if (o === undefined || !gtidsEqual(o, gtid)) return false;
    }
    return true;
  }

  toString(): string {
    return formatGtidList(this.list());
  }
}
