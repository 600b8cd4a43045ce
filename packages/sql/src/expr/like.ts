/**
 * LIKE with MySQL semantics under a binary collation: `%` matches any run of characters,
 * `_` exactly one character (code point), the escape character (default backslash) makes
 * the next character literal; case and trailing spaces matter. Compiled to a RegExp.
 */
export function compileLikePattern(pattern: string, escape: string): RegExp {
  let source = '^';
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === escape && i + 1 < chars.length) {
      source += escapeRegExp(chars[++i]!);
    } else if (ch === '%') {
      source += '.*';
    } else if (ch === '_') {
      source += '.';
    } else {
      source += escapeRegExp(ch);
    }
  }
  return new RegExp(`${source}$`, 'su');
}

function escapeRegExp(ch: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(ch) ? `\\${ch}` : ch;
}

/** Bound on how many compiled patterns one LIKE with a non-constant pattern keeps. */
export const LIKE_PATTERN_CACHE_SIZE = 16;
