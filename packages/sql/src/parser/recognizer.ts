import { NotSupportedError } from '../errors/not-supported-error.js';
import type { Expr, SelectItem, SetAssignment, ShowKind, Statement } from './ast.js';
import type { Token } from './scanner.js';

/**
 * The recognizer in front of node-sql-parser: statements the parser rejects (SHOW, SET
 * NAMES, replication control, ...) and the ones clients send on every connection, which we
 * want without the full parse (SELECT @@version_comment LIMIT 1, BEGIN, COMMIT).
 *
 * `recognize` returns a statement, undefined to let the full parser try, or throws
 * NotSupportedError for statements we know and do not implement.
 */
export interface RecognizerContext {
  /** Parses an expression's text with the full parser (placeholders numbered on from the ones seen so far). */
  parseExpression(text: string): Expr;
  /** Next placeholder index (for a bare `?` token). */
  nextParam(): number;
}

const NOT_SUPPORTED_FIRST_WORDS = new Set([
  'ALTER',
  'RENAME',
  'TRUNCATE',
  'LOCK',
  'UNLOCK',
  'GRANT',
  'REVOKE',
  'ANALYZE',
  'OPTIMIZE',
  'CHECK',
  'CHECKSUM',
  'REPAIR',
  'HANDLER',
  'CALL',
  'PREPARE',
  'EXECUTE',
  'DEALLOCATE',
  'XA',
  'INSTALL',
  'UNINSTALL',
  'LOAD',
  'DO',
  'HELP',
  'CACHE',
  'BINLOG',
  'SAVEPOINT',
  'RELEASE',
  'EXPLAIN',
  'WITH',
  'VALUES',
  'TABLE',
  'SIGNAL',
  'RESIGNAL',
  'GET',
  'BACKUP',
]);

/** Session functions the fast SELECT path accepts with empty parentheses. */
const SESSION_FUNCTIONS = new Set(['VERSION', 'DATABASE', 'SCHEMA', 'CONNECTION_ID', 'LAST_INSERT_ID', 'USER', 'CURRENT_USER', 'SESSION_USER', 'SYSTEM_USER', 'NOW', 'CURRENT_TIMESTAMP']);

class Cursor {
  pos = 0;
  constructor(
    readonly tokens: readonly Token[],
    readonly text: string,
  ) {}

  peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }

  isWord(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t?.type === 'word' && t.value === word;
  }

  acceptWord(...words: string[]): string | undefined {
    const t = this.peek();
    if (t?.type === 'word' && words.includes(t.value)) {
      this.pos++;
      return t.value;
    }
    return undefined;
  }

  acceptPunct(p: string): boolean {
    const t = this.peek();
    if (t?.type === 'punct' && t.value === p) {
      this.pos++;
      return true;
    }
    return false;
  }

  /** An identifier: a word or a backquoted name; returns its original spelling. */
  identifier(): string | undefined {
    const t = this.peek();
    if (t === undefined) return undefined;
    if (t.type === 'quotedIdent') {
      this.pos++;
      return t.value;
    }
    if (t.type === 'word') {
      this.pos++;
      return this.text.slice(t.start, t.end);
    }
    return undefined;
  }

  /** `name` or `db.name`. */
  qualifiedName(): { database: string | undefined; name: string } | undefined {
    const first = this.identifier();
    if (first === undefined) return undefined;
    if (this.acceptPunct('.')) {
      const second = this.identifier();
      return second === undefined ? undefined : { database: first, name: second };
    }
    return { database: undefined, name: first };
  }

  stringLiteral(): string | undefined {
    const t = this.peek();
    if (t?.type === 'string') {
      this.pos++;
      return t.value;
    }
    return undefined;
  }

  /** Source text from the current token to the end, or to the next top-level comma. */
  restUntilComma(): { text: string; tokens: Token[] } {
    const start = this.pos;
    let depth = 0;
    while (!this.atEnd()) {
      const t = this.peek()!;
      if (t.type === 'punct' && t.value === '(') depth++;
      else if (t.type === 'punct' && t.value === ')') depth--;
      else if (depth === 0 && t.type === 'punct' && t.value === ',') break;
      this.pos++;
    }
    const tokens = this.tokens.slice(start, this.pos);
    if (tokens.length === 0) return { text: '', tokens };
    return { text: this.text.slice(tokens[0]!.start, tokens[tokens.length - 1]!.end), tokens };
  }
}

