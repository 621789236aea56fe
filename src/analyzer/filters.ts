/**
 * Token filters (tantivy-binding `filter/`), built from the `filter` list of `analyzer_params`:
 * a name (`"lowercase"`) or an object with a `type` (`{"type":"stop","stop_words":[...]}`).
 * Quirks kept on purpose, because Milvus has them:
 * - `length` removes tokens whose UTF-8 **byte** length exceeds `max` (Tantivy RemoveLongFilter(max+1));
 * - `cnalphanumonly` / `cncharonly` / `removepunct` / `regex` test with an unanchored match, so
 *   `cnalphanumonly` keeps "café" and `removepunct` drops a token that merely contains punctuation;
 * - `alphanumonly` keeps a token only if every char is ASCII alphanumeric;
 * - `stop` is exact and case-sensitive; filters never renumber positions (gaps stay).
 */
import { createRequire } from 'node:module';
import { errors, type MilvusError } from '../core/errors.js';
import { expandStopWords } from './stop-words.js';
import { stemmerFor } from './stemmers.js';
import type { RawToken, TokenFilter } from './types.js';

const bad = (what: string): MilvusError => errors.invalidParameter(what);

const keep = (test: (text: string) => boolean): TokenFilter => (tokens) => tokens.filter((t) => test(t.text));
const rewrite = (map: (text: string) => string): TokenFilter => (tokens) => {
  for (const t of tokens) t.text = map(t.text);
  return tokens;
};

export const lowercaseFilter: TokenFilter = rewrite((s) => s.toLowerCase());

interface AsciiFolder { foldMaintaining(s: string): string }
let folder: AsciiFolder | undefined;
/** Lucene's ASCIIFoldingFilter (fold-to-ascii), keeping chars it has no mapping for, as Tantivy does. */
function asciiFold(text: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return text;
  folder ??= createRequire(import.meta.url)('fold-to-ascii') as AsciiFolder;
  return folder.foldMaintaining(text);
}

const HAN_ALNUM = /[\p{Script=Han}a-zA-Z0-9]/u;
const HAN = /\p{Script=Han}/u;
const PUNCT_OR_SPACE = /[\p{P}\p{White_Space}]/u;

/** The filters Milvus accepts by name. */
const NAMED: Readonly<Record<string, TokenFilter>> = {
  lowercase: lowercaseFilter,
  asciifolding: rewrite(asciiFold),
  alphanumonly: keep((s) => /^[A-Za-z0-9]*$/.test(s)),
  cncharonly: keep((s) => HAN.test(s)),
  cnalphanumonly: keep((s) => HAN_ALNUM.test(s)),
  removepunct: keep((s) => !PUNCT_OR_SPACE.test(s)),
};

export const cnAlphanumOnlyFilter = NAMED['cnalphanumonly'] as TokenFilter;

export function stopFilter(words: readonly string[]): TokenFilter {
  const stop = new Set(words);
  return keep((s) => !stop.has(s));
}

export function stemmerFilter(language: string): TokenFilter {
  const stemmer = stemmerFor(language);
  return rewrite((s) => stemmer.stem(s));
}

/** Milvus's `get_string_list`: an array of strings, or `<label> should be array` / `... list item should be string`. */
export function stringList(value: unknown, label: string): string[] {
  if (!Array.isArray(value)) throw bad(`${label} should be array`);
  return value.map((v: unknown) => {
    if (typeof v !== 'string') throw bad(`${label} list item should be string`);
    return v;
  });
}

/** One entry of the `filter` list; undefined for an entry Milvus skips (neither string nor object). */
export function buildFilter(spec: unknown): TokenFilter | undefined {
  if (typeof spec === 'string') {
    const named = NAMED[spec];
    if (named === undefined) throw bad(`build analyzer failed, filter not found :${spec}`);
    return named;
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) return undefined;
  const params = spec as Record<string, unknown>;
  const type = params['type'];
  if (type === undefined) throw bad('no type field in filter params');
  if (typeof type !== 'string') throw bad('filter type should be string');
  switch (type) {
    case 'length': return lengthFilter(params['max']);
    case 'stop': {
      if (params['stop_words_file'] !== undefined) throw bad('stop filter stop_words_file is not supported by Sextant (file resources are not implemented)');
      if (params['stop_words'] === undefined) throw bad('stop filter stop_words can\'t be empty');
      return stopFilter(expandStopWords(stringList(params['stop_words'], 'stop_words filter')));
    }
    case 'decompounder': return decompounderFilter(params['word_list']);
    case 'stemmer': {
      const language = params['language'];
      if (typeof language !== 'string') throw bad('stemmer language field should be string');
      return stemmerFilter(language);
    }
    case 'regex': return regexFilter(params['expr']);
    default: throw bad(`unsupport filter type: ${type}`);
  }
}

function lengthFilter(max: unknown): TokenFilter {
  if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 0) throw bad('lenth max param was none or not uint');
  return keep((s) => Buffer.byteLength(s, 'utf8') <= max);
}

function regexFilter(expr: unknown): TokenFilter {
  if (expr === undefined) throw bad('regex filter expr param not found');
  if (typeof expr !== 'string') throw bad('regex filter expr param should be string');
  let re: RegExp;
  try {
    re = new RegExp(expr, 'u');
  } catch (e) {
    throw bad(`regex filter build regex failed: ${(e as Error).message}`);
  }
  return keep((s) => re.test(s));
}

/**
 * Tantivy's SplitCompoundWords: a token fully covered by dictionary words (leftmost-longest
 * matches, no gaps) becomes those words, each with the token's offsets and position; any other
 * token passes unchanged.
 */
function decompounderFilter(wordList: unknown): TokenFilter {
  if (!Array.isArray(wordList)) throw bad('decompounder word list should be array');
  const words = wordList.map((w: unknown) => {
    if (typeof w !== 'string') throw bad('decompounder word list item should be string');
    return w;
  });
  const dict = new Set(words.filter((w) => w.length > 0));
  const lengths = [...new Set([...dict].map((w) => w.length))].sort((a, b) => b - a);
  return (tokens) => {
    const out: RawToken[] = [];
    for (const t of tokens) {
      const parts = split(t.text, dict, lengths);
      if (parts === null) out.push(t);
      else for (const p of parts) out.push({ ...t, text: p });
    }
    return out;
  };
}

function split(text: string, dict: ReadonlySet<string>, lengthsDesc: readonly number[]): string[] | null {
  const parts: string[] = [];
  let pos = 0;
  while (pos < text.length) {
    let found = 0;
    for (const len of lengthsDesc) {
      if (pos + len <= text.length && dict.has(text.slice(pos, pos + len))) { found = len; break; }
    }
    if (found === 0) return null;
    parts.push(text.slice(pos, pos + found));
    pos += found;
  }
  return parts.length === 0 ? null : parts;
}
