import { describe, expect, it } from 'vitest';
import {
  EmptyQueryError,
  NotSupportedError,
  exprToSql,
  ParseError,
  parseExpression,
  parseStatementUncached,
  type Expr,
  SqlParser,
  type Statement,
} from '../src/index.js';

const parse = (sql: string) => parseStatementUncached(sql);
const stmt = (sql: string): Statement => parse(sql).statement;

/** Every statement sysbench's bundled OLTP scripts send (oltp_common.lua), prepared and literal forms. */
const SYSBENCH = [
  "CREATE TABLE sbtest1(\n  id INTEGER NOT NULL AUTO_INCREMENT,\n  k INTEGER DEFAULT '0' NOT NULL,\n  c CHAR(120) DEFAULT '' NOT NULL,\n  pad CHAR(60) DEFAULT '' NOT NULL,\n  PRIMARY KEY (id)\n) /*! ENGINE = innodb */ ",
  "INSERT INTO sbtest1(k, c, pad) VALUES(5014, '68487932199-96439406143-93774651418', '22195207048-70116052123'),(4994, '13241531885-45658403807', '28733802923-10548894641')",
  "INSERT INTO sbtest1(id, k, c, pad) VALUES(1, 5014, 'a', 'b')",
  'CREATE INDEX k_1 ON sbtest1(k)',
  'SELECT c FROM sbtest1 WHERE id=?',
  'SELECT c FROM sbtest1 WHERE id BETWEEN ? AND ?',
  'SELECT SUM(k) FROM sbtest1 WHERE id BETWEEN ? AND ?',
  'SELECT c FROM sbtest1 WHERE id BETWEEN ? AND ? ORDER BY c',
  'SELECT DISTINCT c FROM sbtest1 WHERE id BETWEEN ? AND ? ORDER BY c',
  'UPDATE sbtest1 SET k=k+1 WHERE id=?',
  'UPDATE sbtest1 SET c=? WHERE id=?',
  'DELETE FROM sbtest1 WHERE id=?',
  'INSERT INTO sbtest1 (id, k, c, pad) VALUES (?, ?, ?, ?)',
  'SELECT c FROM sbtest1 WHERE id=5000',
  "UPDATE sbtest1 SET c='12345-678' WHERE id=17",
  "INSERT INTO sbtest1 (id, k, c, pad) VALUES (17, 4990, '1-2-3', '4-5')",
  'BEGIN',
  'COMMIT',
  'DROP TABLE IF EXISTS sbtest1',
];

/** What the mariadb CLI, mysql2 and common drivers send around connect. */
const CLIENTS = [
  'select @@version_comment limit 1',
  'SELECT DATABASE()',
  'SET NAMES utf8mb4',
  "SET NAMES 'utf8mb4' COLLATE 'utf8mb4_general_ci'",
  "SHOW VARIABLES LIKE 'max_allowed_packet'",
  'SELECT @@max_allowed_packet',
  'SELECT @@session.transaction_isolation, @@global.read_only',
  'SET autocommit=1',
  'SET @@session.autocommit = OFF',
  'SELECT version()',
  'SELECT CONNECTION_ID()',
  'SELECT LAST_INSERT_ID()',
  'show databases',
  'show tables',
  'SELECT 1',
  '/*!40101 SET NAMES utf8mb4 */',
  "/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */",
  'SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ',
  'USE sbtest',
  'USE `my db`',
];