export function recognize(text: string, tokens: readonly Token[], ctx: RecognizerContext): Statement | undefined {
  const first = tokens[0];
  if (first?.type !== 'word') return undefined;
  const c = new Cursor(tokens, text);
  c.pos = 1;
  const done = (s: Statement): Statement | undefined => (c.atEnd() ? s : undefined);
  switch (first.value) {
    case 'BEGIN':
      c.acceptWord('WORK');
      return done({ kind: 'begin', readOnly: false, consistentSnapshot: false });
    case 'COMMIT':
      c.acceptWord('WORK');
      if (c.isWord('AND') || c.isWord('RELEASE') || c.isWord('NO')) throw new NotSupportedError('COMMIT AND CHAIN / RELEASE');
      return done({ kind: 'commit' });
    case 'ROLLBACK':
      c.acceptWord('WORK');
      if (c.isWord('TO')) throw new NotSupportedError('ROLLBACK TO SAVEPOINT');
      if (c.isWord('AND') || c.isWord('RELEASE') || c.isWord('NO')) throw new NotSupportedError('ROLLBACK AND CHAIN / RELEASE');
      return done({ kind: 'rollback' });
    case 'START':
      return recognizeStart(c);
    case 'STOP': {
      if (c.acceptWord('SLAVE', 'REPLICA') === undefined) return undefined;
      const thread = c.acceptWord('IO_THREAD', 'SQL_THREAD');
      return done({ kind: 'stopReplica', thread: thread === undefined ? undefined : thread === 'IO_THREAD' ? 'io' : 'sql' });
    }
    case 'RESET':
      if (c.acceptWord('SLAVE', 'REPLICA') !== undefined) return done({ kind: 'resetReplica', all: c.acceptWord('ALL') !== undefined });
      if (c.acceptWord('MASTER') !== undefined) return done({ kind: 'resetMaster' });
      return undefined;
    case 'USE': {
      const name = c.identifier();
      return name === undefined ? undefined : done({ kind: 'use', database: name });
    }
    case 'SET':
      return recognizeSet(c, ctx);
    case 'SHOW':
      return recognizeShow(c);
    case 'DESCRIBE':
    case 'DESC': {
      const table = c.qualifiedName();
      if (table === undefined) return undefined;
      if (!c.atEnd()) throw new NotSupportedError('DESCRIBE with a column');
      return { kind: 'show', what: 'columns', like: undefined, full: false, scope: undefined, from: table.database === undefined ? table.name : `${table.database}.${table.name}` };
    }
    case 'PURGE': {
      if (c.acceptWord('BINARY', 'MASTER') === undefined || c.acceptWord('LOGS') === undefined) return undefined;
      if (c.acceptWord('TO') !== undefined) {
        const to = c.stringLiteral();
        return to === undefined ? undefined : done({ kind: 'purgeBinaryLogs', to, before: undefined });
      }
      if (c.acceptWord('BEFORE') !== undefined) {
        const before = c.stringLiteral();
        return before === undefined ? undefined : done({ kind: 'purgeBinaryLogs', to: undefined, before });
      }
      return undefined;
    }
    case 'CHANGE':
      return recognizeChangeMaster(c);
    case 'KILL': {
      const which = c.acceptWord('CONNECTION', 'QUERY');
      const t = c.peek();
      if (t?.type !== 'number' || !/^\d+$/.test(t.value)) return undefined;
      c.pos++;
      return done({ kind: 'kill', query: which === 'QUERY', connectionId: Number(t.value) });
    }
    case 'FLUSH': {
      c.acceptWord('LOCAL', 'NO_WRITE_TO_BINLOG');
      const rest = c.restUntilComma();
      if (rest.text === '') return undefined;
      if (!c.atEnd()) throw new NotSupportedError('FLUSH of several things');
      return { kind: 'flush', what: rest.tokens.map((t) => t.value).join(' ') };
    }
    case 'SELECT':
      return recognizeSimpleSelect(c, ctx);
    default:
      if (NOT_SUPPORTED_FIRST_WORDS.has(first.value)) {
        const second = tokens[1]?.type === 'word' ? ` ${tokens[1].value}` : '';
        throw new NotSupportedError(`${first.value}${['ALTER', 'LOCK', 'UNLOCK', 'RENAME', 'TRUNCATE', 'LOAD', 'XA'].includes(first.value) ? second : ''}`);
      }
      return undefined;
  }
}

