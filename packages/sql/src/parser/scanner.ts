import { NotSupportedError } from '../errors/not-supported-error.js';

/**
 * Prepares statement text the way the MySQL server's lexer sees it:
 * - `/* ... *\/` comments are dropped; executable comments `/*! ... *\/`, `/*!40101 ... *\/`
 *   and MariaDB's `/*M! ... *\/` keep their content (the version is ignored: we run all);
 * - `-- ` (dash dash space) and `#` comments run to the end of the line and are dropped;
 * - quoted strings ('...' and "..." with backslash escapes and doubled quotes) and
 *   backquoted identifiers are copied unchanged;
 * - `?` outside quotes and comments are counted (placeholders);
 * - trailing white space and semicolons are trimmed; a second statement after a `;` is
 *   refused (one statement per call).
 * Dropped comments are replaced by one space, or by their newlines, so line numbers in
 * errors stay those of the original text.
 */
export interface PreparedText {
  readonly text: string;
  readonly placeholders: number;
  /** Newlines trimmed from the start (added to error line numbers). */
  readonly leadingLines: number;
}

export function prepareText(sql: string): PreparedText {
  let out = '';
  let placeholders = 0;
  let i = 0;
  const n = sql.length;
  let segmentStart = 0;
  const flush = (end: number): void => {
    if (end > segmentStart) out += sql.slice(segmentStart, end);
  };
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === 39 /* ' */ || c === 34 /* " */ || c === 96 /* ` */) {
      i = skipQuoted(sql, i, c);
      continue;
    }
    if (c === 63 /* ? */) {
      placeholders++;
      i++;
      continue;
    }
    if (c === 47 /* / */ && sql.charCodeAt(i + 1) === 42 /* * */) {
      const end = sql.indexOf('*/', i + 2);
      const close = end < 0 ? n : end;
      flush(i);
      let body = sql.slice(i + 2, close);
      const executable = /^(?:M?!)(\d{5,6})?/.exec(body);
      if (executable !== null) {
        body = body.slice(executable[0].length);
        // The content is SQL: scan it for placeholders and nested quoting like the rest.
        const inner = prepareText(body);
        out += ` ${inner.text} `;
        placeholders += inner.placeholders;
      } else {
        out += body.includes('\n') ? body.replace(/[^\n]/g, '') : ' ';
      }
      i = end < 0 ? n : end + 2;
      segmentStart = i;
      continue;
    }
    if (c === 35 /* # */ || (c === 45 /* - */ && sql.charCodeAt(i + 1) === 45 && (i + 2 >= n || /\s/.test(sql[i + 2]!)))) {
      const end = sql.indexOf('\n', i);
      flush(i);
      out += ' ';
      i = end < 0 ? n : end;
      segmentStart = i;
      continue;
    }
    if (c === 45 /* - */ && /^-\d{16,}/.test(sql.slice(i, i + 18))) {
      // node-sql-parser reads '-<long integer>' as a lossy JS number; '- <integer>' keeps the digits.
      flush(i);
      out += '- ';
      i++;
      segmentStart = i;
      continue;
    }
    if (c === 59 /* ; */) {
      const rest = prepareText(sql.slice(i + 1));
      if (rest.text !== '') throw new NotSupportedError('multiple statements in one query');
      flush(i);
      segmentStart = n;
      i = n;
      break;
    }
    i++;
  }
  flush(n);
  const trimmed = out.trim();
  const leading = out.slice(0, out.length - out.trimStart().length);
  return { text: trimmed, placeholders, leadingLines: leading.split('\n').length - 1 };
}

