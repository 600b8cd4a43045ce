import type { Gtid } from '@lockstep/tc';
import { EventStreamError } from './errors/event-stream-error.js';
import type { ReplicatedGtidFlags, ReplicatedTransaction } from './types.js';

/** One event as the relay-log reader yields it. */
export interface PositionedEvent<E> {
  readonly event: E;
  /** Where the event is in the relay log (opaque here; kept for error messages). */
  readonly position: unknown;
}

/**
 * What the caller's `classify` says about one event; the binlog package supplies it, so
 * this module needs no knowledge of the event codec.
 */
export type EventClass =
  | {
      readonly kind: 'gtid';
      readonly gtid: Gtid;
      readonly commitId: bigint | undefined;
      readonly flags: ReplicatedGtidFlags;
      readonly timestampMs: number;
      readonly byteSize: number;
    }
  /** XID event, or a QUERY event `COMMIT`: ends the open group (it is not part of `events`). */
  | { readonly kind: 'commit'; readonly byteSize: number }
  /** `ROLLBACK` query ending a group that must not be applied (non-transactional leftovers aside). */
  | { readonly kind: 'rollback'; readonly byteSize: number }
  /** Anything else: part of the open group. */
  | { readonly kind: 'other'; readonly byteSize: number };

export type ClassifyEvent<E> = (event: E) => EventClass;

export interface AssembleOptions {
  /** Most events in one group before the stream counts as malformed; default 1 000 000. */
  readonly maxEventsPerTransaction?: number;
}

/**
 * Turns a flat event stream into transactions: a GTID event opens a group, an XID or
 * COMMIT closes it; a standalone group (DDL) closes after its one event. Events outside a
 * group, a GTID inside an open group, and a group still open when the stream ends are
 * errors (EventStreamError) — a relay log cut mid-transaction is resumed from the GTID,
 * never applied in part.
 */
export async function* assembleTransactions<E>(
  source: AsyncIterable<PositionedEvent<E>> | Iterable<PositionedEvent<E>>,
  classify: ClassifyEvent<E>,
  options: AssembleOptions = {},
): AsyncGenerator<ReplicatedTransaction<E>, void, undefined> {
  const maxEvents = options.maxEventsPerTransaction ?? 1_000_000;
  let open: { head: Extract<EventClass, { kind: 'gtid' }>; events: E[]; bytes: number; position: unknown } | undefined;
  const finish = (bytes: number): ReplicatedTransaction<E> => {
    const group = open!;
    open = undefined;
    return {
      gtid: group.head.gtid,
      commitId: group.head.commitId,
      flags: group.head.flags,
      events: group.events,
      timestampMs: group.head.timestampMs,
      byteSize: group.bytes + bytes,
    };
  };
  for await (const { event, position } of source) {
    const cls = classify(event);
    if (cls.kind === 'gtid') {
      if (open !== undefined) throw new EventStreamError(`GTID event at ${String(position)} inside the group opened at ${String(open.position)}`);
      open = { head: cls, events: [], bytes: cls.byteSize, position };
      continue;
    }
    if (open === undefined) throw new EventStreamError(`${cls.kind} event at ${String(position)} outside any GTID group`);
    if (cls.kind === 'commit') {
      yield finish(cls.byteSize);
    } else if (cls.kind === 'rollback') {
      open = undefined;
    } else {
      if (open.events.length >= maxEvents) throw new EventStreamError(`group opened at ${String(open.position)} has more than ${maxEvents} events`);
      open.events.push(event);
      open.bytes += cls.byteSize;
      if (open.head.flags.standalone) yield finish(0);
    }
  }
  if (open !== undefined) throw new EventStreamError(`stream ended inside the group opened at ${String(open.position)}`);
}