function recognizeStart(c: Cursor): Statement | undefined {
  if (c.acceptWord('TRANSACTION') !== undefined) {
    let readOnly = false;
    let consistentSnapshot = false;
    if (!c.atEnd()) {
      do {
        if (c.acceptWord('READ') !== undefined) {
          const mode = c.acceptWord('ONLY', 'WRITE');
          if (mode === undefined) return undefined;
          readOnly = mode === 'ONLY';
        } else if (c.acceptWord('WITH') !== undefined) {
          if (c.acceptWord('CONSISTENT') === undefined || c.acceptWord('SNAPSHOT') === undefined) return undefined;
          consistentSnapshot = true;
        } else return undefined;
      } while (c.acceptPunct(','));
    }
    return c.atEnd() ? { kind: 'begin', readOnly, consistentSnapshot } : undefined;
  }
  if (c.acceptWord('SLAVE', 'REPLICA') !== undefined) {
    const thread = c.acceptWord('IO_THREAD', 'SQL_THREAD');
    if (!c.atEnd()) throw new NotSupportedError('START SLAVE UNTIL');
    return { kind: 'startReplica', thread: thread === undefined ? undefined : thread === 'IO_THREAD' ? 'io' : 'sql' };
  }
  return undefined;
}

function recognizeChangeMaster(c: Cursor): Statement | undefined {
  if (c.acceptWord('MASTER') === undefined) return undefined;
  if (c.acceptWord('TO') === undefined) return undefined;
  const options = new Map<string, string | number>();
  do {
    const name = c.peek();
    if (name?.type !== 'word') return undefined;
    c.pos++;
    if (!c.acceptPunct('=')) return undefined;
    const v = c.peek();
    if (v === undefined) return undefined;
    c.pos++;
    if (v.type === 'string') options.set(name.value, v.value);
    else if (v.type === 'number') options.set(name.value, Number(v.value));
    else if (v.type === 'word') options.set(name.value, c.text.slice(v.start, v.end));
    else return undefined;
  } while (c.acceptPunct(','));
  return c.atEnd() ? { kind: 'changeMaster', options } : undefined;
}

function recognizeSet(c: Cursor, ctx: RecognizerContext): Statement | undefined {
  if (c.acceptWord('NAMES') !== undefined) {
    const t = c.peek();
    if (t === undefined) return undefined;
    c.pos++;
    const charset = t.type === 'word' || t.type === 'quotedIdent' ? c.text.slice(t.start, t.end).replaceAll('`', '') : t.type === 'string' ? t.value : undefined;
    if (charset === undefined) return undefined;
    let collation: string | undefined;
    if (c.acceptWord('COLLATE') !== undefined) {
      const u = c.peek();
      if (u === undefined) return undefined;
      c.pos++;
      collation = u.type === 'string' ? u.value : c.text.slice(u.start, u.end);
    }
    return c.atEnd() ? { kind: 'setNames', charset, collation } : undefined;
  }
  if ((c.isWord('CHARACTER') && c.isWord('SET', 1)) || c.isWord('CHARSET')) {
    c.pos += c.isWord('CHARSET') ? 1 : 2;
    const t = c.peek();
    if (t === undefined) return undefined;
    c.pos++;
    return c.atEnd() ? { kind: 'setNames', charset: t.type === 'string' ? t.value : c.text.slice(t.start, t.end), collation: undefined } : undefined;
  }
  const assignments: SetAssignment[] = [];
  do {
    let scope: 'global' | 'session' | undefined;
    const scopeWord = c.acceptWord('GLOBAL', 'SESSION', 'LOCAL');
    if (scopeWord !== undefined) scope = scopeWord === 'GLOBAL' ? 'global' : 'session';
    if (c.acceptWord('TRANSACTION') !== undefined) {
      const a = recognizeSetTransaction(c, scope ?? 'session');
      if (a === undefined) return undefined;
      assignments.push(...a);
      continue;
    }
    const t = c.peek();
    if (t === undefined) return undefined;
    let name: string;
    let user = false;
    if (t.type === 'uservar' && scope === undefined) {
      user = true;
      name = t.value;
      c.pos++;
    } else if (t.type === 'sysvar' && scope === undefined) {
      const m = /^(?:(global|session|local)\.)?(.+)$/i.exec(t.value)!;
      const s = m[1]?.toLowerCase();
      scope = s === undefined ? 'session' : s === 'global' ? 'global' : 'session';
      name = m[2]!;
      c.pos++;
    } else if (t.type === 'word' || t.type === 'quotedIdent') {
      name = c.text.slice(t.start, t.end).replaceAll('`', '');
      c.pos++;
    } else return undefined;
    if (!c.acceptPunct('=')) return undefined;
    const valueTokens = c.restUntilComma();
    if (valueTokens.tokens.length === 0) return undefined;
    const value = user ? setValue(valueTokens, ctx, false) : setValue(valueTokens, ctx, true);
    assignments.push(user ? { target: 'user', name, value } : { target: 'system', scope: scope ?? 'session', name: name.toLowerCase(), value });
  } while (c.acceptPunct(','));
  return c.atEnd() ? { kind: 'set', assignments } : undefined;
}

