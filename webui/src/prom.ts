/**
 * The Prometheus text format (what /metrics answers) parsed into samples, and the figures the
 * server panel charts: rates from counter deltas and quantiles from histogram bucket deltas
 * between two scrapes (as PromQL's rate() and histogram_quantile()).
 */
export interface Sample { name: string; labels: Record<string, string>; value: number }
export type Samples = Sample[];

function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const key = m[1];
    const value = m[2];
    if (key !== undefined && value !== undefined) out[key] = value.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
  }
  return out;
}

export function parseMetrics(text: string): Samples {
  const out: Samples = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const close = line.lastIndexOf('}');
    let name: string;
    let labels: Record<string, string> = {};
    let rest: string;
    if (brace >= 0 && close > brace) {
      name = line.slice(0, brace);
      labels = parseLabels(line.slice(brace + 1, close));
      rest = line.slice(close + 1).trim();
    } else {
      const space = line.indexOf(' ');
      if (space < 0) continue;
      name = line.slice(0, space);
      rest = line.slice(space + 1).trim();
    }
    const value = Number(rest.split(' ')[0]);
    if (!Number.isNaN(value)) out.push({ name, labels, value });
  }
  return out;
}

function labelsMatch(s: Sample, want: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(want)) if (s.labels[k] !== v) return false;
  return true;
}

export function sampleValue(samples: Samples, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const s of samples) if (s.name === name && labelsMatch(s, labels)) return s.value;
  return undefined;
}

/** The sum of `name` over samples whose labels `pick` accepts. */
export function sumOf(samples: Samples, name: string, pick: (labels: Record<string, string>) => boolean = () => true): number {
  let n = 0;
  for (const s of samples) if (s.name === name && pick(s.labels)) n += s.value;
  return n;
}

/** Cumulative bucket counts by upper bound (le), summed over the picked series. */
function buckets(samples: Samples, name: string, pick: (labels: Record<string, string>) => boolean): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of samples) {
    if (s.name !== `${name}_bucket` || !pick(s.labels)) continue;
    const le = s.labels['le'] === '+Inf' ? Infinity : Number(s.labels['le']);
    out.set(le, (out.get(le) ?? 0) + s.value);
  }
  return out;
}

/**
 * The q-quantile (seconds) of the observations made between scrapes `before` and `after`, by linear
 * interpolation inside the bucket; undefined when nothing was observed.
 */
export function quantileBetween(before: Samples, after: Samples, name: string, q: number, pick: (labels: Record<string, string>) => boolean = () => true): number | undefined {
  const a = buckets(after, name, pick);
  const b = buckets(before, name, pick);
  const bounds = [...a.keys()].sort((x, y) => x - y);
  const counts = bounds.map((le) => (a.get(le) ?? 0) - (b.get(le) ?? 0));
  const total = counts[counts.length - 1] ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let prevBound = 0;
  let prevCount = 0;
  for (let i = 0; i < bounds.length; i++) {
    const le = bounds[i] ?? Infinity;
    const c = counts[i] ?? 0;
    if (c >= rank) {
      if (le === Infinity) return prevBound;
      const inBucket = c - prevCount;
      return inBucket <= 0 ? le : prevBound + (le - prevBound) * ((rank - prevCount) / inBucket);
    }
    prevBound = le;
    prevCount = c;
  }
  return prevBound;
}

const INSERT_ENDPOINTS = new Set(['Insert', 'Upsert', 'entities/insert', 'entities/upsert', 'POST entities']);
const SEARCH_ENDPOINTS = new Set(['Search', 'HybridSearch', 'entities/search', 'entities/hybrid_search', 'POST search']);

export const isInsert = (l: Record<string, string>): boolean => INSERT_ENDPOINTS.has(l['endpoint'] ?? '');
export const isSearch = (l: Record<string, string>): boolean => SEARCH_ENDPOINTS.has(l['endpoint'] ?? '');