/** Index just past the quoted string or identifier starting at `start`. */
export function skipQuoted(sql: string, start: number, quote: number): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql.charCodeAt(i);
    if (c === 92 /* \ */ && quote !== 96) {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (sql.charCodeAt(i + 1) === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return i; // unterminated: the parser reports it
}

/** MySQL string literal body (between the quotes) to its value: backslash escapes and doubled quotes. */
export function unescapeString(body: string, quote: string): string {
  if (!body.includes('\\') && !body.includes(quote + quote)) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch === '\\' && i + 1 < body.length) {
      const next = body[++i]!;
      switch (next) {
        case '0':
          out += '\u0000';
          break;
        case 'b':
          out += '\b';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'Z':
          out += '\u001a';
          break;
        case '%':
        case '_':
          out += `\\${next}`; // kept for LIKE, as MySQL does
          break;
        default:
          out += next;
      }
    } else if (ch === quote && body[i + 1] === quote) {
      out += quote;
      i++;
    } else out += ch;
  }
  return out;
}

export type TokenType = 'word' | 'quotedIdent' | 'string' | 'number' | 'sysvar' | 'uservar' | 'punct' | 'param';

export interface Token {
  readonly type: TokenType;
  /** For words: upper-cased; for strings and identifiers: the unescaped value; else the text. */
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

/** Bound on the tokens the recognizer looks at; longer statements go to the full parser. */
export const MAX_RECOGNIZER_TOKENS = 256;

/**
 * A small tokenizer for the recognizer. Returns undefined when it meets something it does
 * not know (the full parser then handles the statement) or past MAX_RECOGNIZER_TOKENS.
 */
export function tokenize(text: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    if (tokens.length > MAX_RECOGNIZER_TOKENS) return undefined;
    const ch = text[i]!;
    if (ch === ' ' || ch === '\n' || ch === '\t' || ch === '\r') {
      i++;
      continue;
    }
    const start = i;
    if (/[A-Za-z_$\u0080-\uffff]/.test(ch)) {
      while (i < n && /[A-Za-z0-9_$\u0080-\uffff]/.test(text[i]!)) i++;
      tokens.push({ type: 'word', value: text.slice(start, i).toUpperCase(), start, end: i });
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i))!;
      i += m[0].length;
      if (i < n && /[A-Za-z_]/.test(text[i]!)) return undefined; // 1abc, 0x41: leave to the parser
      tokens.push({ type: 'number', value: m[0], start, end: i });
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      const end = skipQuoted(text, i, ch.charCodeAt(0));
      if (end > n || text[end - 1] !== ch || end - start < 2) return undefined;
      const body = text.slice(i + 1, end - 1);
      tokens.push(ch === '`' ? { type: 'quotedIdent', value: body.replaceAll('``', '`'), start, end } : { type: 'string', value: unescapeString(body, ch), start, end });
      i = end;
      continue;
    }
    if (ch === '@') {
      const sys = text[i + 1] === '@';
      let j = i + (sys ? 2 : 1);
      if (text[j] === '`' || text[j] === "'" || text[j] === '"') {
        const end = skipQuoted(text, j, text.charCodeAt(j));
        const body = text.slice(j + 1, end - 1);
        tokens.push({ type: sys ? 'sysvar' : 'uservar', value: body, start, end });
        i = end;
        continue;
      }
      while (j < n && /[A-Za-z0-9_$.]/.test(text[j]!)) j++;
      if (j === i + (sys ? 2 : 1)) return undefined;
      tokens.push({ type: sys ? 'sysvar' : 'uservar', value: text.slice(i + (sys ? 2 : 1), j), start, end: j });
      i = j;
      continue;
    }
    if (ch === '?') {
      tokens.push({ type: 'param', value: '?', start, end: i + 1 });
      i++;
      continue;
    }
    if (ch === ':' && text[i + 1] === '=') {
      tokens.push({ type: 'punct', value: '=', start, end: i + 2 });
      i += 2;
      continue;
    }
    if ('=,()*.;-+'.includes(ch)) {
      tokens.push({ type: 'punct', value: ch, start, end: i + 1 });
      i++;
      continue;
    }
    return undefined;
  }
  return tokens;
}
