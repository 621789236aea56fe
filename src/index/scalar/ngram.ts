/**
 * NGRAM (Milvus 2.6): every substring of `minGram`..`maxGram` UTF-16 code units of each text, with
 * the rows holding it (ascending). A `like` literal of at least `minGram` units is looked up as its
 * own gram (when it is at most `maxGram` long) or as the intersection of its `maxGram`-grams; the
 * planner then checks each candidate against the pattern, so results equal the scan's.
 */
import type { NgramScalarIndex } from '../../expr/scalar-index.js';
import type { MemoryTally } from '../memory.js';

/** Grams of one long literal intersected at most (spread over it; more only narrow a little). */
const GRAMS_PER_LITERAL = 6;

export class NgramPostings implements NgramScalarIndex {
  readonly shape = 'ngram';
  readonly indexType = 'NGRAM';
  private readonly lookup: Map<string, number>;

  constructor(
    readonly minGram: number,
    readonly maxGram: number,
    /** Distinct grams; rows of gram i are rows[offsets[i] .. offsets[i+1]). */
    readonly grams: string[],
    readonly offsets: Int32Array,
    readonly rows: Int32Array,
  ) {
    this.lookup = new Map();
    for (let i = 0; i < grams.length; i++) this.lookup.set(grams[i]!, i);
  }

  /** `texts[i]` of row `rowIds[i]` (rows ascending). */
  static build(minGram: number, maxGram: number, texts: readonly string[], rowIds: readonly number[]): NgramPostings {
    const postings = new Map<string, number[]>();
    for (let t = 0; t < texts.length; t++) {
      const s = texts[t]!;
      const row = rowIds[t]!;
      for (let len = minGram; len <= maxGram; len++) {
        for (let i = 0; i + len <= s.length; i++) {
          const g = s.slice(i, i + len);
          let p = postings.get(g);
          if (p === undefined) postings.set(g, (p = []));
          if (p[p.length - 1] !== row) p.push(row);
        }
      }
    }
    const grams = [...postings.keys()];
    const offsets = new Int32Array(grams.length + 1);
    let total = 0;
    for (let i = 0; i < grams.length; i++) { offsets[i] = total; total += postings.get(grams[i]!)!.length; }
    offsets[grams.length] = total;
    const rows = new Int32Array(total);
    for (let i = 0; i < grams.length; i++) rows.set(postings.get(grams[i]!)!, offsets[i]!);
    return new NgramPostings(minGram, maxGram, grams, offsets, rows);
  }

  private posting(gram: string): Int32Array {
    const i = this.lookup.get(gram);
    if (i === undefined) return new Int32Array(0);
    return this.rows.subarray(this.offsets[i]!, this.offsets[i + 1]!);
  }

  /** The postings one literal needs (null: too short to narrow anything). */
  private literalPostings(lit: string): Int32Array[] | null {
    if (lit.length < this.minGram) return null;
    if (lit.length <= this.maxGram) return [this.posting(lit)];
    const starts = lit.length - this.maxGram + 1;
    const picks = Math.min(GRAMS_PER_LITERAL, starts);
    const out: Int32Array[] = [];
    for (let j = 0; j < picks; j++) {
      const at = picks === 1 ? 0 : Math.round((j * (starts - 1)) / (picks - 1));
      out.push(this.posting(lit.slice(at, at + this.maxGram)));
    }
    return out;
  }

  candidates(literals: readonly string[]): Int32Array | null {
    const lists: Int32Array[] = [];
    for (const lit of literals) {
      const p = this.literalPostings(lit);
      if (p !== null) lists.push(...p);
    }
    if (lists.length === 0) return null;
    lists.sort((a, b) => a.length - b.length);
    let cur = lists[0]!;
    for (let i = 1; i < lists.length && cur.length > 0; i++) cur = intersect(cur, lists[i]!);
    return cur;
  }

  countMemory(t: MemoryTally): void {
    t.array(this.offsets).array(this.rows);
    let bytes = 0;
    for (const g of this.grams) bytes += 16 + 2 * g.length + 40; // the string and its map entry
    t.other(bytes);
  }
}

/** Rows in both ascending lists (galloping from the shorter one). */
function intersect(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(Math.min(a.length, b.length));
  let w = 0;
  let j = 0;
  for (let i = 0; i < a.length && j < b.length; i++) {
    const x = a[i]!;
    let step = 1;
    while (j + step < b.length && b[j + step]! < x) step *= 2;
    let lo = j;
    let hi = Math.min(j + step, b.length);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (b[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    j = lo;
    if (j < b.length && b[j] === x) out[w++] = x;
  }
  return out.slice(0, w);
}
