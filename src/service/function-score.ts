/**
 * `function_score` (Milvus 2.6 rerank functions) read into a plan, with Milvus's rules and messages:
 *  - `boost` functions (any number) are segment scorers: an optional `filter`, a `weight` (required),
 *    an optional `random_score` {seed, field (Int64)}; `function_mode` (multiply | sum, default
 *    multiply) combines the scorers matching a hit, `boost_mode` (multiply | sum, default multiply)
 *    applies the result to its score (MV internal/parser/planparserv2 CreateSearchScorers,
 *    internal/core/src/rescores, exec/operator/RescoresNode.cpp);
 *  - at most one proxy reranker: `decay` (gauss | exp | linear over one numeric field), `rrf` (k),
 *    `weighted` (weights, norm_score); `model` needs a network service and is refused
 *    (MV internal/util/function/rerank/function_score.go, decay_function.go).
 * Params arrive as wire strings (gRPC) or JSON values (SDK shapes, REST); both are read as the
 * strings the Node SDK would send.
 */
import { DataType, dataTypeName } from '../core/enums.js';
import { errors } from '../core/errors.js';
import { limits } from '../core/limits.js';
import type { FilterPlan } from '../expr/index.js';
import { compileFilterCached } from '../expr/index.js';
import type { CollectionSchema, FieldSchema } from '../schema/types.js';
import { fieldByName } from '../schema/types.js';
import type * as T from './types.js';

export type DecayCurve = 'gauss' | 'exp' | 'linear';
export interface DecayRanker { kind: 'decay'; curve: DecayCurve; origin: number; scale: number; offset: number; decay: number; field: FieldSchema }
export type ProxyRanker = DecayRanker | { kind: 'rrf'; k: number } | { kind: 'weighted'; weights: number[]; normScore: boolean };
export type CombineMode = 'multiply' | 'sum';
export interface BoostScorer {
  filter: FilterPlan | null;
  /** float32, as Milvus parses it. */
  weight: number;
  random: { seed: bigint; field: FieldSchema | null } | null;
}
export interface BoostPlan { scorers: BoostScorer[]; boostMode: CombineMode; functionMode: CombineMode }
export interface FunctionScorePlan { boost: BoostPlan | null; ranker: ProxyRanker | null }

/** The Rerank function type (schema.proto FunctionType). */
export const RERANK_FUNCTION_TYPE = 3;
const MODEL_PROVIDERS = 'tei, vllm, cohere, voyageai, siliconflow, ali, zilliz';
const NUMERIC = new Set<number>([DataType.Int8, DataType.Int16, DataType.Int32, DataType.Int64, DataType.Float, DataType.Double]);

const bad = (message: string): Error => errors.invalidParameter(message);

/** A param value as the wire string the SDK would send (objects as JSON text). */
export function paramText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

function lowerKeys(params: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(params)) {
    const text = paramText(v);
    if (text !== undefined) out.set(k.toLowerCase(), text);
  }
  return out;
}

/** Go's strconv.ParseFloat: a decimal or special literal, nothing else. */
function parseFloatStrict(text: string): number | undefined {
  const t = text.trim();
  if (t === '' || !/^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|[Ii]nf(inity)?|NaN)$/.test(t)) return undefined;
  return t.toLowerCase().endsWith('inf') || t.toLowerCase().endsWith('infinity') ? (t.startsWith('-') ? -Infinity : Infinity) : Number(t);
}

function decayNumber(params: Map<string, string>, key: string): number | undefined {
  const raw = params.get(key);
  if (raw === undefined) return undefined;
  const n = parseFloatStrict(raw);
  if (n === undefined) throw bad(`Param ${key}:${raw} is not a number`);
  return n;
}

function rerankName(fn: T.RerankFunction): string {
  for (const [k, v] of Object.entries(fn.params)) if (k.toLowerCase() === 'reranker') return (paramText(v) ?? '').toLowerCase();
  return '';
}

function decayRanker(schema: CollectionSchema, fn: T.RerankFunction): DecayRanker {
  if (fn.inputFieldNames.length !== 1) throw bad(`Decay function only supoorts single input, but gets [${fn.inputFieldNames.join(' ')}] input`);
  const field = inputField(schema, fn.inputFieldNames[0]!);
  if (!NUMERIC.has(field.dataType)) {
    throw bad(`Decay rerank: unsupported input field type:${dataTypeName(field.dataType) ?? field.dataType}, only support numberic field`);
  }
  const p = lowerKeys(fn.params);
  const origin = decayNumber(p, 'origin');
  const scale = decayNumber(p, 'scale');
  const offset = decayNumber(p, 'offset') ?? 0;
  const decay = decayNumber(p, 'decay') ?? 0.5;
  if (origin === undefined) throw bad('Decay function lost param: origin');
  if (scale === undefined) throw bad('Decay function lost param: scale');
  if (!(scale > 0)) throw bad(`Decay function param: scale must > 0, but got ${scale.toFixed(6)}`);
  if (!(offset >= 0)) throw bad(`Decay function param: offset must >= 0, but got ${offset.toFixed(6)}`);
  if (!(decay > 0 && decay < 1)) throw bad(`Decay function param: decay must 0 < decay < 1, but got ${decay.toFixed(6)}`);
  const curve = p.get('function');
  if (curve !== 'gauss' && curve !== 'exp' && curve !== 'linear') {
    throw bad(`Invaild decay function: decay, only support [gauss,linear,exp]`);
  }
  return { kind: 'decay', curve, origin, scale, offset, decay, field };
}