/** SET [scope] TRANSACTION ISOLATION LEVEL ... | READ ONLY | READ WRITE, as assignments to the system variables. */
function recognizeSetTransaction(c: Cursor, scope: 'global' | 'session'): SetAssignment[] | undefined {
  const out: SetAssignment[] = [];
  do {
    if (c.acceptWord('ISOLATION') !== undefined) {
      if (c.acceptWord('LEVEL') === undefined) return undefined;
      let level: string | undefined;
      if (c.acceptWord('REPEATABLE') !== undefined) level = c.acceptWord('READ') === undefined ? undefined : 'REPEATABLE-READ';
      else if (c.acceptWord('SERIALIZABLE') !== undefined) level = 'SERIALIZABLE';
      else if (c.acceptWord('READ') !== undefined) {
        const w = c.acceptWord('COMMITTED', 'UNCOMMITTED');
        level = w === undefined ? undefined : `READ-${w}`;
      }
      if (level === undefined) return undefined;
      out.push({ target: 'system', scope, name: 'transaction_isolation', value: { kind: 'literal', value: level } });
    } else if (c.acceptWord('READ') !== undefined) {
      const w = c.acceptWord('ONLY', 'WRITE');
      if (w === undefined) return undefined;
      out.push({ target: 'system', scope, name: 'transaction_read_only', value: { kind: 'literal', value: w === 'ONLY' ? 1 : 0 } });
    } else return undefined;
  } while (c.acceptPunct(','));
  return out;
}

/**
 * A SET value. For system variables a bare word is a string (SET autocommit=ON,
 * SET sql_mode=TRADITIONAL), DEFAULT is the default; literals are taken directly;
 * anything else goes through the full expression parser.
 */
function setValue(value: { text: string; tokens: Token[] }, ctx: RecognizerContext, system: boolean): Expr {
  const [t] = value.tokens;
  if (value.tokens.length === 1 && t !== undefined) {
    if (t.type === 'string') return { kind: 'literal', value: t.value };
    if (t.type === 'number') return numberLiteral(t.value);
    if (t.type === 'param') return { kind: 'param', index: ctx.nextParam() };
    if (t.type === 'word') {
      if (t.value === 'NULL') return { kind: 'literal', value: null };
      if (t.value === 'TRUE') return { kind: 'literal', value: 1 };
      if (t.value === 'FALSE') return { kind: 'literal', value: 0 };
      if (t.value === 'DEFAULT' && system) return { kind: 'default' };
      if (system) return { kind: 'literal', value: value.text };
    }
  }
  if (value.tokens.length === 2 && value.tokens[0]!.type === 'punct' && value.tokens[0]!.value === '-' && value.tokens[1]!.type === 'number') {
    const n = numberLiteral(value.tokens[1]!.value);
    return { kind: 'literal', value: typeof n.value === 'bigint' ? -n.value : -n.value };
  }
  return ctx.parseExpression(value.text);
}

export function numberLiteral(text: string): { kind: 'literal'; value: number | bigint } {
  if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    return { kind: 'literal', value: Number.isSafeInteger(n) ? n : BigInt(text) };
  }
  return { kind: 'literal', value: Number(text) };
}

