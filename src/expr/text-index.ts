/**
 * The positional inverted index TEXT_MATCH and PHRASE_MATCH read: per token, the rows holding it
 * (ascending) and, per row, the token's positions (ascending). Built once per chunk and field from
 * the analysed text (a sealed segment at load, a growing chunk when first filtered, merged chunks by
 * concatenating their parts' indexes), so a query never re-reads or re-analyses the text.
 *
 * PHRASE_MATCH semantics (Lucene-style sloppy phrase, as Milvus documents it): query term i at query
 * position q_i is placed at a row position p_i holding its token (distinct positions for repeated
 * tokens); the row matches when some placement has max(p_i - q_i) - min(p_i - q_i) <= slop. Slop 0
 * is the exact phrase; a swapped pair needs slop 2.
 */
import type { Analyzer } from '../analyzer/analyzer.js';
import { errors } from '../core/errors.js';
import type { Column, RowSource } from '../schema/column.js';
import type { PhraseTerm } from './plan.js';

/**
 * A row source that keeps text indexes (the engine's chunks): the index of `field` analysed with
 * the analyzer `analyzerKey` names, built at most once per chunk.
 */
export interface TextIndexSource {
  textIndex(field: string, analyzer: Analyzer, analyzerKey: string): TextIndex;
}

function hasTextIndexes(rows: RowSource): rows is RowSource & TextIndexSource {
  return typeof (rows as Partial<TextIndexSource>).textIndex === 'function';
}

/** The text index of a VarChar column (what a chunk builds and keeps). */
export function buildTextIndex(column: Column | undefined, field: string, analyzer: Analyzer): TextIndex {
  if (column === undefined || column.kind !== 'varchar') throw errors.internal(`field ${field} has no VarChar column to match`);
  const valid = column.valid;
  const texts = valid === null ? column.data : column.data.map((t, i) => (valid[i] === 0 ? null : t));
  return TextIndex.build(texts, analyzer);
}

/** The source's own index when it keeps them, else one built now (plain row sources in tests). */
export function textIndexOf(rows: RowSource, field: string, analyzer: Analyzer, analyzerKey: string): TextIndex {
  if (hasTextIndexes(rows)) return rows.textIndex(field, analyzer, analyzerKey);
  return buildTextIndex(rows.column(field), field, analyzer);
}

/** Counters for tests: rows analysed while building indexes (a query that scanned text would add here). */
export const textIndexStats = { rowsAnalyzed: 0, indexesBuilt: 0 };

interface Posting {
  /** Rows holding the token, ascending. */
  rows: Int32Array;
  /** Positions of row rows[j] are positions[starts[j] .. starts[j+1]). */
  starts: Int32Array;
  positions: Int32Array;
}

interface PostingBuilder {
  rows: number[];
  starts: number[];
  positions: number[];
}

export class TextIndex {
  private constructor(
    readonly numRows: number,
    private readonly terms: ReadonlyMap<string, Posting>,
    /** 1 where the row's text is present (null: every row); NULL rows are unknown to a match. */
    readonly valid: Uint8Array | null,
    readonly sizeBytes: number,
  ) {}

  /** Index `texts` (one per row; null for NULL) with `analyzer`. */
  static build(texts: readonly (string | null)[], analyzer: Analyzer): TextIndex {
    const b = new Map<string, PostingBuilder>();
    let valid: Uint8Array | null = null;
    for (let row = 0; row < texts.length; row++) {
      const text = texts[row];
      if (text === null || text === undefined) {
        if (valid === null) valid = new Uint8Array(texts.length).fill(1);
        valid[row] = 0;
        continue;
      }
      for (const t of analyzer.analyze(text)) {
        let p = b.get(t.token);
        if (p === undefined) b.set(t.token, (p = { rows: [], starts: [], positions: [] }));
        if (p.rows[p.rows.length - 1] !== row) {
          p.rows.push(row);
          p.starts.push(p.positions.length);
        }
        p.positions.push(t.position);
      }
    }
    textIndexStats.rowsAnalyzed += texts.length;
    textIndexStats.indexesBuilt++;
    return TextIndex.freeze(texts.length, b, valid);
  }

  /** The index of the rows of `parts` laid end to end (a merged chunk), without re-analysing. */
  static concat(parts: readonly TextIndex[]): TextIndex {
    const b = new Map<string, PostingBuilder>();
    let base = 0;
    let total = 0;
    for (const part of parts) total += part.numRows;
    let valid: Uint8Array | null = null;
    for (const part of parts) {
      if (part.valid !== null) {
        if (valid === null) valid = new Uint8Array(total).fill(1);
        valid.set(part.valid, base);
      }
      for (const [token, p] of part.terms) {
        let q = b.get(token);
        if (q === undefined) b.set(token, (q = { rows: [], starts: [], positions: [] }));
        for (let j = 0; j < p.rows.length; j++) {
          q.rows.push(p.rows[j]! + base);
          q.starts.push(q.positions.length);
          for (let k = p.starts[j]!; k < p.starts[j + 1]!; k++) q.positions.push(p.positions[k]!);
        }
      }
      base += part.numRows;
    }
    return TextIndex.freeze(total, b, valid);
  }

