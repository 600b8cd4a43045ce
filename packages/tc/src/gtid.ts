/** A MariaDB global transaction id: domain-server-sequence. */
export interface Gtid {
  readonly domainId: number;
  readonly serverId: number;
  readonly seqNo: bigint;
}

/** `0-1-100` */
export function formatGtid(gtid: Gtid): string {
  return `${gtid.domainId}-${gtid.serverId}-${gtid.seqNo}`;
}

/**
 * The binlog's GTID state: per domain, the last GTID logged. Sequence numbers grow per
 * domain; a GTID given from elsewhere (a replica logging what it applied) moves the
 * domain's counter forward so locally assigned ones never collide with it.
 */
export class GtidState {
  readonly #last = new Map<number, Gtid>();

  constructor(initial: Iterable<Gtid> = []) {
    for (const gtid of initial) this.record(gtid);
  }

  /** The next GTID for a locally originated transaction in `domainId`. */
  next(domainId: number, serverId: number): Gtid {
    const last = this.#last.get(domainId);
    const gtid = { domainId, serverId, seqNo: (last?.seqNo ?? 0n) + 1n };
    this.#last.set(domainId, gtid);
    return gtid;
  }

  /** Records a GTID logged with a given value. */
  record(gtid: Gtid): void {
    const last = this.#last.get(gtid.domainId);
    if (last === undefined || gtid.seqNo >= last.seqNo) this.#last.set(gtid.domainId, gtid);
  }

  get(domainId: number): Gtid | undefined {
    return this.#last.get(domainId);
  }

  /** Every domain's last GTID, by domain id. */
  list(): Gtid[] {
    return [...this.#last.values()].sort((a, b) => a.domainId - b.domainId);
  }

  /** `0-1-100,1-2-7` (MariaDB's gtid_binlog_pos text). */
  toString(): string {
    return this.list().map(formatGtid).join(',');
  }
}
