/**
 * The lexical highlighter (`highlighter` of a search, Milvus 2.6.8+; MV internal/proxy/highlighter.go):
 * the terms of the BM25 search text (`highlight_search_text`) and of `TextMatch` queries are
 * analysed with the text field's analyzer; tokens of each hit's text equal to one of them are
 * wrapped in the tags (rotating by match within a fragment). A fragment starts `fragment_offset`
 * characters before its first match, is `fragment_size` characters long (stretched to end a match
 * it cuts), takes every match that starts inside it; the next unmatched match opens the next, up to
 * `num_of_fragments`. Offsets count Unicode code points, as Milvus's Go `[]rune` slicing does.
 */
import { errors } from '../core/errors.js';
import type { ScopedChunk } from '../engine/read.js';
import { gatherColumn } from '../engine/read.js';
import { DataType } from '../core/enums.js';
import type { CollectionSchema, FieldSchema } from '../schema/types.js';
import { fieldByName } from '../schema/types.js';
import { singleAnalyzer } from '../schema/text.js';
import type { Analyzer } from '../analyzer/analyzer.js';
import { annsFieldOf } from './anns.js';
import { bm25FunctionOf, queryTexts } from './bm25.js';
import { paramText } from './function-score.js';
import type { QueryHits } from './rerank.js';
import type * as T from './types.js';

export interface HighlightOptions {
  preTags: string[];
  postTags: string[];
  fragmentSize: number;
  numFragments: number;
  fragmentOffset: number;
  searchText: boolean;
  queries: { field: string; text: string }[];
}

const bad = (message: string): Error => errors.invalidParameter(message);

function tags(raw: unknown, key: string, fallback: string): string[] {
  const text = paramText(raw);
  if (text === undefined) return [fallback];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw bad(`unmarshal ${key} as string array failed: ${(e as Error).message}`);
  }
  if (!Array.isArray(parsed) || !parsed.every((t): t is string => typeof t === 'string')) throw bad(`unmarshal ${key} as string array failed: not a list of strings`);
  if (parsed.length === 0) throw bad(`${key} cannot be empty list`);
  return parsed;
}

function intOption(raw: unknown, key: string, fallback: number, min: number): number {
  const text = paramText(raw);
  if (text === undefined) return fallback;
  const n = /^[+-]?\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw bad(`invalid ${key}: ${text}`);
  return n;
}

/** Go's strconv.ParseBool. */
function goBool(text: string, key: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  throw bad(`unmarshal ${key} as bool failed: strconv.ParseBool: parsing "${text}": invalid syntax`);
}

function queriesOf(raw: unknown): HighlightOptions['queries'] {
  const text = paramText(raw);
  if (text === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw bad(`unmarshal highlight queries as json array failed: ${(e as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw bad('unmarshal highlight queries as json array failed: not an array');
  return parsed.map((q: unknown) => {
    if (typeof q !== 'object' || q === null || Array.isArray(q)) throw bad('unmarshal highlight queries failed: item in array is not json object');
    const m = q as Record<string, unknown>;
    for (const k of ['text', 'type', 'field']) {
      if (!(k in m)) throw bad(`unmarshal highlight queries failed: must set \`${k}\` in query`);
      if (typeof m[k] !== 'string') throw bad(`unmarshal highlight queries failed: \`${k}\` must be string`);
    }
    if (m['type'] !== 'TextMatch') throw bad(`unmarshal highlight queries failed: invalid highlight query type: ${String(m['type'])}`);
    return { field: m['field'] as string, text: m['text'] as string };
  });
}

/** The highlighter's options with Milvus's defaults (<em>, </em>, 100 characters, 5 fragments, offset 0). */
export function parseHighlighter(spec: T.HighlighterSpec): HighlightOptions {
  if (spec.type !== 'lexical') throw errors.invalidParameter('the semantic highlighter needs a network model service, which Sextant does not call; use the lexical highlighter');
  const p = spec.params;
  const searchRaw = paramText(p['highlight_search_text']);
  return {
    preTags: tags(p['pre_tags'], 'pre_tags', '<em>'),
    postTags: tags(p['post_tags'], 'post_tags', '</em>'),
    fragmentSize: intOption(p['fragment_size'], 'fragment_size', 100, 1),
    numFragments: intOption(p['num_of_fragments'], 'num_of_fragments', 5, 0),
    fragmentOffset: intOption(p['fragment_offset'], 'fragment_offset', 0, 0),
    searchText: searchRaw === undefined ? false : goBool(searchRaw, 'highlight_search_text'),
    // Milvus reads `queries`; the Node SDK sends `highlight_query`: both are taken.
    queries: [...queriesOf(p['queries']), ...queriesOf(p['highlight_query'])],
  };
}

/** [start, end) in code points. */
export interface Span { start: number; end: number }

