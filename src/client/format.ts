/** Service values -> SDK shapes (formatValue lives in service/sdk-values.ts, shared with REST v2). */
import type { KeyValuePair } from './types.js';

export { formatValue } from '../service/sdk-values.js';

export function toKeyValues(r: Readonly<Record<string, string>>): KeyValuePair[] {
  return Object.entries(r).map(([key, value]) => ({ key, value }));
}

/** The SDK's parseToKeyValue(x, true): objects as JSON text, everything else String(). */
export function stringifyValues(r: Readonly<Record<string, unknown>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r ?? {})) {
    out[k] = v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}

/** The SDK's formatNumberPrecision: cut (not round) the decimal digits after `precision`. */
export function cutDecimals(n: number, precision: number): number {
  return Number(n.toString().split('.').map((v, i) => (i === 1 ? v.slice(0, precision) : v)).join('.'));
}