function recognizeShow(c: Cursor): Statement | undefined {
  const full = c.acceptWord('FULL') !== undefined;
  const scopeWord = c.acceptWord('GLOBAL', 'SESSION', 'LOCAL');
  const scope = scopeWord === undefined ? undefined : scopeWord === 'GLOBAL' ? 'global' : 'session';
  const show = (what: ShowKind, like: string | undefined, from?: string): Statement => ({ kind: 'show', what, like, full, scope, from });
  const likeClause = (): string | undefined | null => {
    if (c.atEnd()) return undefined;
    if (c.acceptWord('LIKE') !== undefined) {
      const pattern = c.stringLiteral();
      return pattern === undefined || !c.atEnd() ? null : pattern;
    }
    if (c.isWord('WHERE')) throw new NotSupportedError('SHOW ... WHERE');
    return null;
  };
  const withLike = (what: ShowKind, from?: string): Statement | undefined => {
    const like = likeClause();
    return like === null ? undefined : show(what, like, from);
  };
  const word = c.acceptWord(
    'DATABASES',
    'SCHEMAS',
    'TABLES',
    'VARIABLES',
    'STATUS',
    'PROCESSLIST',
    'CREATE',
    'MASTER',
    'BINLOG',
    'BINARY',
    'SLAVE',
    'REPLICA',
    'ALL',
    'WARNINGS',
    'ERRORS',
    'ENGINES',
    'STORAGE',
    'COLLATION',
    'CHARACTER',
    'CHARSET',
    'COLUMNS',
    'FIELDS',
    'INDEX',
    'INDEXES',
    'KEYS',
  );
  switch (word) {
    case 'DATABASES':
    case 'SCHEMAS':
      return withLike('databases');
    case 'TABLES': {
      let from: string | undefined;
      if (c.acceptWord('FROM', 'IN') !== undefined) {
        from = c.identifier();
        if (from === undefined) return undefined;
      }
      return withLike('tables', from);
    }
    case 'VARIABLES':
      return withLike('variables');
    case 'STATUS':
      return withLike('status');
    case 'PROCESSLIST':
      return c.atEnd() ? show('processlist', undefined) : undefined;
    case 'CREATE': {
      if (c.acceptWord('TABLE') !== undefined) {
        const table = c.qualifiedName();
        return table === undefined || !c.atEnd() ? undefined : { kind: 'showCreateTable', table };
      }
      if (c.acceptWord('DATABASE', 'SCHEMA') !== undefined) {
        if (c.acceptWord('IF') !== undefined && (c.acceptWord('NOT') === undefined || c.acceptWord('EXISTS') === undefined)) return undefined;
        const name = c.identifier();
        return name === undefined || !c.atEnd() ? undefined : { kind: 'showCreateDatabase', name };
      }
      const what = c.peek();
      throw new NotSupportedError(`SHOW CREATE ${what?.value ?? ''}`.trim());
    }
    case 'MASTER':
    case 'BINLOG':
      if (c.acceptWord('STATUS') !== undefined) return c.atEnd() ? show('masterStatus', undefined) : undefined;
      if (word === 'MASTER' && c.acceptWord('LOGS') !== undefined) return c.atEnd() ? show('binaryLogs', undefined) : undefined;
      return undefined;
    case 'BINARY':
      return c.acceptWord('LOGS') !== undefined && c.atEnd() ? show('binaryLogs', undefined) : undefined;
    case 'SLAVE':
    case 'REPLICA':
      return c.acceptWord('STATUS') !== undefined && c.atEnd() ? show('slaveStatus', undefined) : undefined;
    case 'ALL':
      return c.acceptWord('SLAVES', 'REPLICAS') !== undefined && c.acceptWord('STATUS') !== undefined && c.atEnd() ? show('slaveStatus', undefined) : undefined;
    case 'WARNINGS':
    case 'ERRORS': {
      if (c.acceptWord('LIMIT') !== undefined) {
        if (c.peek()?.type !== 'number') return undefined;
        c.pos++;
      }
      return c.atEnd() ? show(word === 'WARNINGS' ? 'warnings' : 'errors', undefined) : undefined;
    }
    case 'ENGINES':
      return c.atEnd() ? show('engines', undefined) : undefined;
    case 'STORAGE':
      return c.acceptWord('ENGINES') !== undefined && c.atEnd() ? show('engines', undefined) : undefined;
    case 'COLLATION':
      return withLike('collation');
    case 'CHARACTER':
      return c.acceptWord('SET') !== undefined ? withLike('characterSet') : undefined;
    case 'CHARSET':
      return withLike('characterSet');
    case 'COLUMNS':
    case 'FIELDS':
    case 'INDEX':
    case 'INDEXES':
    case 'KEYS': {
      if (c.acceptWord('FROM', 'IN') === undefined) return undefined;
      const table = c.qualifiedName();
      if (table === undefined) return undefined;
      let database = table.database;
      if (c.acceptWord('FROM', 'IN') !== undefined) {
        database = c.identifier();
        if (database === undefined) return undefined;
      }
      const from = database === undefined ? table.name : `${database}.${table.name}`;
      return withLike(word === 'COLUMNS' || word === 'FIELDS' ? 'columns' : 'indexes', from);
    }
    case undefined: {
      const what = c.peek();
      throw new NotSupportedError(`SHOW ${what?.value ?? ''}`.trim());
    }
  }
  return undefined;
}

