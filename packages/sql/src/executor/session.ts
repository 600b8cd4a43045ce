import { NotSupportedError } from '../errors/not-supported-error.js';
import type { SqlValue } from '../types/sql-value.js';
import type { PreparedStatementInfo, SessionInfo, SessionOpenInfo, SqlSession, StatementResult } from './contract.js';
import type { SqlEngine } from './engine.js';

/** One connection's state: current database, autocommit, variables, the open transaction. */
export class Session implements SqlSession {
  readonly info: SessionInfo;
  readonly engine: SqlEngine;
  inTransaction = false;
  autocommit = true;

  constructor(engine: SqlEngine, info: SessionOpenInfo) {
    this.engine = engine;
    this.info = { connectionId: info.connectionId, user: info.user, host: info.host, database: info.database };
  }

  get database(): string | undefined {
    return this.info.database;
  }

  execute(sql: string): Promise<StatementResult> {
    return Promise.reject(new NotSupportedError(sql));
  }

  prepare(sql: string): PreparedStatementInfo {
    throw new NotSupportedError(sql);
  }

  executePrepared(statementId: number, params: readonly SqlValue[]): Promise<StatementResult> {
    void params;
    return Promise.reject(new NotSupportedError(`prepared statement ${String(statementId)}`));
  }

  closePrepared(statementId: number): void {
    void statementId;
  }

  kill(queryOnly: boolean): void {
    void queryOnly;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
