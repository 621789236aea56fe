/**
 * Scalar index payloads (inside an index file, storage/index-file.ts, which adds the header and the
 * CRC). Version 2, little-endian (version 1 files are still read):
 *
 *   u8[4] "SXSC", u32 version (2), u8 shape (1 sorted postings, 2 n-gram postings, 3 rtree), u8[3] 0
 *   sorted: u8 key kind (0 num, 1 int64, 2 string, 3 bool), u8 elements, u8 prefixes, u8 ranges,
 *           u32 index type byte length, u32 distinct keys K, u32 postings P, index type UTF-8,
 *           keys (K f64 | K i64 | strings), i32[K + 1] offsets, i32[P] rows
 *   ngram:  u32 min_gram, u32 max_gram, u32 grams G, u32 postings P, units, i32[G + 1] offsets, i32[P] rows
 *   rtree:  u32 rows N, f64[4N] boxes (minX, minY, maxX, maxY per row), i32[N] rows (ascending)
 *   strings: u32[count] UTF-8 byte lengths, then the bytes
 *   units:   u32[count] lengths in UTF-16 code units, then the units (u16 each; a gram may be half
 *            of a surrogate pair, which UTF-8 cannot carry). Version 1 stored grams as strings.
 */
import type { IndexKeyKind } from '../../expr/scalar-index.js';
import { NgramPostings } from './ngram.js';
import { RtreePostings } from './rtree.js';
import { SortedPostings } from './sorted.js';

const MAGIC = 0x43535853; // "SXSC"
const VERSION = 2;
const KINDS: readonly IndexKeyKind[] = ['num', 'i64', 'str', 'bool'];

class Out {
  private readonly parts: Uint8Array[] = [];
  u32s(...xs: number[]): this {
    const b = new Uint8Array(4 * xs.length);
    const v = new DataView(b.buffer);
    xs.forEach((x, i) => v.setUint32(4 * i, x, true));
    this.parts.push(b);
    return this;
  }
  /** u32 each (not spread as arguments: there may be millions). */
  lengths(xs: readonly number[]): this {
    return this.bytes(Uint32Array.from(xs));
  }
  u8s(...xs: number[]): this {
    this.parts.push(Uint8Array.from(xs));
    return this;
  }
  bytes(a: ArrayBufferView): this {
    this.parts.push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice());
    return this;
  }
  strings(xs: readonly string[]): this {
    const enc = new TextEncoder();
    const encoded = xs.map((s) => enc.encode(s));
    this.lengths(encoded.map((e) => e.length));
    for (const e of encoded) this.parts.push(e);
    return this;
  }
  units(xs: readonly string[]): this {
    let n = 0;
    for (const s of xs) n += s.length;
    const u = new Uint16Array(n);
    let at = 0;
    for (const s of xs) for (let i = 0; i < s.length; i++) u[at++] = s.charCodeAt(i);
    this.lengths(xs.map((s) => s.length));
    return this.bytes(u); // little-endian hosts only, as every typed array payload here
  }
  done(): Uint8Array {
    let n = 0;
    for (const p of this.parts) n += p.length;
    const out = new Uint8Array(n);
    let at = 0;
    for (const p of this.parts) { out.set(p, at); at += p.length; }
    return out;
  }
}

