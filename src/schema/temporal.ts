/**
 * Timestamptz and Geometry values (Milvus 2.6). A Timestamptz is stored as int64 microseconds since
 * the Unix epoch, UTC; it arrives as an ISO 8601 string (an offset or `Z`; none means UTC) or as
 * integer microseconds, and leaves as an RFC 3339 string in UTC (`2025-01-02T16:00:00Z`, fraction
 * only when non-zero). A Geometry is stored as its WKT text.
 */
import { toInt64 } from './values.js';
import { describe, invalidAt, type Where } from './where.js';

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function offsetMinutes(tz: string | undefined): number | null {
  if (tz === undefined || tz === 'Z' || tz === 'z') return 0;
  const sign = tz[0] === '-' ? -1 : 1;
  const digits = tz.slice(1).replace(':', '');
  const h = Number(digits.slice(0, 2));
  const m = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (h > 23 || m > 59) return null;
  return sign * (h * 60 + m);
}

/** ISO 8601 text -> microseconds since the epoch (UTC), or null when it is not a valid timestamp. */
export function parseTimestamptz(text: string): bigint | null {
  const m = ISO.exec(text.trim());
  if (m === null) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((x) => Number(x ?? '0')) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return null;
  const off = offsetMinutes(m[8]);
  if (off === null) return null;
  const micros = BigInt((m[7] ?? '').padEnd(6, '0').slice(0, 6) || '0');
  const seconds = BigInt(daysFromCivil(y, mo, d)) * 86400n + BigInt(h * 3600 + mi * 60 + s) - BigInt(off * 60);
  return seconds * 1_000_000n + micros;
}

/** Microseconds since the epoch -> `YYYY-MM-DDTHH:MM:SS[.ffffff]Z` (trailing fraction zeros trimmed). */
export function formatTimestamptz(micros: bigint): string {
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const sub = micros - ms * 1000n; // 0..999 microseconds below the millisecond
  const iso = new Date(Number(ms)).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const fraction = (iso.slice(20, 23) + String(sub).padStart(3, '0')).replace(/0+$/, '');
  return `${iso.slice(0, 19)}${fraction === '' ? '' : `.${fraction}`}Z`;
}

/**
 * A Timestamptz value from an SDK: ISO string or integer microseconds (number, bigint, decimal string).
 * Text without an offset is wall-clock time in `tz` (the collection's zone, as Milvus reads it).
 */
export function toTimestamptz(v: unknown, w: Where, tz: string = DEFAULT_TIMEZONE): bigint {
  if (typeof v === 'string' && !/^\s*[+-]?\d+\s*$/.test(v)) {
    const t = parseTimestamptzIn(v, tz);
    if (t === null) throw invalidAt(w, `invalid timestamptz ${describe(v)}: expected an ISO 8601 timestamp such as 2025-01-02T00:00:00+08:00`);
    return t;
  }
  return toInt64(v, w);
}

const WKT = /^\s*(POINT|LINESTRING|POLYGON|MULTIPOINT|MULTILINESTRING|MULTIPOLYGON|GEOMETRYCOLLECTION)\s*(Z|M|ZM)?\s*(\(|EMPTY\b)/i;

/** A Geometry value: WKT text naming an OGC geometry type. */
export function toGeometryWkt(v: unknown, w: Where): string {
  if (typeof v !== 'string' || !WKT.test(v)) throw invalidAt(w, `invalid geometry ${describe(v)}: expected WKT such as POINT (1 2)`);
  return v;
}

/** Milvus's default time zone (common.DefaultTimezone). */
export const DEFAULT_TIMEZONE = 'UTC';

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** The formatter giving a zone's wall-clock parts, or null for a name the IANA database does not know. */
function zoneFormat(tz: string): Intl.DateTimeFormat | null {
  const known = zoneFormats.get(tz);
  if (known !== undefined) return known;
  if (tz === '' || tz.length > 64) return null;
  try {
    const f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    if (zoneFormats.size < 1024) zoneFormats.set(tz, f);
    return f;
  } catch {
    return null; // RangeError: invalid time zone
  }
}

/** Whether `tz` names an IANA time zone (Milvus's IsTimezoneValid; `UTC` included). */
export function isTimezoneValid(tz: string): boolean {
  return zoneFormat(tz) !== null;
}

/** The zone's offset from UTC in minutes at the instant `ms` (milliseconds since the epoch). */
export function zoneOffsetMinutes(tz: string, ms: number): number {
  const f = zoneFormat(tz);
  if (f === null || tz === DEFAULT_TIMEZONE) return 0;
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(ms))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const wall = Date.UTC(p['year']!, p['month']! - 1, p['day']!, p['hour']!, p['minute']!, p['second']!);
  return Math.round((wall - Math.floor(ms / 1000) * 1000) / 60_000);
}

/**
 * Microseconds since the epoch -> RFC 3339 in the zone `tz`: `Z` for UTC (as formatTimestamptz),
 * else the zone's wall clock with its offset at that instant (`2025-01-01T08:00:00+08:00`).
 */
export function formatTimestamptzIn(micros: bigint, tz: string): string {
  if (tz === DEFAULT_TIMEZONE) return formatTimestamptz(micros);
  const ms = Number(micros / 1000n - (micros % 1000n < 0n ? 1n : 0n));
  const off = zoneOffsetMinutes(tz, ms);
  if (off === 0) return formatTimestamptz(micros);
  const local = formatTimestamptz(micros + BigInt(off) * 60_000_000n);
  const a = Math.abs(off);
  return `${local.slice(0, -1)}${off < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/**
 * ISO 8601 text -> microseconds, reading a time without an offset as wall-clock time in `tz` (Milvus
 * reads naive input in the collection's time zone); null when the text is not a timestamp.
 */
export function parseTimestamptzIn(text: string, tz: string): bigint | null {
  const asUtc = parseTimestamptz(text);
  if (asUtc === null || tz === DEFAULT_TIMEZONE || ISO.exec(text.trim())?.[8] !== undefined) return asUtc;
  // The offset at the wall-clock instant, then again at the corrected instant (DST edges).
  const guess = Number(asUtc / 1000n) - zoneOffsetMinutes(tz, Number(asUtc / 1000n)) * 60_000;
  const off = zoneOffsetMinutes(tz, guess);
  return asUtc - BigInt(off) * 60_000_000n;
}
