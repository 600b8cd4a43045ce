import { DEFAULT_BASE_NAME, GtidFlag, parseBinlogFileName, readBinlog, type BinlogEvent, type BinlogLocation } from '@lockstep/binlog';
import type { GtidFlags, RecoveredTransaction } from './binlog-coordinator.js';
import type { Gtid } from './gtid.js';

interface Open {
  readonly gtid: Gtid;
  readonly commitId: bigint | undefined;
  readonly flags: GtidFlags;
  readonly standalone: boolean;
  readonly events: BinlogEvent[];
}

const COMMIT = /^\s*COMMIT\b/i;
const ROLLBACK = /^\s*ROLLBACK\s*$/i;

/**
 * The complete transactions of the binlog from `fromFile` (default: the oldest file) to
 * its end, in binlog order, as the coordinator logged them: GTID (flags, commit id), the
 * events between (table maps and rows events, or the DDL query) and the XID. A
 * transaction is complete only with its XID event, its COMMIT query, or (a standalone DDL
 * group) its one query; a group cut off by the end of a file is not returned, a group
 * ended by ROLLBACK is skipped. `end` is the position just past the transaction's last
 * event, the one the coordinator gave the engines. Damage in the files is the binlog's
 * typed error (BinlogCorruptError / BinlogTruncatedError with file and offset).
 */
export async function* readBinlogTransactions(location: BinlogLocation & { readonly fromFile?: string | undefined }): AsyncGenerator<RecoveredTransaction<BinlogEvent[]>> {
  const base = location.baseName ?? DEFAULT_BASE_NAME;
  let open: Open | undefined;
  let file = '';
  const start = location.fromFile === undefined ? {} : { start: { file: location.fromFile } };
  for await (const positioned of readBinlog({ fs: location.fs, dir: location.dir, baseName: base, ...start })) {
    if (positioned.file !== file) {
      open = undefined; // a group never spans files: whatever was open is incomplete
      file = positioned.file;
    }
    const event = positioned.event;
    if (event.kind === 'gtid') {
      const f = event.gtidFlags;
      open = {
        gtid: { domainId: event.domainId, serverId: event.serverId, seqNo: event.seqNo },
        commitId: event.commitId,
        flags: {
          ddl: (f & GtidFlag.DDL) !== 0,
          transactional: (f & GtidFlag.TRANSACTIONAL) !== 0,
          waited: (f & GtidFlag.WAITED) !== 0,
          allowParallel: (f & GtidFlag.ALLOW_PARALLEL) !== 0,
        },
        standalone: (f & GtidFlag.STANDALONE) !== 0,
        events: [],
      };
      continue;
    }
    if (open === undefined) continue; // file header events, checkpoints, rotate
    let xid: bigint | undefined;
    if (event.kind === 'xid') {
      xid = event.xid;
    } else if (event.kind === 'query' && ROLLBACK.test(event.sql)) {
      open = undefined;
      continue;
    } else if (event.kind === 'query' && COMMIT.test(event.sql)) {
      xid = event.status.xid ?? 0n;
    } else {
      if (!(event.kind === 'query' && event.sql.trim().toUpperCase() === 'BEGIN')) open.events.push(event);
      if (!open.standalone || event.kind === 'annotateRows') continue;
      xid = 0n;
    }
    const logNumber = parseBinlogFileName(base, positioned.file) ?? 0;
    yield { gtid: open.gtid, commitId: open.commitId, flags: open.flags, xid, events: open.events, end: { logNumber, offset: positioned.position + positioned.size } };
    open = undefined;
  }
}
