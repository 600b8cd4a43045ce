// BINLOG 'base64' statements, as `mariadb-binlog` prints row events: decoded and applied
// through the SQL engine's redo, committed through the server's own binlog.
import { isLockstepError } from '@lockstep/base';
import { BinlogEventDecoder, type BinlogEvent, type EventInput } from '@lockstep/binlog';
import type { Committer, SqlEngineApi } from '@lockstep/sql';
import { BinlogStatementError } from '../errors/binlog-statement-error.js';

/** Largest decoded payload one BINLOG statement may carry (the statement itself is bounded by max_allowed_packet). */
export const MAX_BINLOG_STATEMENT_BYTES = 64 * 1024 * 1024;

const BINLOG_STATEMENT = /^\s*BINLOG\s+'/i;

export function isBinlogStatement(sql: string): boolean {
  return BINLOG_STATEMENT.test(sql);
}

/** The event's body, without the origin's header fields (our binlog gives it our own). */
function body(event: BinlogEvent): EventInput {
  const { timestamp: _t, serverId: _s, logPos: _p, flags: _f, ...rest } = event;
  return rest;
}

/**
 * Per connection: the decoder keeps the FORMAT_DESCRIPTION (checksums) and table maps
 * across statements, as the server's BINLOG statement does. Each statement's row events
 * become one transaction of their own (a limitation: they do not join an open BEGIN).
 */
export class BinlogStatementRunner {
  readonly #decoder = new BinlogEventDecoder({ file: 'BINLOG statement' });

  async run(sql: string, engine: SqlEngineApi, committer: Committer): Promise<void> {
    const start = sql.indexOf("'");
    const end = sql.lastIndexOf("'");
    if (start === -1 || end <= start) throw new BinlogStatementError('expected a quoted base64 string');
    const text = sql.slice(start + 1, end);
    if (!/^[A-Za-z0-9+/=\s]*$/.test(text)) throw new BinlogStatementError('the string is not base64');
    // mariadb-binlog encodes each event on its own (padding included) and puts one per line:
    // decode chunk by chunk, since a decoder stops at the first padding.
    const bytes = Buffer.concat(text.split(/\s+/).filter((chunk) => chunk !== '').map((chunk) => Buffer.from(chunk, 'base64')));
    if (bytes.length > MAX_BINLOG_STATEMENT_BYTES) throw new BinlogStatementError(`more than ${MAX_BINLOG_STATEMENT_BYTES} bytes of events`);
    const decoded: BinlogEvent[] = [];
    const events: EventInput[] = [];
    let rowsEvents = 0;
    try {
      for (let at = 0; at < bytes.length; ) {
        const { event, size } = this.#decoder.decode(bytes, at);
        at += size;
        if (event.kind === 'formatDescription') continue;
        if (event.kind === 'tableMap' || event.kind === 'writeRows' || event.kind === 'updateRows' || event.kind === 'deleteRows') {
          decoded.push(event);
          events.push(body(event));
          if (event.kind !== 'tableMap') rowsEvents += 1;
        } else throw new BinlogStatementError(`a ${event.kind} event cannot be applied by a BINLOG statement`);
      }
    } catch (error) {
      if (error instanceof BinlogStatementError) throw error;
      throw new BinlogStatementError(isLockstepError(error) ? error.message : String(error), error);
    }
    if (rowsEvents === 0) return;
    await engine.redo(decoded, async (transaction) => {
      await committer.commit({ transaction, events, ddl: false, waited: false });
    });
  }
}
