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
/** A gram's rows are intersected into the candidates only while at most this many times as many. */
const LONG_LIST_RATIO = 32;

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

  /**
   * `texts[i]` of row `rowIds[i]` (rows ascending). Typed arrays throughout (GramTable): one pass
   * counts each gram's rows, a second fills the postings in place (grams in first-seen order,
   * text by text, start by start, shortest first).
   */
  static build(minGram: number, maxGram: number, texts: readonly string[], rowIds: ArrayLike<number>): NgramPostings {
    const table = new GramTable();
    let counts = new Int32Array(1024);
    let last = new Int32Array(1024).fill(-1);
    for (let t = 0; t < texts.length; t++) {
      const s = texts[t]!;
      const row = rowIds[t]!;
      for (let i = 0; i < s.length; i++) {
        let h = HASH_SEED;
        const top = Math.min(maxGram, s.length - i);
        for (let len = 1; len <= top; len++) {
          h = hashStep(h, s.charCodeAt(i + len - 1));
          if (len < minGram) continue;
          const g = table.findOrAdd(h, s, i, len);
          if (g >= counts.length) { counts = grown(counts, 0); last = grown(last, -1); }
          if (last[g] !== row) { last[g] = row; counts[g]!++; }
        }
      }
    }
    const gramCount = table.size;
    const offsets = new Int32Array(gramCount + 1);
    let total = 0;
    for (let g = 0; g < gramCount; g++) { offsets[g] = total; total += counts[g]!; }
    offsets[gramCount] = total;
    const rows = new Int32Array(total);
    const cursor = offsets.slice(0, gramCount);
    last.fill(-1);
    for (let t = 0; t < texts.length; t++) {
      const s = texts[t]!;
      const row = rowIds[t]!;
      for (let i = 0; i < s.length; i++) {
        let h = HASH_SEED;
        const top = Math.min(maxGram, s.length - i);
        for (let len = 1; len <= top; len++) {
          h = hashStep(h, s.charCodeAt(i + len - 1));
          if (len < minGram) continue;
          const g = table.find(h, s, i, len);
          if (last[g] !== row) { last[g] = row; rows[cursor[g]!++] = row; }
        }
      }
    }
    return new NgramPostings(minGram, maxGram, table.grams, offsets, rows);
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
    for (let i = 1; i < lists.length && cur.length > 0; i++) {
      // A list far longer than the candidates narrows them little and costs a gallop per candidate
      // through it (cache misses over its length); the planner checks every candidate exactly anyway.
      if (lists[i]!.length > cur.length * LONG_LIST_RATIO) break;
      cur = intersect(cur, lists[i]!);
    }
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

const HASH_SEED = 0x811c9dc5;

function hashStep(h: number, unit: number): number {
  return Math.imul(h ^ unit, 0x01000193);
}

function grown(a: Int32Array<ArrayBuffer>, fill: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2).fill(fill);
  b.set(a);
  return b;
}

/**
 * Distinct grams by id (first-seen order): open addressing over 32-bit hashes of their UTF-16
 * units, each probe confirmed against the units themselves (kept in one Uint16Array), so two grams
 * never share an id whatever their hashes.
 */
class GramTable {
  readonly grams: string[] = [];
  private slots = new Int32Array(1 << 12).fill(-1);
  private hashes = new Int32Array(1024);
  private starts = new Int32Array(1024);
  private lens = new Int32Array(1024);
  private units = new Uint16Array(1 << 14);
  private unitsUsed = 0;

  get size(): number {
    return this.grams.length;
  }

  /** The id of s[at, at + len) (hash h), or -1. */
  find(h: number, s: string, at: number, len: number): number {
    const mask = this.slots.length - 1;
    for (let p = mix(h) & mask; ; p = (p + 1) & mask) {
      const g = this.slots[p]!;
      if (g < 0) return -1;
      if (this.hashes[g] === h && this.lens[g] === len && this.same(g, s, at, len)) return g;
    }
  }

  findOrAdd(h: number, s: string, at: number, len: number): number {
    const g = this.find(h, s, at, len);
    return g >= 0 ? g : this.add(h, s, at, len);
  }

  private same(g: number, s: string, at: number, len: number): boolean {
    const u = this.units;
    const from = this.starts[g]!;
    for (let k = 0; k < len; k++) if (u[from + k] !== s.charCodeAt(at + k)) return false;
    return true;
  }

  private add(h: number, s: string, at: number, len: number): number {
    const g = this.grams.length;
    if (g >= this.hashes.length) {
      this.hashes = grown(this.hashes, 0);
      this.starts = grown(this.starts, 0);
      this.lens = grown(this.lens, 0);
    }
    if (this.unitsUsed + len > this.units.length) {
      const u = new Uint16Array(Math.max(this.units.length * 2, this.unitsUsed + len));
      u.set(this.units);
      this.units = u;
    }
    for (let k = 0; k < len; k++) this.units[this.unitsUsed + k] = s.charCodeAt(at + k);
    this.hashes[g] = h;
    this.starts[g] = this.unitsUsed;
    this.lens[g] = len;
    this.unitsUsed += len;
    this.grams.push(s.slice(at, at + len));
    if (2 * (g + 1) > this.slots.length) this.rehash(this.slots.length * 2);
    else this.place(g, this.slots);
    return g;
  }

  private place(g: number, slots: Int32Array): void {
    const mask = slots.length - 1;
    let p = mix(this.hashes[g]!) & mask;
    while (slots[p]! >= 0) p = (p + 1) & mask;
    slots[p] = g;
  }

  private rehash(size: number): void {
    const slots = new Int32Array(size).fill(-1);
    for (let g = 0; g < this.grams.length; g++) this.place(g, slots);
    this.slots = slots;
  }
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}
