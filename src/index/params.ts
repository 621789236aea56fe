/** Validation and normalisation of index build / search parameters against descriptors. */
import { errors } from '../core/errors.js';
import type { MetricType } from '../core/enums.js';
import type { IndexDescriptor, IndexParams, ParamSpec, ParamValue } from './descriptor.js';
import { defaultMetricFor, metricsForKind, parseMetric, type VectorKind } from './metrics.js';

/** Keys that travel next to build params on the wire but are not build params. */
const RESERVED_KEYS: ReadonlySet<string> = new Set(['index_type', 'metric_type', 'params']);

export interface NormalizedIndexParams {
  metric: MetricType;
  params: IndexParams;
}

function rangeText(spec: ParamSpec): string {
  const lo = spec.min === undefined ? '-inf' : String(spec.min);
  const hi = spec.max === undefined ? 'inf' : String(spec.max);
  return `${spec.minExclusive === true ? '(' : '['}${lo}, ${hi}${spec.maxExclusive === true ? ')' : ']'}`;
}

function typeError(spec: ParamSpec, raw: unknown): never {
  throw errors.invalidParameter(`param '${spec.name}' (${String(raw)}) should be ${spec.type}`, {
    param: spec.name, expected: spec.type, actual: String(raw),
  });
}

function parseNumber(spec: ParamSpec, raw: unknown): number {
  let n: number;
  if (typeof raw === 'number') n = raw;
  else if (typeof raw === 'string' && raw.trim() !== '') n = Number(raw.trim());
  else typeError(spec, raw);
  if (!Number.isFinite(n) || (spec.type === 'int' && !Number.isInteger(n))) typeError(spec, raw);
  const belowMin = spec.min !== undefined && (spec.minExclusive === true ? n <= spec.min : n < spec.min);
  const aboveMax = spec.max !== undefined && (spec.maxExclusive === true ? n >= spec.max : n > spec.max);
  if (belowMin || aboveMax) {
    const range = rangeText(spec);
    throw errors.invalidParameter(`param '${spec.name}' (${n}) should be in range ${range}`, {
      param: spec.name, expected: range, actual: n,
    });
  }
  return n;
}

/** Parse one parameter value (wire string or JSON primitive) against its spec. */
export function parseParam(spec: ParamSpec, raw: unknown): ParamValue {
  switch (spec.type) {
    case 'int':
    case 'float':
      return parseNumber(spec, raw);
    case 'bool': {
      if (typeof raw === 'boolean') return raw;
      const s = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
      if (s === 'true') return true;
      if (s === 'false') return false;
      return typeError(spec, raw);
    }
    case 'string': {
      if (typeof raw !== 'string') return typeError(spec, raw);
      if (spec.values !== undefined && !spec.values.includes(raw)) {
        throw errors.invalidParameter(`param '${spec.name}' (${raw}) should be one of ${spec.values.join(', ')}`, {
          param: spec.name, expected: spec.values.join('/'), actual: raw,
        });
      }
      return raw;
    }
  }
}

function isSpecName(specs: readonly ParamSpec[], key: string): boolean {
  for (let i = 0; i < specs.length; i++) if (specs[i]!.name === key) return true;
  return false;
}

/** The specs' params parsed, then the other plain keys as given (no set or entry list per call: this runs per search). */
function normalize(specs: readonly ParamSpec[], params: Readonly<Record<string, unknown>>): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const spec of specs) {
    const raw = params[spec.name];
    if (raw === undefined || raw === null) {
      if (spec.required === true) {
        throw errors.invalidParameter(`param '${spec.name}' is required`, { param: spec.name, expected: rangeText(spec) });
      }
      if (spec.default !== undefined) out[spec.name] = spec.default;
      continue;
    }
    out[spec.name] = parseParam(spec, raw);
  }
  for (const key in params) {
    if (!Object.prototype.hasOwnProperty.call(params, key) || isSpecName(specs, key) || RESERVED_KEYS.has(key)) continue;
    const value = params[key];
    if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') out[key] = value;
  }
  return out;
}

/**
 * Check that `desc` can index `kind` with `metric` (undefined or '' = the kind's default) and
 * normalise its build params. Errors are 1100 and name the offending metric / param.
 */
export function validateIndexParams(
  desc: IndexDescriptor, kind: VectorKind, metric: string | undefined, params: Readonly<Record<string, string>>,
): NormalizedIndexParams {
  if (!desc.vectorKinds.includes(kind)) {
    throw errors.invalidParameter(`data type ${kind} can't build with this index ${desc.name}`, {
      expected: desc.vectorKinds.join('/'), actual: kind,
    });
  }
  let m: MetricType;
  if (metric === undefined || metric.trim() === '') {
    m = defaultMetricFor(kind);
  } else {
    const parsed = parseMetric(metric);
    if (parsed === undefined) {
      throw errors.invalidParameter('metric type not found or not supported', { expected: desc.metrics.join('/'), actual: metric });
    }
    m = parsed;
  }
  const allowed = desc.metrics.filter((x) => metricsForKind(kind).includes(x));
  if (!allowed.includes(m)) {
    throw errors.invalidParameter(`${kind} index ${desc.name} does not support metric type: ${m}`, {
      expected: allowed.join('/'), actual: m,
    });
  }
  return { metric: m, params: normalize(desc.buildParams, params) };
}

/** Normalise search params for `desc` (known ones typed, defaulted and range-checked; others passed through). */
export function validateSearchParams(desc: IndexDescriptor, params: Readonly<Record<string, unknown>>): IndexParams {
  return normalize(desc.searchParams, params);
}