class In {
  private at = 0;
  private readonly view: DataView;
  constructor(private readonly b: Uint8Array) {
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  private need(n: number): void {
    if (this.at + n > this.b.length) throw new Error(`scalar index payload truncated at byte ${this.at} (needs ${n} more)`);
  }
  u32(): number { this.need(4); const x = this.view.getUint32(this.at, true); this.at += 4; return x; }
  u8(): number { this.need(1); return this.b[this.at++]!; }
  take(n: number): Uint8Array { this.need(n); const s = this.b.slice(this.at, this.at + n); this.at += n; return s; }
  i32s(n: number): Int32Array { return new Int32Array(this.take(4 * n).buffer); }
  strings(n: number): string[] {
    const lens: number[] = [];
    for (let i = 0; i < n; i++) lens.push(this.u32());
    const dec = new TextDecoder();
    return lens.map((l) => dec.decode(this.take(l)));
  }
  units(n: number): string[] {
    const lens: number[] = [];
    for (let i = 0; i < n; i++) lens.push(this.u32());
    let total = 0;
    for (const l of lens) total += l;
    const u = new Uint16Array(this.take(2 * total).buffer);
    const out: string[] = [];
    let at = 0;
    for (const l of lens) {
      let s = '';
      for (let i = 0; i < l; i++) s += String.fromCharCode(u[at + i]!);
      out.push(s);
      at += l;
    }
    return out;
  }
  end(): void {
    if (this.at !== this.b.length) throw new Error(`scalar index payload has ${this.b.length - this.at} trailing bytes`);
  }
}

export type ScalarPostings = SortedPostings | NgramPostings | RtreePostings;

export function serializeScalarIndex(ix: ScalarPostings): Uint8Array {
  const o = new Out().u32s(MAGIC, VERSION);
  if (ix.shape === 'rtree') return o.u8s(3, 0, 0, 0).u32s(ix.rows.length).bytes(ix.boxes).bytes(ix.rows).done();
  if (ix.shape === 'ngram') {
    o.u8s(2, 0, 0, 0).u32s(ix.minGram, ix.maxGram, ix.grams.length, ix.rows.length).units(ix.grams);
    return o.bytes(ix.offsets).bytes(ix.rows).done();
  }
  const type = new TextEncoder().encode(ix.indexType);
  o.u8s(1, 0, 0, 0, KINDS.indexOf(ix.keyKind), ix.elements ? 1 : 0, ix.prefixes ? 1 : 0, ix.ranges ? 1 : 0);
  o.u32s(type.length, ix.keys.length, ix.rows.length).bytes(type);
  if (Array.isArray(ix.keys)) o.strings(ix.keys);
  else o.bytes(ix.keys);
  return o.bytes(ix.offsets).bytes(ix.rows).done();
}

export function deserializeScalarIndex(payload: Uint8Array): ScalarPostings {
  const r = new In(payload);
  if (r.u32() !== MAGIC) throw new Error('not a scalar index payload (bad magic)');
  const version = r.u32();
  if (version !== 1 && version !== VERSION) throw new Error(`scalar index payload version ${version} is not supported`);
  const shape = r.u8();
  r.take(3);
  if (shape === 2) {
    const min = r.u32(), max = r.u32(), g = r.u32(), p = r.u32();
    const grams = version === 1 ? r.strings(g) : r.units(g);
    const ix = new NgramPostings(min, max, grams, r.i32s(g + 1), r.i32s(p));
    r.end();
    return ix;
  }
  if (shape === 3) {
    const n = r.u32();
    const ix = new RtreePostings(new Float64Array(r.take(32 * n).buffer), r.i32s(n));
    r.end();
    return ix;
  }
  if (shape !== 1) throw new Error(`scalar index payload shape ${shape} is unknown`);
  const kind = KINDS[r.u8()];
  if (kind === undefined) throw new Error('scalar index payload has an unknown key kind');
  const elements = r.u8() === 1, prefixes = r.u8() === 1, ranges = r.u8() === 1;
  const typeLen = r.u32(), k = r.u32(), p = r.u32();
  const indexType = new TextDecoder().decode(r.take(typeLen));
  const keys = kind === 'str' ? r.strings(k) : kind === 'i64' ? new BigInt64Array(r.take(8 * k).buffer) : new Float64Array(r.take(8 * k).buffer);
  const ix = new SortedPostings({ indexType, prefixes, ranges }, kind, elements, keys, r.i32s(k + 1), r.i32s(p));
  r.end();
  return ix;
}
