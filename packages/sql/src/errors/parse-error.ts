import { LockstepError } from '@lockstep/base';

/** The statement is not valid SQL: MySQL ER_PARSE_ERROR, with MySQL's wording. */
export class ParseError extends LockstepError {
  /** 1-based line of the error in the statement text. */
  readonly line: number;
  /** The statement text from the error on (at most 80 characters), as MySQL quotes it. */
  readonly near: string;

  constructor(near: string, line: number, cause?: unknown) {
    super(
      'SQL_PARSE_ERROR',
      `You have an error in your SQL syntax; check the manual that corresponds to your Lockstep server version for the right syntax to use near '${near}' at line ${line}`,
      { errno: 1064, sqlState: '42000', cause },
    );
    this.line = line;
    this.near = near;
  }
}