/**
 * SELECT of system variables, session functions and literals, with an optional alias and
 * LIMIT n: what clients send on connect. Anything else returns undefined (full parser).
 */
function recognizeSimpleSelect(c: Cursor, ctx: RecognizerContext): Statement | undefined {
  const items: SelectItem[] = [];
  do {
    const t = c.peek();
    if (t === undefined) return undefined;
    let expr: Expr;
    const start = t.start;
    if (t.type === 'sysvar') {
      const m = /^(?:(global|session|local)\.)?(.+)$/i.exec(t.value)!;
      const s = m[1]?.toLowerCase();
      expr = { kind: 'sysvar', scope: s === undefined ? undefined : s === 'global' ? 'global' : 'session', name: m[2]!.toLowerCase() };
      c.pos++;
    } else if (t.type === 'uservar') {
      expr = { kind: 'uservar', name: t.value };
      c.pos++;
    } else if (t.type === 'number') {
      expr = numberLiteral(t.value);
      c.pos++;
    } else if (t.type === 'string') {
      expr = { kind: 'literal', value: t.value };
      c.pos++;
    } else if (t.type === 'word' && SESSION_FUNCTIONS.has(t.value) && c.peek(1)?.value === '(' && c.peek(2)?.value === ')') {
      expr = { kind: 'call', name: t.value === 'SCHEMA' ? 'DATABASE' : t.value === 'CURRENT_TIMESTAMP' ? 'NOW' : t.value, args: [] };
      c.pos += 3;
    } else return undefined;
    const label = t.type === 'string' ? t.value : c.text.slice(start, c.tokens[c.pos - 1]!.end);
    let alias: string | undefined;
    if (c.acceptWord('AS') !== undefined) {
      const a = c.peek();
      if (a === undefined) return undefined;
      if (a.type === 'string') alias = a.value;
      else if (a.type === 'quotedIdent' || a.type === 'word') alias = c.text.slice(a.start, a.end).replace(/^`|`$/g, '');
      else return undefined;
      c.pos++;
    } else {
      const a = c.peek();
      if (a?.type === 'quotedIdent' || (a?.type === 'word' && a.value !== 'LIMIT' && a.value !== 'FROM')) {
        alias = a.type === 'quotedIdent' ? a.value : c.text.slice(a.start, a.end);
        c.pos++;
      }
    }
    items.push({ expr, star: false, alias, label: alias ?? label });
  } while (c.acceptPunct(','));
  let limit: { count: Expr; offset: Expr | undefined } | undefined;
  if (c.acceptWord('LIMIT') !== undefined) {
    const t = c.peek();
    if (t?.type === 'number' && /^\d+$/.test(t.value)) limit = { count: numberLiteral(t.value), offset: undefined };
    else if (t?.type === 'param') limit = { count: { kind: 'param', index: ctx.nextParam() }, offset: undefined };
    else return undefined;
    c.pos++;
  }
  if (!c.atEnd()) return undefined;
  return { kind: 'select', distinct: false, items, from: undefined, tableAlias: undefined, where: undefined, groupBy: [], having: undefined, orderBy: [], limit, lock: 'none' };
}
