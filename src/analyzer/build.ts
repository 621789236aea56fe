/**
 * `analyzer_params` JSON -> Analyzer, as Milvus's tantivy-binding `analyzer.rs` reads it:
 * 1. empty (absent, "", {}) -> the `standard` analyzer;
 * 2. with `type` -> a built-in analyzer (`standard`, `english`, `chinese`); only `stop_words` is read
 *    besides it (Milvus ignores other keys next to `type`);
 * 3. otherwise a custom analyzer: `tokenizer` (a name, or an object with `type` and the tokenizer's
 *    options) and an optional `filter` list; any other key is refused.
 * Errors are code 1100 with Milvus's wording (its typos included, so clients matching on them work).
 */
import { errors, type MilvusError } from '../core/errors.js';
import { buildFilter, cnAlphanumOnlyFilter, lowercaseFilter, stemmerFilter, stopFilter, stringList } from './filters.js';
import { Pipeline } from './pipeline.js';
import { expandStopWords, languageStopWords } from './stop-words.js';
import { icuTokenizer, jiebaTokenizer, standardTokenizer, whitespaceTokenizer, type JiebaMode } from './tokenizers.js';
import type { Analyzer, TokenFilter, Tokenizer } from './types.js';

const bad = (what: string): MilvusError => errors.invalidParameter(what);

type Params = Record<string, unknown>;

/** Parse `analyzer_params` as it travels (a JSON string; "" means the default). */
export function parseAnalyzerParams(text: string): Params | undefined {
  if (text === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw bad(`analyzer params should be json map: ${(e as Error).message}`);
  }
  return asParams(parsed);
}

function asParams(value: unknown): Params {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('analyzer params should be a json map');
  return value as Params;
}

/** Build the analyzer `params` describes (parsed JSON, its JSON text, or undefined for the default). */
export function buildFromParams(params: unknown): Analyzer {
  if (params === undefined || params === null) return builtIn('standard', {});
  const map = typeof params === 'string' ? parseAnalyzerParams(params) : asParams(params);
  if (map === undefined || Object.keys(map).length === 0) return builtIn('standard', {});
  const type = map['type'];
  if (type !== undefined) {
    if (typeof type !== 'string') throw bad('analyzer type shoud be string');
    return builtIn(type, map);
  }
  return custom(map);
}

function builtIn(type: string, params: Params): Analyzer {
  const extra: TokenFilter[] = [];
  if (params['stop_words'] !== undefined) extra.push(stopFilter(expandStopWords(stringList(params['stop_words'], 'filter stop_words'))));
  switch (type) {
    case 'standard':
      return new Pipeline(standardTokenizer, [lowercaseFilter, ...extra]);
    case 'english':
      return new Pipeline(standardTokenizer, [
        lowercaseFilter, stemmerFilter('english'), stopFilter(languageStopWords('_english_') ?? []), ...extra,
      ]);
    case 'chinese':
      return new Pipeline(jiebaTokenizer('search', true), [cnAlphanumOnlyFilter, ...extra]);
    default:
      throw bad(`unknown build-in analyzer type: ${type}`);
  }
}

function custom(params: Params): Analyzer {
  const spec = params['tokenizer'];
  if (spec === undefined) throw bad('tokenizer name or type must be set');
  if (typeof spec !== 'string' && (typeof spec !== 'object' || spec === null || Array.isArray(spec))) {
    throw bad('tokenizer name should be string or dict');
  }
  const tokenizer = buildTokenizer(spec as string | Params);
  let filters: TokenFilter[] = [];
  for (const key of Object.keys(params).sort()) {
    if (key === 'tokenizer') continue;
    if (key !== 'filter') throw bad(`unknown analyzer option key: ${key}`);
    const list = params['filter'];
    if (!Array.isArray(list)) throw bad('filter params should be array');
    filters = list.map(buildFilter).filter((f): f is TokenFilter => f !== undefined);
  }
  return new Pipeline(tokenizer, filters);
}

function buildTokenizer(spec: string | Params): Tokenizer {
  let name: string;
  let options: Params | undefined;
  if (typeof spec === 'string') {
    name = spec;
  } else {
    const type = spec['type'];
    if (type === undefined) throw bad('costum tokenizer must set type');
    if (typeof type !== 'string') throw bad('tokenizer type should be string');
    name = type;
    options = spec;
  }
  switch (name) {
    case 'standard': return standardTokenizer;
    case 'whitespace': return whitespaceTokenizer;
    case 'icu': return icuTokenizer;
    case 'jieba': return jieba(options);
    case 'lindera':
      if (options === undefined) throw bad('lindera tokenizer must be costum');
      throw bad('unsupported tokenizer: lindera (Sextant has no Japanese/Korean dictionary tokenizer; use icu)');
    case 'language_identifier':
      throw bad('unsupported tokenizer: language_identifier (not implemented by Sextant; use multi_analyzer_params with by_field)');
    default: throw bad(`unsupported tokenizer: ${name}`);
  }
}

/**
 * jieba with Milvus's options: `mode` "search" (default) | "exact", `hmm` (default true), `dict`
 * (["_default_"] by default). jieba-wasm keeps one dictionary for the whole process, so a dictionary
 * other than the default (extra words, or none) cannot be given to one analyzer alone: refused.
 */
function jieba(options: Params | undefined): Tokenizer {
  if (options === undefined) return jiebaTokenizer('search', true);
  const dict = options['dict'];
  if (dict !== undefined) {
    if (!Array.isArray(dict)) throw bad('jieba tokenizer dict must be array');
    for (const word of dict) if (typeof word !== 'string') throw bad('jieba tokenizer dict item must be string');
    const custom = (dict as string[]).filter((w) => w !== '_default_');
    if (custom.length > 0 || dict.length === 0) {
      throw bad(`jieba tokenizer custom dict is not supported by Sextant (one process-wide jieba dictionary; only ["_default_"] is accepted), got ${JSON.stringify(dict)}`);
    }
  }
  let mode: JiebaMode = 'search';
  const m = options['mode'];
  if (m !== undefined) {
    if (typeof m !== 'string') throw bad('jieba tokenizer mode must be string');
    if (m !== 'exact' && m !== 'search') throw bad('jieba tokenizer mode must be "exact" or "search"');
    mode = m;
  }
  const hmm = options['hmm'];
  if (hmm !== undefined && typeof hmm !== 'boolean') throw bad('jieba tokenizer mode must be boolean');
  return jiebaTokenizer(mode, hmm ?? true);
}
