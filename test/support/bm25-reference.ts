/**
 * The independent BM25 reference of the quality tests (reference §7.1): `wink-bm25-text-search`
 * with Sextant's analyzer injected as its only prep task (so both sides see the same tokens),
 * k1 1.2, b 0.75, IDF constant k = 1 (= Milvus's ln(1 + (N - n + 0.5) / (n + 0.5))), consolidate(9)
 * (the default rounds scores to 4 decimals and makes false ties). Plus the comparison used by the
 * tests: same hits, scores equal to float32 precision, ids may swap only among float32 near-ties.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { Column } from '../../src/schema/column.js';
import type { SextantService } from '../../src/service/service.js';

export interface Wink {
  defineConfig(c: unknown): void;
  definePrepTasks(t: ((x: string) => string[])[]): void;
  addDoc(doc: Record<string, string>, id: number): void;
  consolidate(fp: number): void;
  search(q: string, limit: number): [string | number, number][];
}
const winkFactory = createRequire(import.meta.url)('wink-bm25-text-search') as () => Wink;

/** wink-bm25 over `docs` (those `keep` accepts), ids = positions in `docs`, tokens from `tokens`. */
export function winkReference(docs: readonly string[], tokens: (text: string) => string[], keep: (i: number) => boolean = () => true): Wink {
  const w = winkFactory();
  w.defineConfig({ fldWeights: { body: 1 }, bm25Params: { k1: 1.2, b: 0.75, k: 1 } });
  w.definePrepTasks([tokens]);
  docs.forEach((d, i) => { if (keep(i)) w.addDoc({ body: d }, i); });
  w.consolidate(9);
  return w;
}

export interface Hits { ids: number[]; scores: number[] }

/** Our hits equal the reference's: same scores to float32 precision, same ids except among near-ties at the cut. */
export function agree(query: string, got: Hits, wantRaw: [string | number, number][]): void {
  const want = wantRaw.map(([id, score]): [number, number] => [Number(id), score]);
  assert.equal(got.ids.length, want.length, `${query}: hit count`);
  for (let i = 0; i < want.length; i++) {
    const [wid, ws] = want[i]!;
    const rel = Math.abs(got.scores[i]! - ws) / Math.max(1, Math.abs(ws));
    assert.ok(rel < 2e-6, `${query}: rank ${i} score ${got.scores[i]} vs ${ws}`);
    if (got.ids[i] !== wid) {
      // Only documents whose scores tie within float32 precision may trade places.
      const other = want.find(([id]) => id === got.ids[i]);
      assert.ok(other !== undefined && Math.abs(other[1] - ws) / ws < 2e-6, `${query}: rank ${i} id ${got.ids[i]} vs ${wid}`);
    }
  }
}

/** One text search per query (nq = queries.length, top 10), split per query. */
export async function searchAll(svc: SextantService, coll: string, queries: readonly string[]): Promise<Hits[]> {
  const r = await svc.search({ collectionName: coll, annsField: 'sparse', data: queries, topK: 10 });
  const out: Hits[] = [];
  let at = 0;
  for (const n of r.topks) {
    out.push({ ids: Array.from(r.ids.data.slice(at, at + n), Number), scores: Array.from(r.scores.subarray(at, at + n)) });
    at += n;
  }
  return out;
}

/** Rows [from, to) of `docs` as an insert batch: id = position, text = the document. */
export function textBatch(docs: readonly string[], from: number, to: number): { numRows: number; columns: Map<string, Column> } {
  const ids = new BigInt64Array(to - from);
  for (let i = from; i < to; i++) ids[i - from] = BigInt(i);
  return { numRows: to - from, columns: new Map<string, Column>([['id', { kind: 'int64', data: ids, valid: null }], ['text', { kind: 'varchar', data: docs.slice(from, to), valid: null }]]) };
}
