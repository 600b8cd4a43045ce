/**
 * MySQL's reading of a string in numeric context: leading spaces, an optional sign, digits
 * with an optional fraction and exponent; anything after that is ignored (with a warning in
 * MySQL, an error when storing in strict mode). '' and 'abc' read as 0.
 */
export interface NumericPrefix {
  /** The value as a double. */
  readonly value: number;
  /** The integer digits when the prefix is a plain integer (no fraction, no exponent). */
  readonly integer: bigint | undefined;
  /** True when the whole string (after trimming trailing spaces) was the number. */
  readonly complete: boolean;
  /** True when no digits were found at all. */
  readonly empty: boolean;
}

const NUMERIC_PREFIX = /^[ \t\n\r]*([+-]?)(\d*)(\.\d*)?(?:[eE]([+-]?\d+))?/;

export function readNumericPrefix(text: string): NumericPrefix {
  const m = NUMERIC_PREFIX.exec(text)!;
  const sign = m[1] ?? '';
  const digits = m[2] ?? '';
  const fraction = m[3];
  const fractionDigits = fraction === undefined ? '' : fraction.slice(1);
  if (digits === '' && fractionDigits === '') {
    return { value: 0, integer: undefined, complete: false, empty: true };
  }
  const matched = m[0];
  const rest = text.slice(matched.length);
  const complete = rest.trimEnd() === '';
  const exponent = m[4];
  const value = Number(`${sign}${digits === '' ? '0' : digits}${fractionDigits === '' ? '' : `.${fractionDigits}`}${exponent === undefined ? '' : `e${exponent}`}`);
  const integer = fraction === undefined && exponent === undefined ? BigInt(`${sign === '-' ? '-' : ''}${digits}`) : undefined;
  return { value, integer, complete, empty: false };
}

/** Rounds half away from zero, as MySQL does when a fractional value goes into an integer. */
export function roundHalfAwayFromZero(value: number): number {
  return value < 0 ? -Math.round(-value) : Math.round(value);
}
