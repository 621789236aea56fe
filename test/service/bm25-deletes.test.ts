/**
 * BM25 statistics and deletes (issue 15), as in Milvus: a deleted row, and the old version of an
 * upserted row, is never a hit but keeps counting in N, total tokens and df until compaction drops
 * it from its segment; after a manual compaction (Completed) the scores equal the computation
 * without it. Scores are checked against a hand computation of Milvus's BM25 (IDF
 * ln(1 + (N - df + 0.5) / (df + 0.5)), k1 1.2, b 0.75, avgdl = max(1, tokens / N)).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataType } from '../../src/core/enums.js';
import { buildAnalyzer } from '../../src/analyzer/analyzer.js';
import type { Column } from '../../src/schema/column.js';
import { SextantService } from '../../src/service/service.js';
import type { FieldSpecInput } from '../../src/service/types.js';
import { withTempDir } from '../support/tmp.js';
import { textBatch } from '../support/bm25-reference.js';

const fields: FieldSpecInput[] = [
  { name: 'id', dataType: DataType.Int64, isPrimaryKey: true },
  { name: 'text', dataType: DataType.VarChar, maxLength: 1000, typeParams: { enable_analyzer: 'true' } },
  { name: 'sparse', dataType: DataType.SparseFloatVector },
];
const DOCS = ['apple banana', 'apple apple cherry', 'apple', 'banana cherry date', 'cherry date elder fig', 'apple fig',
  'banana banana', 'apple date', 'grape', 'apple banana cherry date elder', 'fig grape', 'date'];
const DELETED = [0, 1, 2, 7];
const UPSERTED = { id: 8, text: 'apple grape grape' };
const QUERY = 'apple grape';
const analyzer = buildAnalyzer(undefined);

/** Milvus's BM25 scores of `QUERY` for the `hits` rows, with statistics over the `counted` rows. */
function expected(counted: readonly string[], hits: ReadonlyMap<number, string>): Map<number, number> {
  const docs = counted.map((d) => analyzer.tokens(d));
  const n = docs.length;
  const avgdl = Math.max(1, docs.reduce((s, d) => s + d.length, 0) / n);
  const qtf = new Map<string, number>();
  for (const t of analyzer.tokens(QUERY)) qtf.set(t, (qtf.get(t) ?? 0) + 1);
  const out = new Map<number, number>();
  for (const [id, text] of hits) {
    const doc = analyzer.tokens(text);
    let score = 0;
    for (const [term, q] of qtf) {
      const tf = doc.filter((t) => t === term).length;
      if (tf === 0) continue;
      const df = docs.filter((d) => d.includes(term)).length;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      score += q * idf * (tf * 2.2) / (tf + 1.2 * (1 - 0.75 + 0.75 * doc.length / avgdl));
    }
    if (score > 0) out.set(id, score);
  }
  return out;
}

async function scores(svc: SextantService): Promise<Map<number, number>> {
  const r = await svc.search({ collectionName: 'c', annsField: 'sparse', data: [QUERY], topK: 20 });
  return new Map(Array.from(r.ids.data, Number).map((id, i) => [id, r.scores[i]!]));
}

function same(label: string, got: Map<number, number>, want: Map<number, number>): void {
  assert.deepEqual([...got.keys()].sort((a, b) => a - b), [...want.keys()].sort((a, b) => a - b), `${label}: hits`);
  for (const [id, w] of want) assert.ok(Math.abs(got.get(id)! - w) / w < 1e-5, `${label}: id ${id} score ${got.get(id)} vs ${w}`);
}

test('deleted and upserted-away rows count in BM25 statistics until compaction drops them', async (t) => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    try {
      await svc.createCollection({ collectionName: 'c', fields, functions: [{ name: 'bm25', description: '', type: 1, inputFieldNames: ['text'], outputFieldNames: ['sparse'], params: {} }] });
      // Half flushed (a sealed segment), half growing.
      await svc.insert({ collectionName: 'c', ...textBatch(DOCS, 0, 6) });
      await svc.flush({ collectionNames: ['c'] });
      await svc.insert({ collectionName: 'c', ...textBatch(DOCS, 6, DOCS.length) });
      await svc.createIndex({ collectionName: 'c', fieldName: 'sparse', params: { index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'BM25', bm25_k1: '1.2', bm25_b: '0.75' } });
      await svc.loadCollection({ collectionName: 'c' });
      same('before delete', await scores(svc), expected(DOCS, new Map(DOCS.map((d, i) => [i, d]))));

      await svc.delete({ collectionName: 'c', filter: `id in [${DELETED.join(',')}]` });
      const upsert = new Map<string, Column>([['id', { kind: 'int64', data: BigInt64Array.of(BigInt(UPSERTED.id)), valid: null }], ['text', { kind: 'varchar', data: [UPSERTED.text], valid: null }]]);
      await svc.upsert({ collectionName: 'c', numRows: 1, columns: upsert });
      const live = new Map(DOCS.map((d, i): [number, string] => [i, i === UPSERTED.id ? UPSERTED.text : d]).filter(([i]) => !DELETED.includes(i)));
      const withDeleted = expected([...DOCS, UPSERTED.text], live);
      const withoutDeleted = expected([...live.values()], live);
      for (const [id, w] of withDeleted) assert.ok(Math.abs(w - withoutDeleted.get(id)!) / w > 1e-3, `the two computations differ for id ${id}`);
      same('after delete and upsert, before compaction', await scores(svc), withDeleted);

      const job = await svc.compact({ collectionName: 'c' });
      let state = job.state;
      for (let i = 0; i < 600 && state === 'Executing'; i++) {
        await sleep(50);
        state = (await svc.getCompactionState({ compactionId: job.compactionId })).state;
      }
      assert.equal(state, 'Completed');
      t.diagnostic(`compaction plans: ${(await svc.getCompactionState({ compactionId: job.compactionId })).plans.map((p) => `${p.sources.join('+')} -> ${p.target}`).join(', ')}`);
      same('after compaction', await scores(svc), withoutDeleted);
    } finally {
      await svc.close();
    }
  });
});
