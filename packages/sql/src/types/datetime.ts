/**
 * DATETIME as a small immutable value type (not a JS Date: no time zone, year 0..9999,
 * microseconds, and MySQL's zero date '0000-00-00 00:00:00').
 *
 * Invariants: every field is an integer in range; either all date fields are zero (the zero
 * date) or month is 1..12 and day is 1..days-in-month; `fsp` (0..6) is only how many
 * fractional digits `toString` prints, it never takes part in comparisons.
 */
export class SqlDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly microsecond: number;
  readonly fsp: number;

  private constructor(year: number, month: number, day: number, hour: number, minute: number, second: number, microsecond: number, fsp: number) {
    this.year = year;
    this.month = month;
    this.day = day;
    this.hour = hour;
    this.minute = minute;
    this.second = second;
    this.microsecond = microsecond;
    this.fsp = fsp;
  }

  /** The value, or undefined when a field is out of range (the caller raises the SQL error it needs). */
  static of(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, microsecond = 0, fsp = 0): SqlDateTime | undefined {
    if (!isValidDateTime(year, month, day, hour, minute, second, microsecond) || !Number.isInteger(fsp) || fsp < 0 || fsp > 6) return undefined;
    return new SqlDateTime(year, month, day, hour, minute, second, microsecond, fsp);
  }

  /** From a JS Date's UTC fields (for NOW() with an injected clock). */
  static fromEpochMs(epochMs: number, fsp = 0): SqlDateTime {
    const d = new Date(epochMs);
    const micro = Math.floor((((epochMs % 1000) + 1000) % 1000) * 1000);
    return new SqlDateTime(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), 0, fsp).withFsp(fsp, micro);
  }

  /**
   * Parses 'YYYY-MM-DD', 'YYYY-MM-DD hh:mm:ss[.ffffff]' (also 'T' between date and time,
   * 1- or 2-digit month/day/time fields) and 'YYYYMMDDhhmmss[.ffffff]'. Fraction digits
   * beyond 6 are truncated. Returns undefined when the text is not a valid datetime.
   */
  static parse(text: string): SqlDateTime | undefined {
    const s = text.trim();
    let m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{0,9}))?)?$/.exec(s);
    m ??= /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})(?:\.(\d{0,9}))?)?$/.exec(s);
    if (m === null) return undefined;
    const frac = m[7] ?? '';
    const micro = frac === '' ? 0 : Number(frac.slice(0, 6).padEnd(6, '0'));
    return SqlDateTime.of(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), micro, Math.min(frac.length, 6));
  }

  /** From a YYYYMMDDhhmmss number (MySQL's numeric datetime form); undefined when invalid. */
  static fromNumber(value: number): SqlDateTime | undefined {
    if (!Number.isFinite(value) || value < 0) return undefined;
    const whole = Math.trunc(value);
    const micro = Math.round((value - whole) * 1e6);
    const digits = String(whole);
    if (digits.length === 14) return SqlDateTime.parse(digits + (micro > 0 ? `.${String(micro).padStart(6, '0')}` : ''));
    if (digits.length === 8) return SqlDateTime.parse(digits);
    if (whole === 0 && micro === 0) return SqlDateTime.ZERO;
    return undefined;
  }

  static readonly ZERO: SqlDateTime = new SqlDateTime(0, 0, 0, 0, 0, 0, 0, 0);

  /** The same instant with `fsp` fractional digits kept (the rest truncated, as MariaDB does). */
  withFsp(fsp: number, microsecond = this.microsecond): SqlDateTime {
    const unit = 10 ** (6 - fsp);
    const micro = Math.floor(microsecond / unit) * unit;
    if (fsp === this.fsp && micro === this.microsecond) return this;
    return new SqlDateTime(this.year, this.month, this.day, this.hour, this.minute, this.second, micro, fsp);
  }

  /** Date part packed as (year*13+month)*32+day: order-preserving, 22 bits. */
  packedDate(): number {
    return (this.year * 13 + this.month) * 32 + this.day;
  }

  /** Time part packed as hour<<12 | minute<<6 | second: order-preserving, 17 bits. */
  packedTime(): number {
    return (this.hour << 12) | (this.minute << 6) | this.second;
  }

  static fromPacked(packedDate: number, packedTime: number, microsecond: number, fsp: number): SqlDateTime | undefined {
    const day = packedDate % 32;
    const yearMonth = Math.floor(packedDate / 32);
    return SqlDateTime.of(Math.floor(yearMonth / 13), yearMonth % 13, day, packedTime >> 12, (packedTime >> 6) & 63, packedTime & 63, microsecond, fsp);
  }

  compare(other: SqlDateTime): number {
    return (
      this.packedDate() - other.packedDate() || this.packedTime() - other.packedTime() || this.microsecond - other.microsecond
    );
  }

  equals(other: SqlDateTime): boolean {
    return this.compare(other) === 0;
  }

  /** YYYYMMDDhhmmss[.ffffff] as a number, MySQL's numeric context for a datetime. */
  toNumber(): number {
    const whole = ((((this.year * 100 + this.month) * 100 + this.day) * 100 + this.hour) * 100 + this.minute) * 100 + this.second;
    return this.microsecond === 0 ? whole : whole + this.microsecond / 1e6;
  }

  /** 'YYYY-MM-DD hh:mm:ss' plus `fsp` fractional digits. */
  toString(): string {
    const p2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
    const base = `${String(this.year).padStart(4, '0')}-${p2(this.month)}-${p2(this.day)} ${p2(this.hour)}:${p2(this.minute)}:${p2(this.second)}`;
    return this.fsp === 0 ? base : `${base}.${String(this.microsecond).padStart(6, '0').slice(0, this.fsp)}`;
  }
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
}

function isValidDateTime(year: number, month: number, day: number, hour: number, minute: number, second: number, micro: number): boolean {
  const ints = [year, month, day, hour, minute, second, micro];
  for (const n of ints) if (!Number.isInteger(n) || n < 0) return false;
  if (year > 9999 || hour > 23 || minute > 59 || second > 59 || micro > 999_999) return false;
  if (month === 0 && day === 0 && year === 0) return true;
  if (month < 1 || month > 12) return false;
  return day >= 1 && day <= daysInMonth(year, month);
}