  private static freeze(numRows: number, b: Map<string, PostingBuilder>, valid: Uint8Array | null): TextIndex {
    const terms = new Map<string, Posting>();
    let bytes = valid === null ? 0 : valid.byteLength;
    for (const [token, p] of b) {
      p.starts.push(p.positions.length);
      const posting = { rows: Int32Array.from(p.rows), starts: Int32Array.from(p.starts), positions: Int32Array.from(p.positions) };
      sortPositions(posting);
      bytes += 48 + 2 * token.length + 4 * (p.rows.length + p.starts.length + p.positions.length);
      terms.set(token, posting);
    }
    return new TextIndex(numRows, terms, valid, bytes);
  }

  /** 1 for rows holding at least `minShouldMatch` of the distinct `tokens`. */
  matchAny(tokens: readonly string[], minShouldMatch: number): Uint8Array {
    const out = new Uint8Array(this.numRows);
    if (tokens.length < minShouldMatch) return out;
    if (minShouldMatch <= 1) {
      for (const t of tokens) {
        const p = this.terms.get(t);
        if (p !== undefined) for (const r of p.rows) out[r] = 1;
      }
      return out;
    }
    const counts = new Uint16Array(this.numRows);
    for (const t of tokens) {
      const p = this.terms.get(t);
      if (p !== undefined) for (const r of p.rows) counts[r]!++;
    }
    for (let r = 0; r < this.numRows; r++) out[r] = counts[r]! >= minShouldMatch ? 1 : 0;
    return out;
  }

  /** 1 for rows holding the phrase within `slop` (see the file comment). */
  matchPhrase(terms: readonly PhraseTerm[], slop: number): Uint8Array {
    const out = new Uint8Array(this.numRows);
    if (terms.length === 0) return out;
    const distinct = [...new Set(terms.map((t) => t.token))];
    const postings: Posting[] = [];
    for (const t of distinct) {
      const p = this.terms.get(t);
      if (p === undefined) return out;
      postings.push(p);
    }
    const byToken = new Map(distinct.map((t, i) => [t, i]));
    const termPosting = terms.map((t) => byToken.get(t.token) ?? 0);
    this.intersect(postings, (row, lists) => {
      if (phraseAt(terms, termPosting, lists, slop)) out[row] = 1;
    });
    return out;
  }

  /** Calls `hit(row, positions per posting)` for each row present in every posting. */
  private intersect(postings: readonly Posting[], hit: (row: number, lists: Int32Array[]) => void): void {
    let lead = 0;
    for (let i = 1; i < postings.length; i++) if (postings[i]!.rows.length < postings[lead]!.rows.length) lead = i;
    const cursors = new Int32Array(postings.length);
    const leadRows = postings[lead]!.rows;
    outer: for (const row of leadRows) {
      const lists: Int32Array[] = [];
      for (let i = 0; i < postings.length; i++) {
        const p = postings[i]!;
        let c = cursors[i]!;
        while (c < p.rows.length && p.rows[c]! < row) c++;
        cursors[i] = c;
        if (c === p.rows.length) break outer;
        if (p.rows[c] !== row) continue outer;
        lists.push(p.positions.subarray(p.starts[c]!, p.starts[c + 1]!));
      }
      hit(row, lists);
    }
  }
}

/**
 * Does one row hold the phrase? Try each window start w = p - q_i (ascending); a window [w, w+slop]
 * is feasible when every term i gets a distinct position of its token in [w+q_i, w+slop+q_i]. Per
 * token those intervals rise with i, so taking the smallest free position in order is optimal.
 */
function phraseAt(terms: readonly PhraseTerm[], termPosting: readonly number[], lists: readonly Int32Array[], slop: number): boolean {
  const starts: number[] = [];
  for (let i = 0; i < terms.length; i++) for (const p of lists[termPosting[i]!]!) starts.push(p - terms[i]!.position);
  starts.sort((a, b) => a - b);
  const next = new Int32Array(lists.length);
  for (let s = 0; s < starts.length; s++) {
    const w = starts[s]!;
    if (s > 0 && starts[s - 1] === w) continue;
    next.fill(0);
    let ok = true;
    for (let i = 0; i < terms.length && ok; i++) {
      const k = termPosting[i]!;
      const list = lists[k]!;
      const lo = w + terms[i]!.position;
      let j = next[k]!;
      while (j < list.length && list[j]! < lo) j++;
      if (j === list.length || list[j]! > lo + slop) ok = false;
      next[k] = j + 1;
    }
    if (ok) return true;
  }
  return false;
}

/** Positions within each row ascending (a tokenizer may emit overlapping tokens out of order). */
function sortPositions(p: Posting): void {
  for (let j = 0; j + 1 < p.starts.length; j++) {
    const seg = p.positions.subarray(p.starts[j]!, p.starts[j + 1]!);
    for (let k = 1; k < seg.length; k++) {
      if (seg[k - 1]! > seg[k]!) { seg.sort(); break; }
    }
  }
}