/** Spans of the tokens of `text` that are terms, in code points, sorted, overlaps dropped. */
export function matchSpans(analyzer: Analyzer, text: string, terms: ReadonlySet<string>): Span[] {
  const tokens = analyzer.analyze(text).filter((t) => terms.has(t.token));
  if (tokens.length === 0) return [];
  const bytes = Buffer.byteLength(text, 'utf8');
  const cpAt = new Int32Array(bytes + 1);
  let b = 0;
  let cp = 0;
  for (const ch of text) {
    cpAt[b] = cp;
    b += Buffer.byteLength(ch, 'utf8');
    cp++;
  }
  cpAt[b] = cp;
  const spans = tokens.map((t) => ({ start: cpAt[t.startOffset]!, end: cpAt[t.endOffset]! })).sort((x, y) => x.start - y.start || y.end - x.end);
  const out: Span[] = [];
  for (const s of spans) if (out.length === 0 || s.start >= out[out.length - 1]!.end) out.push(s);
  return out;
}

/** The fragments of one text: its code points, the match spans, the options. */
export function fragmentsOf(chars: readonly string[], spans: readonly Span[], o: HighlightOptions): string[] {
  const windows: { start: number; end: number; spans: Span[] }[] = [];
  if (o.numFragments === 0 && spans.length > 0) windows.push({ start: 0, end: chars.length, spans: [...spans] });
  let i = 0;
  let prevEnd = 0;
  while (i < spans.length && windows.length < o.numFragments) {
    const start = Math.max(prevEnd, spans[i]!.start - o.fragmentOffset, 0);
    let end = Math.min(chars.length, start + o.fragmentSize);
    const taken: Span[] = [];
    while (i < spans.length && (taken.length === 0 || spans[i]!.start < end)) {
      end = Math.max(end, spans[i]!.end);
      taken.push(spans[i]!);
      i++;
    }
    windows.push({ start, end, spans: taken });
    prevEnd = end;
  }
  return windows.map((w) => {
    let out = '';
    let cursor = w.start;
    w.spans.forEach((s, k) => {
      out += chars.slice(cursor, s.start).join('') + o.preTags[k % o.preTags.length]! + chars.slice(s.start, s.end).join('') + o.postTags[k % o.postTags.length]!;
      cursor = s.end;
    });
    return out + chars.slice(cursor, w.end).join('');
  });
}

interface Task { field: FieldSchema; analyzer: Analyzer; searchTerms: Set<string>[] | null; queryTerms: Set<string> }

function textField(schema: CollectionSchema, name: string): FieldSchema {
  const f = fieldByName(schema, name);
  if (!f || f.isDynamic) throw bad(`highlight field not found in schema: ${name}`);
  if (f.dataType !== DataType.VarChar) throw bad(`highlight field ${name} must be a VarChar field`);
  return f;
}

function tasksOf(schema: CollectionSchema, req: T.SearchRequest, o: HighlightOptions): Map<string, Task> {
  const tasks = new Map<string, Task>();
  const task = (f: FieldSchema): Task => {
    let t = tasks.get(f.name);
    if (!t) tasks.set(f.name, (t = { field: f, analyzer: singleAnalyzer(f, `highlight on field ${f.name} with multi_analyzer_params is not supported yet`).analyzer, searchTerms: null, queryTerms: new Set() }));
    return t;
  };
  if (o.searchText) {
    const fn = bm25FunctionOf(schema, annsFieldOf(schema, req.annsField));
    if (fn) {
      const t = task(textField(schema, fn.inputFieldNames[0] ?? ''));
      t.searchTerms = queryTexts(req).map((text) => new Set(t.analyzer.tokens(text)));
    }
  }
  for (const q of o.queries) {
    const t = task(textField(schema, q.field));
    for (const token of t.analyzer.tokens(q.text)) t.queryTerms.add(token);
  }
  return tasks;
}

/** The highlight results of a search's final hits (one list per query). */
export function highlightHits(schema: CollectionSchema, scope: readonly ScopedChunk[], req: T.SearchRequest, perQuery: readonly QueryHits[]): T.HighlightResult[] {
  const o = parseHighlighter(req.highlighter!);
  const tasks = tasksOf(schema, req, o);
  const total = perQuery.reduce((a, q) => a + q.refs.chunk.length, 0);
  const chunk = new Int32Array(total);
  const row = new Int32Array(total);
  const queryOf = new Int32Array(total);
  let at = 0;
  perQuery.forEach((q, qi) => {
    chunk.set(q.refs.chunk, at);
    row.set(q.refs.row, at);
    queryOf.fill(qi, at, at + q.refs.chunk.length);
    at += q.refs.chunk.length;
  });
  return [...tasks.values()].map((t) => {
    const col = gatherColumn(scope, t.field, { chunk, row });
    const datas: T.HighlightData[] = [];
    for (let i = 0; i < total; i++) {
      const text = col.kind === 'varchar' && (col.valid === null || col.valid[i] === 1) ? col.data[i]! : null;
      const terms = new Set([...(t.searchTerms?.[queryOf[i]!] ?? []), ...t.queryTerms]);
      const spans = text === null || terms.size === 0 ? [] : matchSpans(t.analyzer, text, terms);
      datas.push({ fragments: spans.length === 0 ? [] : fragmentsOf([...text!], spans, o), scores: [] });
    }
    return { fieldName: t.field.name, datas };
  });
}
