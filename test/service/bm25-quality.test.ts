/**
 * BM25 quality (issue 15): on Debian's `fortunes` corpus (English; `.ci/run` installs it), Sextant's
 * top-10 for fixed queries equals an independent reference BM25, `wink-bm25-text-search` with the
 * standard analyzer injected and consolidate(9) (reference §7.1), with scores equal to float32
 * precision; for every `inverted_index_algo`. The statistics are collection-wide (across partitions,
 * growing and flushed segments); deleted documents are never hits but keep counting, as in Milvus,
 * until a manual compaction drops them: then the scores equal the reference built without them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataType } from '../../src/core/enums.js';
import { buildAnalyzer } from '../../src/analyzer/analyzer.js';
import { SextantService } from '../../src/service/service.js';
import type { FieldSpecInput } from '../../src/service/types.js';
import { withTempDir } from '../support/tmp.js';
import { agree, searchAll, textBatch, winkReference } from '../support/bm25-reference.js';

const fields: FieldSpecInput[] = [
  { name: 'id', dataType: DataType.Int64, isPrimaryKey: true },
  { name: 'text', dataType: DataType.VarChar, maxLength: 65535, typeParams: { enable_analyzer: 'true' } },
  { name: 'sparse', dataType: DataType.SparseFloatVector },
];

const FORTUNES = '/usr/share/games/fortunes';
const NOT_ENGLISH = new Set(['chinese', 'tang300', 'song100']);
const QUERIES = ['computer science', 'love and marriage', 'the meaning of life', 'money', 'god', 'unix system programmer',
  'war peace', 'a cat', 'beer wine drink', 'ancient chinese proverb'];

function corpus(): string[] {
  const docs: string[] = [];
  for (const name of readdirSync(FORTUNES).sort()) {
    const path = join(FORTUNES, name);
    if (name.includes('.') || NOT_ENGLISH.has(name) || !statSync(path).isFile()) continue;
    for (const d of readFileSync(path, 'utf8').split('\n%\n')) if (d.trim().length > 0) docs.push(d.trim());
  }
  return docs;
}

test('fortunes: top-10 and scores equal wink-bm25 for every inverted_index_algo; deleted rows count until compaction', async (t) => {
  const docs = corpus();
  t.diagnostic(`fortunes documents: ${docs.length}`);
  assert.ok(docs.length > 5000, 'the fortunes package is installed');
  const analyzer = buildAnalyzer(undefined);
  const wink = winkReference(docs, (x) => analyzer.tokens(x));
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    try {
      for (const algo of ['DAAT_MAXSCORE', 'DAAT_WAND', 'TAAT_NAIVE']) {
        const coll = `f_${algo.toLowerCase()}`;
        await svc.createCollection({ collectionName: coll, fields, functions: [{ name: 'bm25', description: '', type: 1, inputFieldNames: ['text'], outputFieldNames: ['sparse'], params: {} }] });
        await svc.createPartition({ collectionName: coll, partitionName: 'p1' });
        // Half in _default (flushed: a sealed segment), half in p1 (growing).
        const half = Math.floor(docs.length / 2);
        await svc.insert({ collectionName: coll, ...textBatch(docs, 0, half) });
        await svc.flush({ collectionNames: [coll] });
        await svc.insert({ collectionName: coll, partitionName: 'p1', ...textBatch(docs, half, docs.length) });
        await svc.createIndex({ collectionName: coll, fieldName: 'sparse', params: { index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'BM25', bm25_k1: '1.2', bm25_b: '0.75', inverted_index_algo: algo } });
        await svc.loadCollection({ collectionName: coll });
        const got = await searchAll(svc, coll, QUERIES);
        QUERIES.forEach((q, i) => agree(`${algo} "${q}"`, got[i]!, wink.search(q, 10)));
        // Searching one partition still uses the collection-wide statistics.
        const p1 = await svc.search({ collectionName: coll, annsField: 'sparse', data: ['money'], topK: 10, partitionNames: ['p1'] });
        const want = wink.search('money', 10000).filter(([id]) => Number(id) >= half).slice(0, 10);
        agree(`${algo} p1 "money"`, { ids: Array.from(p1.ids.data, Number), scores: Array.from(p1.scores) }, want);
      }
      // Deleted rows are never hits but keep counting in the statistics until compaction drops them
      // (as in Milvus): the reference indexes every document and leaves the deleted ones out of its ranking.
      const gone = (i: number) => i % 3 === 0;
      const ids = docs.map((_, i) => i).filter(gone);
      await svc.delete({ collectionName: 'f_taat_naive', filter: `id in [${ids.join(',')}]` });
      const live = (r: [string | number, number][]) => r.filter(([id]) => !gone(Number(id))).slice(0, 10);
      const got = await searchAll(svc, 'f_taat_naive', QUERIES);
      QUERIES.forEach((q, i) => agree(`after delete "${q}"`, got[i]!, live(wink.search(q, 10000))));
      // Once a manual compaction has dropped them, the reference is built without them.
      const job = await svc.compact({ collectionName: 'f_taat_naive' });
      let state = job.state;
      for (let i = 0; i < 1200 && state === 'Executing'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        state = (await svc.getCompactionState({ compactionId: job.compactionId })).state;
      }
      assert.equal(state, 'Completed', 'manual compaction');
      const after = winkReference(docs, (x) => analyzer.tokens(x), (i) => !gone(i));
      const compacted = await searchAll(svc, 'f_taat_naive', QUERIES);
      QUERIES.forEach((q, i) => agree(`after compaction "${q}"`, compacted[i]!, after.search(q, 10)));
    } finally {
      await svc.close();
    }
  });
});