function inputField(schema: CollectionSchema, name: string): FieldSchema {
  if (name === '') throw bad('rerank input field name cannot be empty string');
  const field = fieldByName(schema, name);
  if (!field || field.isDynamic) throw bad(`function input field not found: ${name}`);
  if (field.nullable) throw bad(`function input field cannot be nullable: field ${name}`);
  return field;
}

function rrfRanker(fn: T.RerankFunction): ProxyRanker {
  const raw = lowerKeys(fn.params).get('k');
  const k = raw === undefined ? 60 : parseFloatStrict(raw);
  if (k === undefined || !(k > 0 && k < limits.rrfKMax)) throw bad(`The rank params k should be in range (0, ${limits.rrfKMax})`);
  return { kind: 'rrf', k };
}

function weightedRanker(fn: T.RerankFunction): ProxyRanker {
  const p = lowerKeys(fn.params);
  const raw = p.get('weights');
  if (raw === undefined) throw bad('Weighted rerank err, weights not found');
  let weights: unknown;
  try {
    weights = JSON.parse(raw);
  } catch {
    weights = undefined;
  }
  if (!Array.isArray(weights) || !weights.every((w): w is number => typeof w === 'number')) {
    throw bad(`Weighted rerank err, weights must be a list of numbers, got ${raw}`);
  }
  const norm = p.get('norm_score');
  if (norm !== undefined && norm !== 'true' && norm !== 'false') throw bad(`Weighted rerank err, norm_score should been bool type, but got ${norm}`);
  return { kind: 'weighted', weights, normScore: norm === 'true' };
}

function proxyRanker(schema: CollectionSchema, fn: T.RerankFunction, name: string): ProxyRanker {
  switch (name) {
    case 'decay': return decayRanker(schema, fn);
    case 'rrf': return rrfRanker(fn);
    case 'weighted': return weightedRanker(fn);
    case 'model': {
      const provider = lowerKeys(fn.params).get('provider') ?? '';
      throw errors.invalidParameter(`rerank function 'model' (provider ${provider === '' ? 'not set' : provider}) needs a network rerank service `
        + `(${MODEL_PROVIDERS}), which Sextant does not call; use decay, boost, rrf or weighted`);
    }
    default:
      throw bad(`Unsupported rerank function: [${name}] , list of supported [decay,model,rrf,weighted]`);
  }
}

function randomParams(schema: CollectionSchema, raw: string): BoostScorer['random'] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    throw bad(`random_score is not a JSON object: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw bad('random_score is not a JSON object');
  const obj = parsed as Record<string, unknown>;
  let field: FieldSchema | null = null;
  if ('field' in obj) {
    if (typeof obj['field'] !== 'string') throw bad('random seed field name must be string');
    const f = fieldByName(schema, obj['field']);
    if (!f || f.isDynamic) throw errors.fieldNotFound(`${obj['field']}: random seed field not found`);
    if (f.dataType !== DataType.Int64) throw bad(`only support int64 field as random seed, but got ${dataTypeName(f.dataType) ?? f.dataType}`);
    field = f;
  }
  let seed = 0n;
  if ('seed' in obj) {
    const s = obj['seed'];
    if (typeof s !== 'number' || !Number.isFinite(s)) throw bad('random seed must be number');
    seed = BigInt(Math.trunc(s)); // C++ std::stoll reads the integer part
  }
  return { seed, field };
}

function boostScorer(schema: CollectionSchema, fn: T.RerankFunction, templates: T.TemplateValues | undefined): BoostScorer {
  const p = new Map<string, string>();
  for (const [k, v] of Object.entries(fn.params)) {
    const text = paramText(v);
    if (text !== undefined) p.set(k, text);
  }
  const filterText = p.get('filter');
  const filter = filterText === undefined || filterText.trim() === '' ? null : compileFilterCached(filterText, schema, templates);
  const weightText = p.get('weight');
  if (weightText === undefined) throw bad('must set weight params for weight scorer');
  const weight = parseFloatStrict(weightText);
  if (weight === undefined) throw bad(`parse function scorer weight params failed with error: {invalid syntax: ${weightText}}`);
  const random = p.has('random_score') ? randomParams(schema, p.get('random_score')!) : null;
  return { filter, weight: Math.fround(weight), random };
}

function combineMode(params: Map<string, string>, key: string, what: string): CombineMode {
  const raw = params.get(key);
  if (raw === undefined) return 'multiply';
  const lower = raw.toLowerCase();
  if (lower === 'multiply' || lower === 'sum') return lower;
  throw bad(`unknown ${what} mode: ${lower}`);
}

/** The plan of a request's `function_score`, or null when it has none. */
export function functionScorePlan(schema: CollectionSchema, fs: T.FunctionScore | undefined, templates?: T.TemplateValues): FunctionScorePlan | null {
  if (fs === undefined || fs.functions.length === 0) return null;
  const scorers: BoostScorer[] = [];
  let ranker: ProxyRanker | null = null;
  for (const fn of fs.functions) {
    const name = rerankName(fn);
    if (name === 'boost') {
      scorers.push(boostScorer(schema, fn, templates));
      continue;
    }
    const next = proxyRanker(schema, fn, name);
    if (ranker !== null) throw bad('Currently only supports one rerank');
    ranker = next;
  }
  const params = new Map<string, string>();
  for (const [k, v] of Object.entries(fs.params)) {
    const text = paramText(v);
    if (text !== undefined) params.set(k, text);
  }
  const boost = scorers.length === 0 ? null
    : { scorers, boostMode: combineMode(params, 'boost_mode', 'boost'), functionMode: combineMode(params, 'function_mode', 'function') };
  return { boost, ranker };
}
