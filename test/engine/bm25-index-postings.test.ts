/**
 * BM25 search on a sealed segment reads the posting lists of its loaded SPARSE_INVERTED_INDEX (from
 * the index file) instead of rebuilding them from the column: the lists are the index's own arrays,
 * and they equal, term by term, the lists built from the column (row lengths, token total, bounds).
 * An index built with `drop_ratio_build` lacks values, so BM25 then builds from the column and the
 * statistics stay exact: the hits and scores are the same with and without the pruned index.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType } from '../../src/core/enums.js';
import { chunkPostings } from '../../src/engine/bm25.js';
import { buildBm25Postings, type Bm25Postings } from '../../src/index/bm25.js';
import type { Column } from '../../src/schema/column.js';
import { SextantService } from '../../src/service/service.js';
import { withTempDir } from '../support/tmp.js';

const WORDS = ['apple', 'pear', 'plum', 'fig', 'kiwi', 'lime', 'date', 'nut'];

function texts(n: number): string[] {
  let seed = 7;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
  return Array.from({ length: n }, (_, i) => (i % 17 === 0 ? '' : Array.from({ length: 1 + Math.floor(rnd() * 9) }, () => WORDS[Math.floor(rnd() * rnd() * WORDS.length)]!).join(' ')));
}

/** Term -> [rows, tfs, maxTf, minDl], independent of slot numbering. */
function byTerm(p: Bm25Postings): Map<number, [number[], number[], number, number]> {
  const out = new Map<number, [number[], number[], number, number]>();
  for (const [term, s] of p.slots) {
    const from = p.offsets[s]!, to = p.offsets[s + 1]!;
    out.set(term, [[...p.rows.subarray(from, to)], [...p.tfs.subarray(from, to)], p.maxTf[s]!, p.minDl[s]!]);
  }
  return out;
}

async function sealedCollection(svc: SextantService, name: string, indexParams: Record<string, string>, data: string[]): Promise<void> {
  await svc.createCollection({
    collectionName: name,
    fields: [
      { name: 'id', dataType: DataType.Int64, isPrimaryKey: true },
      { name: 'text', dataType: DataType.VarChar, maxLength: 200, typeParams: { enable_analyzer: 'true' } },
      { name: 'sparse', dataType: DataType.SparseFloatVector },
    ],
    functions: [{ name: 'bm25', description: '', type: 1, inputFieldNames: ['text'], outputFieldNames: ['sparse'], params: {} }],
  });
  await svc.createIndex({ collectionName: name, fieldName: 'sparse', params: { index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'BM25', ...indexParams } });
  await svc.insert({ collectionName: name, numRows: data.length, columns: new Map<string, Column>([
    ['id', { kind: 'int64', data: BigInt64Array.from(data, (_, i) => BigInt(i)), valid: null }],
    ['text', { kind: 'varchar', data, valid: null }],
  ]) });
  await svc.flush({ collectionNames: [name] });
  for (let i = 0; i < 600; i++) {
    if ((await svc.describeIndex({ collectionName: name, fieldName: 'sparse' }))[0]!.pendingRows === 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await svc.loadCollection({ collectionName: name });
}

test('BM25 reads a sealed segment\'s posting lists from its loaded sparse index; equal to the column\'s; pruned indexes are not used', async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    try {
      const data = texts(2000);
      await sealedCollection(svc, 'full', {}, data);
      await sealedCollection(svc, 'pruned', { drop_ratio_build: '0.3' }, data);
      for (const [name, shared] of [['full', true], ['pruned', false]] as const) {
        const c = svc.engine.findCollection('default', name)!;
        const chunks = c.chunksOf(c.loadedPartitions());
        const sealed = chunks.filter((s) => s.chunk.indexes.has('sparse'));
        assert.equal(sealed.length, 1, `${name}: one sealed segment with its index loaded`);
        const s = sealed[0]!;
        const p = chunkPostings(s, 'sparse')!;
        const lists = s.chunk.indexes.get('sparse')!.index.postingLists?.() ?? null;
        assert.equal(lists !== null && p.rows === lists.rows && p.tfs === lists.values, shared, `${name}: posting lists taken from the index`);
        const col = s.chunk.column('sparse')!;
        assert.equal(col.kind, 'sparseVector');
        if (col.kind !== 'sparseVector') return;
        const built = buildBm25Postings(col.data, col.valid, s.chunk.numRows);
        assert.equal(p.totalTokens, built.totalTokens);
        assert.deepEqual([...p.docLen], [...built.docLen]);
        assert.deepEqual(byTerm(p), byTerm(built));
      }
      for (const text of ['apple', 'kiwi nut', 'date date fig', 'plum lime pear']) {
        const [full, pruned] = await Promise.all(['full', 'pruned'].map((collectionName) => svc.search({ collectionName, annsField: 'sparse', data: [text], topK: 20 })));
        assert.deepEqual([...pruned!.scores], [...full!.scores], `${text}: same scores`);
        assert.deepEqual(pruned!.ids, full!.ids, `${text}: same hits`);
      }
    } finally {
      await svc.close();
    }
  });
});
