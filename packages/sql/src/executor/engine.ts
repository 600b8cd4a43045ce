import type { BinlogEvent } from '@lockstep/binlog';
import { NotSupportedError } from '../errors/not-supported-error.js';
import type { RedoCommit, SessionOpenInfo, SqlEngineApi, SqlEngineOptions } from './contract.js';
import { Session } from './session.js';

/** The SQL engine: the catalog persisted in kv, sessions, and recovery redo. */
export class SqlEngine implements SqlEngineApi {
  readonly options: SqlEngineOptions;

  private constructor(options: SqlEngineOptions) {
    this.options = options;
  }

  /** Loads (or creates) the catalog persisted in kv. */
  static open(options: SqlEngineOptions): Promise<SqlEngine> {
    return Promise.resolve(new SqlEngine(options));
  }

  session(info: SessionOpenInfo): Session {
    return new Session(this, info);
  }

  redo(events: readonly BinlogEvent[], commit: RedoCommit): Promise<void> {
    void events;
    void commit;
    return Promise.reject(new NotSupportedError('redo'));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
