/** A GTID position as MariaDB prints it: "0-1-20345,1-2-7" → domain → sequence number. */
export function parseGtidPosition(text: string): Map<number, bigint> {
  const position = new Map<number, bigint>();
  for (const part of text.split(',')) {
    const trimmed = part.trim();
    if (trimmed === '') continue;
    const match = /^(\d+)-(\d+)-(\d+)$/.exec(trimmed);
    if (match === null) throw new Error(`not a GTID: "${trimmed}" in "${text}"`);
    position.set(Number(match[1]), BigInt(match[3]!));
  }
  return position;
}

/** Transactions the replica still lacks: the sum over the primary's domains of primary seq − replica seq. */
export function gtidDistance(primary: Map<number, bigint>, replica: Map<number, bigint>): number {
  let distance = 0n;
  for (const [domain, seq] of primary) {
    const theirs = replica.get(domain) ?? 0n;
    if (seq > theirs) distance += seq - theirs;
  }
  return Number(distance);
}
