import nodeSqlParser from 'node-sql-parser/build/mariadb.js';
import { EmptyQueryError } from '../errors/empty-query-error.js';
import { NotSupportedError } from '../errors/not-supported-error.js';
import { ParseError } from '../errors/parse-error.js';
import type { Expr, ParsedStatement } from './ast.js';
import { recognize } from './recognizer.js';
import { prepareText, tokenize } from './scanner.js';
import { StatementCache, type StatementCacheOptions, type StatementCacheStats } from './statement-cache.js';
import { Translator } from './translate.js';

/** Locations let select-item labels be the original text, as MySQL shows them. */
const PARSER_OPTIONS = { database: 'MariaDB', parseOptions: { includeLocations: true } } as const;
/** How much of the statement MySQL quotes after "near". */
const NEAR_LENGTH = 80;

interface PegLocation {
  readonly start: { readonly offset: number; readonly line: number };
}

let sharedParser: InstanceType<typeof nodeSqlParser.Parser> | undefined;
function astify(text: string): unknown {
  sharedParser ??= new nodeSqlParser.Parser();
  return sharedParser.astify(text, PARSER_OPTIONS);
}

function parseErrorFrom(error: unknown, text: string, lineOffset = 0, columnShift = 0): ParseError {
  const location = (error as { location?: PegLocation } | undefined)?.location;
  if (location === undefined) return new ParseError(text.slice(0, NEAR_LENGTH), 1, error);
  const offset = Math.max(0, location.start.offset - columnShift);
  return new ParseError(text.slice(offset, offset + NEAR_LENGTH), location.start.line + lineOffset, error);
}

/**
 * Parses one statement without the cache: scanner (comments, placeholders), recognizer,
 * then node-sql-parser and translation into our AST.
 * Errors: EmptyQueryError 1065, ParseError 1064 (MySQL's wording, `near` and line),
 * NotSupportedError 1235 naming what is not supported.
 */
export function parseStatementUncached(sql: string): ParsedStatement {
  const prepared = prepareText(sql);
  const text = prepared.text;
  if (text === '') throw new EmptyQueryError();
  const tokens = tokenize(text);
  if (tokens !== undefined) {
    const translator = new Translator();
    const statement = recognize(text, tokens, {
      nextParam: () => translator.nextParam(),
      parseExpression: (exprText) => parseExpressionWith(exprText, translator),
    });
    if (statement !== undefined) {
      // A `?` the recognizer did not take as a placeholder (FLUSH ?, KILL ?) is not one we can bind.
      if (translator.paramCount !== prepared.placeholders) throw new NotSupportedError('placeholders in this position');
      return { statement, paramCount: translator.paramCount };
    }
  }
  let ast: unknown;
  try {
    ast = astify(text);
  } catch (error) {
    throw parseErrorFrom(error, text, prepared.leadingLines);
  }
  const translator = new Translator(text);
  const statement = translator.statement(ast);
  if (translator.paramCount !== prepared.placeholders) throw new NotSupportedError('placeholders in this position');
  return { statement, paramCount: translator.paramCount };
}

function parseExpressionWith(rawText: string, translator: Translator): Expr {
  const exprText = prepareText(rawText).text;
  const prefix = 'SELECT ';
  let ast: unknown;
  try {
    ast = astify(prefix + exprText);
  } catch (error) {
    throw parseErrorFrom(error, exprText, 0, prefix.length);
  }
  const columns = (ast as { columns?: { expr?: unknown }[] } | undefined)?.columns;
  if (columns?.length !== 1) throw new ParseError(exprText.slice(0, NEAR_LENGTH), 1);
  return translator.expr(columns[0]!.expr);
}

/** Parses a standalone expression (SET values, tests); placeholders are numbered from 0. */
export function parseExpression(exprText: string): Expr {
  return parseExpressionWith(exprText, new Translator());
}

/**
 * The SQL front end with a statement cache: `parse(sql)` returns the cached statement for
 * a text seen before (no scan, no parse), else parses and caches it. Errors are not cached.
 */
export class SqlParser {
  private readonly cache: StatementCache;

  constructor(options: StatementCacheOptions = {}) {
    this.cache = new StatementCache(options);
  }

  parse(sql: string): ParsedStatement {
    const cached = this.cache.get(sql);
    if (cached !== undefined) return cached;
    const parsed = parseStatementUncached(sql);
    this.cache.set(sql, parsed);
    return parsed;
  }

  cacheStats(): StatementCacheStats {
    return this.cache.stats();
  }

  clearCache(): void {
    this.cache.clear();
  }
}