describe('SQL front end: what sysbench and clients send', () => {
  it('parses every sysbench statement', () => {
    for (const sql of SYSBENCH) expect(() => parse(sql), sql).not.toThrow();
    expect(stmt(SYSBENCH[0]!)).toMatchObject({ kind: 'createTable', table: { name: 'sbtest1' }, primaryKey: ['id'], engine: 'INNODB' });
    expect(stmt(SYSBENCH[1]!)).toMatchObject({ kind: 'insert', columns: ['k', 'c', 'pad'] });
    expect((stmt(SYSBENCH[1]!) as Extract<Statement, { kind: 'insert' }>).rows).toHaveLength(2);
    expect(stmt('CREATE INDEX k_1 ON sbtest1(k)')).toEqual({ kind: 'createIndex', table: { database: undefined, name: 'sbtest1' }, index: { name: 'k_1', columns: ['k'], unique: false } });
    expect(parse('SELECT c FROM sbtest1 WHERE id BETWEEN ? AND ?')).toMatchObject({
      paramCount: 2,
      statement: { kind: 'select', where: { kind: 'between', operand: { kind: 'column', name: 'id' }, low: { kind: 'param', index: 0 }, high: { kind: 'param', index: 1 } } },
    });
    expect(stmt('SELECT DISTINCT c FROM sbtest1 WHERE id BETWEEN ? AND ? ORDER BY c')).toMatchObject({ distinct: true, orderBy: [{ expr: { kind: 'column', name: 'c' }, descending: false }] });
    expect(stmt('SELECT SUM(k) FROM sbtest1 WHERE id BETWEEN ? AND ?')).toMatchObject({ items: [{ expr: { kind: 'aggregate', fn: 'SUM', arg: { kind: 'column', name: 'k' } }, label: 'SUM(k)' }] });
    expect(parse('UPDATE sbtest1 SET k=k+1 WHERE id=?')).toMatchObject({
      paramCount: 1,
      statement: { kind: 'update', assignments: [{ column: 'k', value: { kind: 'binary', op: '+' } }], where: { kind: 'binary', op: '=', right: { kind: 'param', index: 0 } } },
    });
    expect(parse('UPDATE sbtest1 SET c=? WHERE id=?').statement).toMatchObject({ assignments: [{ value: { kind: 'param', index: 0 } }], where: { right: { kind: 'param', index: 1 } } });
    expect(stmt('DELETE FROM sbtest1 WHERE id=?')).toMatchObject({ kind: 'delete', table: { name: 'sbtest1' } });
    expect(parse('INSERT INTO sbtest1 (id, k, c, pad) VALUES (?, ?, ?, ?)').paramCount).toBe(4);
    expect(stmt('BEGIN')).toEqual({ kind: 'begin', readOnly: false, consistentSnapshot: false });
    expect(stmt('DROP TABLE IF EXISTS sbtest1')).toEqual({ kind: 'dropTable', tables: [{ database: undefined, name: 'sbtest1' }], ifExists: true });
  });

  it('parses what clients send on connect, mostly through the recognizer', () => {
    for (const sql of CLIENTS) expect(() => parse(sql), sql).not.toThrow();
    expect(stmt('select @@version_comment limit 1')).toMatchObject({ kind: 'select', items: [{ expr: { kind: 'sysvar', name: 'version_comment', scope: undefined }, label: '@@version_comment' }], limit: { count: { kind: 'literal', value: 1 } } });
    expect(stmt("SET NAMES 'utf8mb4' COLLATE 'utf8mb4_general_ci'")).toEqual({ kind: 'setNames', charset: 'utf8mb4', collation: 'utf8mb4_general_ci' });
    expect(stmt('SET @@session.autocommit = OFF')).toEqual({ kind: 'set', assignments: [{ target: 'system', scope: 'session', name: 'autocommit', value: { kind: 'literal', value: 'OFF' } }] });
    expect(stmt("/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */")).toEqual({
      kind: 'set',
      assignments: [
        { target: 'user', name: 'OLD_SQL_MODE', value: { kind: 'sysvar', scope: undefined, name: 'sql_mode' } },
        { target: 'system', scope: 'session', name: 'sql_mode', value: { kind: 'literal', value: 'NO_AUTO_VALUE_ON_ZERO' } },
      ],
    });
    expect(stmt('SELECT @@session.transaction_isolation, @@global.read_only')).toMatchObject({ items: [{ expr: { scope: 'session', name: 'transaction_isolation' } }, { expr: { scope: 'global', name: 'read_only' } }] });
    expect(stmt('USE `my db`')).toEqual({ kind: 'use', database: 'my db' });
    expect(stmt('SELECT version()')).toMatchObject({ items: [{ expr: { kind: 'call', name: 'VERSION', args: [] }, label: 'version()' }] });
  });

  it('recognizes transaction, SET, SHOW, replication and admin statements', () => {
    expect(stmt('START TRANSACTION')).toEqual({ kind: 'begin', readOnly: false, consistentSnapshot: false });
    expect(stmt('START TRANSACTION READ ONLY')).toEqual({ kind: 'begin', readOnly: true, consistentSnapshot: false });
    expect(stmt('start transaction with consistent snapshot, read write')).toEqual({ kind: 'begin', readOnly: false, consistentSnapshot: true });
    expect(stmt('ROLLBACK WORK')).toEqual({ kind: 'rollback' });
    expect(stmt('SET GLOBAL max_connections = 500')).toEqual({ kind: 'set', assignments: [{ target: 'system', scope: 'global', name: 'max_connections', value: { kind: 'literal', value: 500 } }] });
    expect(stmt('SET @x := ?')).toEqual({ kind: 'set', assignments: [{ target: 'user', name: 'x', value: { kind: 'param', index: 0 } }] });
    expect(stmt('SET @x = 1 + ?, @y = ?')).toMatchObject({ assignments: [{ value: { kind: 'binary', right: { kind: 'param', index: 0 } } }, { value: { kind: 'param', index: 1 } }] });
    expect(stmt('SET sql_log_bin = DEFAULT, @n = -5')).toMatchObject({ assignments: [{ value: { kind: 'default' } }, { value: { kind: 'literal', value: -5 } }] });
    expect(stmt('SET CHARACTER SET utf8mb4')).toEqual({ kind: 'setNames', charset: 'utf8mb4', collation: undefined });
    const show = (sql: string) => stmt(sql) as Extract<Statement, { kind: 'show' }>;
    expect(show('SHOW DATABASES').what).toBe('databases');
    expect(show("SHOW FULL TABLES FROM sbtest LIKE 'sb%'")).toMatchObject({ what: 'tables', full: true, from: 'sbtest', like: 'sb%' });
    expect(show("SHOW GLOBAL VARIABLES LIKE 'gtid%'")).toMatchObject({ what: 'variables', scope: 'global', like: 'gtid%' });
    expect(show("SHOW STATUS LIKE 'Threads_connected'")).toMatchObject({ what: 'status', like: 'Threads_connected' });
    expect(show('SHOW PROCESSLIST').what).toBe('processlist');
    expect(show('SHOW MASTER STATUS').what).toBe('masterStatus');
    expect(show('SHOW BINLOG STATUS').what).toBe('masterStatus');
    expect(show('SHOW BINARY LOGS').what).toBe('binaryLogs');
    expect(show('SHOW MASTER LOGS').what).toBe('binaryLogs');
    expect(show('SHOW SLAVE STATUS').what).toBe('slaveStatus');
    expect(show('SHOW REPLICA STATUS').what).toBe('slaveStatus');
    expect(show('SHOW WARNINGS LIMIT 10').what).toBe('warnings');
    expect(show('SHOW ENGINES').what).toBe('engines');
    expect(show("SHOW COLLATION LIKE 'utf8mb4%'").what).toBe('collation');
    expect(show('SHOW CHARACTER SET').what).toBe('characterSet');
    expect(show('SHOW COLUMNS FROM sbtest1 FROM sbtest')).toMatchObject({ what: 'columns', from: 'sbtest.sbtest1' });
    expect(show('DESCRIBE sbtest.sbtest1')).toMatchObject({ what: 'columns', from: 'sbtest.sbtest1' });
    expect(stmt('SHOW CREATE TABLE sbtest.sbtest1')).toEqual({ kind: 'showCreateTable', table: { database: 'sbtest', name: 'sbtest1' } });
    expect(stmt("PURGE BINARY LOGS TO 'lockstep-bin.000003'")).toEqual({ kind: 'purgeBinaryLogs', to: 'lockstep-bin.000003', before: undefined });
    expect(stmt("PURGE MASTER LOGS BEFORE '2026-01-01 00:00:00'")).toEqual({ kind: 'purgeBinaryLogs', to: undefined, before: '2026-01-01 00:00:00' });
    const change = stmt("CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=3307, MASTER_USER='repl', MASTER_USE_GTID=slave_pos") as Extract<Statement, { kind: 'changeMaster' }>;
    expect(Object.fromEntries(change.options)).toEqual({ MASTER_HOST: '127.0.0.1', MASTER_PORT: 3307, MASTER_USER: 'repl', MASTER_USE_GTID: 'slave_pos' });
    expect(stmt('START SLAVE')).toEqual({ kind: 'startReplica', thread: undefined });
    expect(stmt('STOP REPLICA SQL_THREAD')).toEqual({ kind: 'stopReplica', thread: 'sql' });
    expect(stmt('START SLAVE IO_THREAD')).toEqual({ kind: 'startReplica', thread: 'io' });
    expect(stmt('RESET SLAVE ALL')).toEqual({ kind: 'resetReplica', all: true });
    expect(stmt('KILL 42')).toEqual({ kind: 'kill', query: false, connectionId: 42 });
    expect(stmt('KILL QUERY 42')).toEqual({ kind: 'kill', query: true, connectionId: 42 });
    expect(stmt('FLUSH BINARY LOGS')).toEqual({ kind: 'flush', what: 'BINARY LOGS' });
    expect(stmt('FLUSH NO_WRITE_TO_BINLOG TABLES')).toEqual({ kind: 'flush', what: 'TABLES' });
  });

  it('keeps executable comments, drops others, keeps line numbers and ignores comment-like text in strings', () => {
    expect(stmt('/* ping */ SELECT 1 -- trailing\n')).toMatchObject({ kind: 'select', items: [{ expr: { kind: 'literal', value: 1 } }] });
    expect(stmt("# comment\nSELECT '/* not a comment */', '?', 'a''b', \"c\\\"d\"")).toMatchObject({
      items: [{ expr: { value: '/* not a comment */' } }, { expr: { value: '?' } }, { expr: { value: "a'b" } }, { expr: { value: 'c"d' } }],
    });
    expect(parse("SELECT '?' FROM t WHERE a = ? /* ? */").paramCount).toBe(1);
    expect(stmt('SELECT 1;')).toMatchObject({ kind: 'select' });
    try {
      parse('/* line 1\nline 2 */ SELECT a FROM\nWHERE');
      throw new Error('parsed');
    } catch (error) {
      expect(error).toBeInstanceOf(ParseError);
      expect((error as ParseError).line).toBe(3);
      expect((error as ParseError).errno).toBe(1064);
    }
  });

  it('translates expressions: literals, escapes, operators, IN, LIKE ESCAPE, IS NULL, functions, VALUES()', () => {
    const where = (cond: string) => (stmt(`SELECT a FROM t WHERE ${cond}`) as Extract<Statement, { kind: 'select' }>).where;
    expect(where("a = 'x\\ny\\0z'")).toMatchObject({ right: { value: 'x\ny\u0000z' } });
    expect(where('a = 18446744073709551615')).toMatchObject({ right: { value: 18446744073709551615n } });
    expect(where('a = -9223372036854775808')).toMatchObject({ right: { value: -9223372036854775808n } });
    expect(where('a = 1.5e3')).toMatchObject({ right: { value: 1500 } });
    expect(where("a = x'4142'")).toMatchObject({ right: { value: new Uint8Array([0x41, 0x42]) } });
    expect(where('a != 1 OR b <> 2')).toMatchObject({ kind: 'binary', op: 'OR', left: { op: '<>' }, right: { op: '<>' } });
    expect(where('a NOT IN (1, 2)')).toMatchObject({ kind: 'in', negated: true, list: [{ value: 1 }, { value: 2 }] });
    expect(where("a LIKE 'x|%' ESCAPE '|'")).toMatchObject({ kind: 'like', escape: { value: '|' }, negated: false });
    expect(where('a IS NOT NULL')).toEqual({ kind: 'isNull', operand: { kind: 'column', table: undefined, name: 'a' }, negated: true });
    expect(where('t.a NOT BETWEEN 1 AND 2')).toMatchObject({ kind: 'between', negated: true, operand: { table: 't', name: 'a' } });
    expect(where('IFNULL(a, 0) = COALESCE(b, c, 1) AND UCASE(d) = CONCAT(e, f)')).toMatchObject({ left: { left: { kind: 'call', name: 'IFNULL' } }, right: { left: { name: 'UPPER' } } });
    expect(stmt('INSERT INTO t (a, b) VALUES (1, DEFAULT) ON DUPLICATE KEY UPDATE b = VALUES(b) + 1')).toMatchObject({
      rows: [[{ kind: 'literal' }, { kind: 'default' }]],
      onDuplicateKeyUpdate: [{ column: 'b', value: { kind: 'binary', left: { kind: 'insertedValue', column: 'b' } } }],
    });
    expect(stmt('REPLACE INTO t (a) VALUES (1)')).toMatchObject({ kind: 'insert', replace: true });
    expect(stmt('INSERT IGNORE INTO t SET a = 1')).toMatchObject({ kind: 'insert', ignore: true, columns: ['a'], rows: [[{ value: 1 }]] });
    expect(stmt('SELECT COUNT(*), COUNT(DISTINCT a), MIN(a) m FROM db.t AS x WHERE x.a > 0 ORDER BY 1 DESC LIMIT 5 FOR UPDATE')).toMatchObject({
      items: [{ expr: { kind: 'aggregate', fn: 'COUNT', arg: undefined } }, { expr: { distinct: true } }, { alias: 'm', label: 'm' }],
      from: { database: 'db', name: 't' },
      tableAlias: 'x',
      lock: 'forUpdate',
      orderBy: [{ descending: true }],
    });
    expect(stmt('SELECT * FROM t WHERE id = 1 LOCK IN SHARE MODE')).toMatchObject({ lock: 'shared', items: [{ star: true }] });
    expect(stmt('SELECT 1 FROM DUAL WHERE 1 = 1')).toMatchObject({ kind: 'select', from: undefined, where: { op: '=' } });
  });

  it("follows MySQL's operator precedence (node-sql-parser's AND/OR/XOR grouping is undone)", () => {
    const show = (e: Expr): string =>
      e.kind === 'binary' ? `(${show(e.left)} ${e.op} ${show(e.right)})` : e.kind === 'unary' ? `(${e.op} ${show(e.operand)})` : exprToSql(e);
    const cases: [string, string][] = [
      ['a OR b AND c OR d', '((a OR (b AND c)) OR d)'],
      ['a=1 OR b=2 AND c=3', '((a = 1) OR ((b = 2) AND (c = 3)))'],
      ['(a OR b) AND c', '((a OR b) AND c)'],
      ['a XOR b AND c', '(a XOR (b AND c))'],
      ['a OR b XOR c AND d', '(a OR (b XOR (c AND d)))'],
      ['a = 1 XOR b = 2', '((a = 1) XOR (b = 2))'],
      ['NOT a = 1 AND b = 2', '((NOT (a = 1)) AND (b = 2))'],
      ['NOT (a OR b) AND c', '((NOT (a OR b)) AND c)'],
      ['NOT b <> 2 XOR c DIV 2 MOD 3 = 0', '((NOT (b <> 2)) XOR (((c DIV 2) % 3) = 0))'],
      ['1 + 2 * 3 = 7', '((1 + (2 * 3)) = 7)'],
      ['a - b - c = 0', '(((a - b) - c) = 0)'],
      ['a < b = c', '((a < b) = c)'],
      ['-(a + b) * c', '((- (a + b)) * c)'],
      ['a || b && c', '(a OR (b AND c))'],
    ];
    for (const [sql, grouped] of cases) expect(show(parseExpression(sql)), sql).toBe(grouped);
    expect(parse('SELECT a FROM t WHERE a = ? OR b = ? AND c = ?').statement).toMatchObject({
      where: { op: 'OR', left: { right: { index: 0 } }, right: { op: 'AND', left: { right: { index: 1 } }, right: { right: { index: 2 } } } },
    });
  });

  it('translates CREATE TABLE with every supported type, keys and options', () => {
    const s = stmt(
      "CREATE TABLE IF NOT EXISTS d.t (a TINYINT UNSIGNED, b SMALLINT, c MEDIUMINT, d INT(11) UNSIGNED NOT NULL, e BIGINT UNSIGNED UNIQUE, f VARCHAR(10) NULL DEFAULT 'x', g TEXT, h BLOB, i MEDIUMTEXT, j LONGBLOB, k TINYTEXT, l DOUBLE DEFAULT -1.5, m FLOAT, n DATETIME(6) DEFAULT CURRENT_TIMESTAMP, o DATETIME DEFAULT '2020-01-01 00:00:00', q BINARY(4), r VARBINARY(8) COMMENT 'bytes', UNIQUE KEY uk (f), KEY ix (b, c), INDEX (c), PRIMARY KEY (d)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    ) as Extract<Statement, { kind: 'createTable' }>;
    expect(s.ifNotExists).toBe(true);
    expect(s.table).toEqual({ database: 'd', name: 't' });
    expect(s.columns.map((c) => c.type)).toEqual([
      { kind: 'int', bytes: 1, unsigned: true },
      { kind: 'int', bytes: 2, unsigned: false },
      { kind: 'int', bytes: 3, unsigned: false },
      { kind: 'int', bytes: 4, unsigned: true, displayWidth: 11 },
      { kind: 'int', bytes: 8, unsigned: true },
      { kind: 'varchar', length: 10 },
      { kind: 'text', size: 'normal' },
      { kind: 'blob', size: 'normal' },
      { kind: 'text', size: 'medium' },
      { kind: 'blob', size: 'long' },
      { kind: 'text', size: 'tiny' },
      { kind: 'double', declaredAs: 'DOUBLE' },
      { kind: 'double', declaredAs: 'FLOAT' },
      { kind: 'datetime', fsp: 6 },
      { kind: 'datetime', fsp: 0 },
      { kind: 'binary', length: 4 },
      { kind: 'varbinary', length: 8 },
    ]);
    expect(s.columns[4]!.unique).toBe(true);
    expect(s.columns[5]).toMatchObject({ nullable: true, default: { kind: 'value', value: 'x' } });
    expect(s.columns[11]!.default).toEqual({ kind: 'value', value: -1.5 });
    expect(s.columns[13]!.default).toEqual({ kind: 'currentTimestamp' });
    expect(s.columns[16]!.comment).toBe('bytes');
    expect(s.primaryKey).toEqual(['d']);
    expect(s.indexes).toEqual([
      { name: 'uk', columns: ['f'], unique: true },
      { name: 'ix', columns: ['b', 'c'], unique: false },
      { name: undefined, columns: ['c'], unique: false },
    ]);
    expect(stmt('CREATE DATABASE IF NOT EXISTS sbtest')).toEqual({ kind: 'createDatabase', name: 'sbtest', ifNotExists: true });
    expect(stmt('DROP DATABASE sbtest')).toEqual({ kind: 'dropDatabase', name: 'sbtest', ifExists: false });
    expect(stmt('CREATE UNIQUE INDEX u ON t (a, b)')).toMatchObject({ index: { name: 'u', columns: ['a', 'b'], unique: true } });
  });
});

describe('errors', () => {
  const errorOf = (sql: string): unknown => {
    try {
      parse(sql);
    } catch (error) {
      return error;
    }
    throw new Error(`parsed: ${sql}`);
  };

  it('syntax errors are ParseError 1064 with MySQL wording', () => {
    const e = errorOf('SELECT * FROM t WHERE id = = 3') as ParseError;
    expect(e).toBeInstanceOf(ParseError);
    expect(e.message).toBe("You have an error in your SQL syntax; check the manual that corresponds to your Lockstep server version for the right syntax to use near '= 3' at line 1");
    expect([e.errno, e.sqlState]).toEqual([1064, '42000']);
    expect(errorOf('SELEKT 1')).toBeInstanceOf(ParseError);
    expect(errorOf("SELECT 'unterminated")).toBeInstanceOf(ParseError);
    expect(errorOf('SET @x = 1 +')).toBeInstanceOf(ParseError);
  });

  it('empty statements are 1065', () => {
    expect(errorOf('')).toBeInstanceOf(EmptyQueryError);
    expect(errorOf(' /* nothing */ ; ')).toBeInstanceOf(EmptyQueryError);
  });

  it('unsupported statements and features are NotSupportedError 1235 naming them', () => {
    const cases: [string, string][] = [
      ['ALTER TABLE t ADD COLUMN x INT', 'ALTER TABLE'],
      ['TRUNCATE TABLE t', 'TRUNCATE TABLE'],
      ['LOCK TABLES t WRITE', 'LOCK TABLES'],
      ['SAVEPOINT s1', 'SAVEPOINT'],
      ['ROLLBACK TO SAVEPOINT s1', 'ROLLBACK TO SAVEPOINT'],
      ['SELECT 1 UNION SELECT 2', 'UNION'],
      ['SELECT a FROM t JOIN u ON t.x = u.y', 'SELECT of several tables (JOIN)'],
      ['SELECT * FROM (SELECT 1) x', 'subqueries'],
      ['SELECT CAST(a AS CHAR) FROM t', 'CAST'],
      ['INSERT INTO t SELECT * FROM u', 'INSERT ... SELECT'],
      ['CREATE TABLE t (a DECIMAL(10,2))', 'column type DECIMAL'],
      ['CREATE TABLE t (a INT, c CHAR(10), INDEX ic (c(5)))', 'index prefix lengths'],
      ['CREATE TABLE t LIKE u', 'CREATE TABLE ... LIKE'],
      ['SELECT 1; SELECT 2', 'multiple statements in one query'],
      ['SHOW GRANTS', 'SHOW GRANTS'],
      ["SHOW VARIABLES WHERE Variable_name = 'x'", 'SHOW ... WHERE'],
      ["SELECT a FROM t WHERE a REGEXP 'x'", 'operator REGEXP'],
      ['SELECT a FROM t WHERE a IS TRUE', 'IS TRUE/FALSE/UNKNOWN'],
    ];
    for (const [sql, feature] of cases) {
      const e = errorOf(sql);
      expect(e, sql).toBeInstanceOf(NotSupportedError);
      expect((e as NotSupportedError).feature, sql).toBe(feature);
      expect((e as NotSupportedError).errno).toBe(1235);
      expect((e as NotSupportedError).message).toBe(`This version of Lockstep doesn't yet support '${feature}'`);
    }
  });
});

describe('statement cache', () => {
  it('returns the same parsed statement for the same text and counts hits', () => {
    const parser = new SqlParser({ maxEntries: 4 });
    const a = parser.parse('SELECT c FROM sbtest1 WHERE id=?');
    const b = parser.parse('SELECT c FROM sbtest1 WHERE id=?');
    expect(b).toBe(a);
    expect(parser.cacheStats()).toMatchObject({ hits: 1, misses: 1, entries: 1 });
  });

  it('is bounded: least recently used entries are evicted; long texts are not cached; errors are not cached', () => {
    const parser = new SqlParser({ maxEntries: 3, maxSqlLength: 40 });
    for (let i = 0; i < 5; i++) parser.parse(`SELECT ${i}`);
    expect(parser.cacheStats()).toMatchObject({ entries: 3, evictions: 2 });
    const keep = parser.parse('SELECT 2');
    parser.parse('SELECT 9'); // evicts SELECT 3 (SELECT 2 was just used)
    expect(parser.parse('SELECT 2')).toBe(keep);
    const long = `SELECT '${'x'.repeat(50)}'`;
    expect(parser.parse(long)).not.toBe(parser.parse(long));
    expect(parser.cacheStats().uncacheable).toBe(2);
    expect(() => parser.parse('SELEKT')).toThrow(ParseError);
    expect(() => parser.parse('SELEKT')).toThrow(ParseError);
    expect(parser.cacheStats().entries).toBe(3);
  });
});

describe('placeholders where they cannot be bound', () => {
  it('are refused with 1235, never an internal error (found by the fuzz test: FLUSH ?)', () => {
    for (const sql of ['FLUSH ?', 'KILL ?', "CHANGE MASTER TO MASTER_HOST = ?", 'SHOW TABLES ?']) {
      let errno: number | undefined;
      try {
        parseStatementUncached(sql);
      } catch (error) {
        errno = (error as NotSupportedError).errno;
      }
      expect([1064, 1235], sql).toContain(errno);
    }
  });
});

describe('select item labels', () => {
  it('are the original text when node-sql-parser reports its location (else regenerated), or the alias', () => {
    const items = (parseStatementUncached("SELECT sum(k) , COUNT( * ), CONCAT(a,'x') AS y, `id`, t.c FROM t").statement as Extract<Statement, { kind: 'select' }>).items;
    expect(items.map((i) => i.label)).toEqual(['sum(k)', 'COUNT(*)', 'y', 'id', 'c']);
    const more = (parseStatementUncached('SELECT (a + 2) * 3, 1 + 1, "abc" FROM t').statement as Extract<Statement, { kind: 'select' }>).items;
    expect(more.map((i) => i.label)).toEqual(['(a + 2) * 3', '1 + 1', 'abc']);
    const fast = (parseStatementUncached("SELECT 'abc', 1.5, @@version").statement as Extract<Statement, { kind: 'select' }>).items;
    expect(fast.map((i) => i.label)).toEqual(['abc', '1.5', '@@version']);
  });
});
