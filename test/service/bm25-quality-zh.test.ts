/**
 * BM25 quality on Chinese (issue 15): Debian's `fortunes-zh` (`chinese`, `tang300`, `song100`; the
 * poems' ANSI colour escapes stripped; `.ci/run` installs the package) in a field with the built-in
 * `chinese` analyzer (jieba, search mode, cnalphanumonly). For a fixed query set, Sextant's top-10
 * and scores equal the independent reference (wink-bm25 fed the same jieba tokens, reference §7.1)
 * to float32 precision, for every `inverted_index_algo`, with the rows split over a flushed segment
 * and growing data in another partition (statistics are collection-wide).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataType } from '../../src/core/enums.js';
import { buildAnalyzer } from '../../src/analyzer/analyzer.js';
import { SextantService } from '../../src/service/service.js';
import type { FieldSpecInput } from '../../src/service/types.js';
import { withTempDir } from '../support/tmp.js';
import { agree, searchAll, textBatch, winkReference } from '../support/bm25-reference.js';

const FORTUNES = '/usr/share/games/fortunes';
const FILES = ['chinese', 'tang300', 'song100'];
const ANALYZER = { type: 'chinese' };
const QUERIES = ['自由软件', '人生的意义', '明月 故乡', '春风', '朋友和爱情', '时间就是金钱', '李白 杜甫', '计算机程序', 'Debian 社区', '黄河之水天上来',
  '不知道'];

function corpus(): string[] {
  const docs: string[] = [];
  for (const name of FILES) {
    const text = readFileSync(join(FORTUNES, name), 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
    for (const d of text.split('\n%\n')) if (d.trim().length > 0) docs.push(d.trim());
  }
  return docs;
}

const fields: FieldSpecInput[] = [
  { name: 'id', dataType: DataType.Int64, isPrimaryKey: true },
  { name: 'text', dataType: DataType.VarChar, maxLength: 65535, typeParams: { enable_analyzer: 'true', analyzer_params: JSON.stringify(ANALYZER) } },
  { name: 'sparse', dataType: DataType.SparseFloatVector },
];

test('fortunes-zh with the chinese analyzer: top-10 and scores equal wink-bm25 on the same jieba tokens, every inverted_index_algo', async (t) => {
  const docs = corpus();
  t.diagnostic(`fortunes-zh documents: ${docs.length}`);
  assert.ok(docs.length > 5000, 'the fortunes-zh package is installed');
  const analyzer = buildAnalyzer(ANALYZER);
  const wink = winkReference(docs, (x) => analyzer.tokens(x));
  for (const q of QUERIES) assert.ok(wink.search(q, 10).length > 0, `"${q}" finds something in the reference (a query that tests nothing is a bad query)`);
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    try {
      for (const algo of ['DAAT_MAXSCORE', 'DAAT_WAND', 'TAAT_NAIVE']) {
        const coll = `zh_${algo.toLowerCase()}`;
        await svc.createCollection({ collectionName: coll, fields, functions: [{ name: 'bm25', description: '', type: 1, inputFieldNames: ['text'], outputFieldNames: ['sparse'], params: {} }] });
        await svc.createPartition({ collectionName: coll, partitionName: 'p1' });
        const half = Math.floor(docs.length / 2);
        await svc.insert({ collectionName: coll, ...textBatch(docs, 0, half) });
        await svc.flush({ collectionNames: [coll] });
        await svc.insert({ collectionName: coll, partitionName: 'p1', ...textBatch(docs, half, docs.length) });
        await svc.createIndex({ collectionName: coll, fieldName: 'sparse', params: { index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'BM25', bm25_k1: '1.2', bm25_b: '0.75', inverted_index_algo: algo } });
        await svc.loadCollection({ collectionName: coll });
        const got = await searchAll(svc, coll, QUERIES);
        QUERIES.forEach((q, i) => agree(`${algo} "${q}"`, got[i]!, wink.search(q, 10)));
        t.diagnostic(`${algo}: ${QUERIES.length} queries agree (${got.reduce((a, h) => a + h.ids.length, 0)} hits compared)`);
      }
    } finally {
      await svc.close();
    }
  });
});
