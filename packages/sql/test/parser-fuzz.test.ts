import { InvariantError, isLockstepError } from '@lockstep/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseStatementUncached } from '../src/index.js';

const RUNS = Number(process.env.LOCKSTEP_PROPERTY_RUNS ?? 400);

const TOKENS = [
  'SELECT', 'FROM', 'WHERE', 'INSERT', 'INTO', 'VALUES', 'UPDATE', 'SET', 'DELETE', 'CREATE', 'TABLE', 'INDEX', 'DROP', 'DATABASE',
  'SHOW', 'TABLES', 'VARIABLES', 'STATUS', 'LIKE', 'BEGIN', 'COMMIT', 'ROLLBACK', 'START', 'TRANSACTION', 'USE', 'KILL', 'QUERY',
  'PURGE', 'BINARY', 'LOGS', 'TO', 'BEFORE', 'CHANGE', 'MASTER', 'SLAVE', 'STOP', 'RESET', 'FLUSH', 'NAMES', 'GLOBAL', 'SESSION',
  'AND', 'OR', 'XOR', 'NOT', 'IN', 'BETWEEN', 'IS', 'NULL', 'LIMIT', 'OFFSET', 'ORDER', 'BY', 'DESC', 'DISTINCT', 'COUNT', 'SUM',
  'FOR', 'LOCK', 'SHARE', 'MODE', 'PRIMARY', 'KEY', 'UNIQUE', 'INT', 'BIGINT', 'VARCHAR(10)', 'CHAR', 'DATETIME(3)', 'DEFAULT',
  'AUTO_INCREMENT', 'IF', 'EXISTS', 'ON', 'DUPLICATE', 'REPLACE', 'DIV', 'MOD',
  't', 'a', 'b', '`x y`', 'db.t', '@@version_comment', '@@session.autocommit', '@v', '?', '1', '-1', '1.5', '1e3',
  '18446744073709551615', "'s'", "'it''s'", "'a\\'b'", '"dq"', "x'41'", '(', ')', ',', '=', '<', '>=', '<>', '+', '-', '*', '/', ';',
  '.', '/* c */', '/*!40101 SET NAMES utf8 */', '-- c\n', '#c\n', "'unterminated", '`open',
];

function assertTyped(sql: string): void {
  try {
    parseStatementUncached(sql);
  } catch (error) {
    if (!isLockstepError(error) || error instanceof InvariantError) {
      throw new Error(`untyped or internal error for ${JSON.stringify(sql)}: ${String(error)}`, { cause: error });
    }
    expect([1064, 1065, 1235]).toContain(error.errno);
  }
}

describe('parser robustness', () => {
  it('token soup: every input parses or gives ParseError / EmptyQueryError / NotSupportedError (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { minLength: 0, maxLength: 14 }), (tokens) => {
        assertTyped(tokens.join(' '));
      }),
      { numRuns: RUNS },
    );
  });

  it('arbitrary strings give a typed error or a statement (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60, unit: 'binary' }), (text) => {
        assertTyped(text);
      }),
      { numRuns: RUNS },
    );
  });

  it('mutations of valid statements give a typed error or a statement (property)', () => {
    const valid = [
      'SELECT c FROM sbtest1 WHERE id BETWEEN ? AND ? ORDER BY c',
      'INSERT INTO sbtest1 (id, k, c, pad) VALUES (?, ?, ?, ?)',
      "CREATE TABLE t (a INT NOT NULL AUTO_INCREMENT, b VARCHAR(10) DEFAULT 'x', PRIMARY KEY (a), KEY (b))",
      "SET NAMES utf8mb4, @a = 'x'",
      "SHOW VARIABLES LIKE 'x%'",
    ];
    fc.assert(
      fc.property(fc.constantFrom(...valid), fc.nat(), fc.nat({ max: 10 }), fc.string({ maxLength: 3 }), (sql, at, cut, insert) => {
        const i = at % (sql.length + 1);
        assertTyped(sql.slice(0, i) + insert + sql.slice(i + cut));
      }),
      { numRuns: RUNS },
    );
  });
});
