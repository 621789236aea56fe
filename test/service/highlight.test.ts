/**
 * The lexical highlighter through the service on a BM25 collection. Expected fragments are written
 * out by hand: the first four cases are the outputs printed in Milvus's text-highlighter docs
 * (milvus-docs site/en/userGuide/search-query-get/text-highlighter.md, same documents and options),
 * the rest count code points by hand (emoji and accented letters before a match, several fragments,
 * rotating tags).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType } from '../../src/core/enums.js';
import { MilvusError } from '../../src/core/errors.js';
import type { Column } from '../../src/schema/column.js';
import { SextantService } from '../../src/service/service.js';
import type { HighlighterSpec, SearchResult } from '../../src/service/types.js';
import { withTempDir } from '../support/tmp.js';

const DOCS = [
  'my first test doc',
  'my second test doc',
  'my first test doc. Milvus is an open-source vector database built for GenAI applications.',
  'my second test doc. Milvus is an open-source vector database that suits AI applications of every size from running a demo chatbot to building web-scale search.',
  '🍎 café naïve apple',
  'apple one two three four five six seven eight apple nine ten apple',
  '🍎🍎 apple 🍎🍎🍎 pie',
];

async function docs(svc: SextantService): Promise<void> {
  await svc.createCollection({
    collectionName: 'docs',
    fields: [
      { name: 'id', dataType: DataType.Int64, isPrimaryKey: true },
      { name: 'text', dataType: DataType.VarChar, maxLength: 2000, typeParams: { enable_analyzer: 'true', enable_match: 'true' } },
      { name: 'sparse', dataType: DataType.SparseFloatVector },
    ],
    functions: [{ name: 'bm25', description: '', type: 1, inputFieldNames: ['text'], outputFieldNames: ['sparse'], params: {} }],
  });
  const columns = new Map<string, Column>([
    ['id', { kind: 'int64', data: BigInt64Array.from(DOCS, (_, i) => BigInt(i + 1)), valid: null }],
    ['text', { kind: 'varchar', data: [...DOCS], valid: null }],
  ]);
  await svc.insert({ collectionName: 'docs', numRows: DOCS.length, columns });
  await svc.createIndex({ collectionName: 'docs', fieldName: 'sparse', params: { index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'BM25' } });
  await svc.loadCollection({ collectionName: 'docs' });
}

const braces = { pre_tags: '["{"]', post_tags: '["}"]' };

/** id -> fragments of the `text` field, per query. */
function byId(r: SearchResult): Map<number, string[]>[] {
  const h = r.highlights?.find((x) => x.fieldName === 'text');
  assert.ok(h, 'a highlight result for text');
  assert.equal(h.datas.length, r.scores.length);
  const out: Map<number, string[]>[] = [];
  let at = 0;
  for (const k of r.topks) {
    const m = new Map<number, string[]>();
    for (let i = 0; i < k; i++, at++) m.set(Number(r.ids.data[at]), h.datas[at]!.fragments);
    out.push(m);
  }
  return out;
}

async function highlight(svc: SextantService, data: string[], params: Record<string, unknown>, topK = 10): Promise<Map<number, string[]>[]> {
  const highlighter: HighlighterSpec = { type: 'lexical', params };
  return byId(await svc.search({ collectionName: 'docs', annsField: 'sparse', data, topK, outputFields: ['text'], highlighter }));
}

test("the docs' examples: search terms, TextMatch queries, fragment_offset / fragment_size, nq = 2", async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    await docs(svc);
    let [m] = await highlight(svc, ['test'], { ...braces, highlight_search_text: 'true' });
    assert.deepEqual([1, 2, 3, 4].map((id) => m!.get(id)), [
      ['{test} doc'], ['{test} doc'],
      ['{test} doc. Milvus is an open-source vector database built for GenAI applications.'],
      ['{test} doc. Milvus is an open-source vector database that suits AI applications of every size from run'],
    ]);
    [m] = await highlight(svc, ['test'], { ...braces, highlight_search_text: 'true', queries: '[{"type":"TextMatch","field":"text","text":"my doc"}]' });
    assert.deepEqual([1, 2, 3, 4].map((id) => m!.get(id)), [
      ['{my} first {test} {doc}'], ['{my} second {test} {doc}'],
      ['{my} first {test} {doc}. Milvus is an open-source vector database built for GenAI applications.'],
      ['{my} second {test} {doc}. Milvus is an open-source vector database that suits AI applications of every siz'],
    ]);
    [m] = await highlight(svc, ['Milvus'], { ...braces, highlight_search_text: true, fragment_offset: 20, fragment_size: 60 });
    assert.deepEqual([3, 4].map((id) => m!.get(id)), [
      ['my first test doc. {Milvus} is an open-source vector database '],
      ['my second test doc. {Milvus} is an open-source vector database'],
    ]);
    const [qTest, qMilvus] = await highlight(svc, ['test', 'Milvus'], { ...braces, highlight_search_text: 'true' }, 2);
    assert.deepEqual([...qTest!.values()], [['{test} doc'], ['{test} doc']]);
    assert.deepEqual([...qMilvus!.values()], [
      ['{Milvus} is an open-source vector database built for GenAI applications.'],
      ['{Milvus} is an open-source vector database that suits AI applications of every size from running a dem'],
    ]);
    await svc.close();
  });
});

test('code points, several fragments, rotating tags, num_of_fragments 0, no highlighter, bad params', async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    await docs(svc);
    // '🍎 café naïve apple': apple starts at code point 13 (🍎 is one code point, two UTF-16 units, four bytes).
    let [m] = await highlight(svc, ['apple'], { highlight_search_text: 'true', fragment_offset: 4 });
    assert.deepEqual(m!.get(5), ['ïve <em>apple</em>']);
    // '🍎🍎 apple 🍎🍎🍎 pie': apple at 3..8; offset 2 and size 9 cover code points 1..9 (UTF-16 units would split a 🍎).
    [m] = await highlight(svc, ['apple'], { highlight_search_text: 'true', fragment_offset: 2, fragment_size: 9 });
    assert.deepEqual(m!.get(7), ['🍎 <em>apple</em> 🍎']);
    // apple at 0, 46 and 61 of 66 code points.
    [m] = await highlight(svc, ['apple'], { highlight_search_text: 'true', fragment_size: 12, num_of_fragments: 2 });
    assert.deepEqual(m!.get(6), ['<em>apple</em> one tw', '<em>apple</em> nine t']);
    [m] = await highlight(svc, ['apple'], { highlight_search_text: 'true', fragment_size: 12, num_of_fragments: 3 });
    assert.deepEqual(m!.get(6), ['<em>apple</em> one tw', '<em>apple</em> nine t', '<em>apple</em>']);
    // A fragment that cuts a match ends with it; tags rotate by match within a fragment.
    [m] = await highlight(svc, ['apple'], { highlight_search_text: 'true', fragment_size: 50, pre_tags: ['<a>', '<b>'], post_tags: ['</a>', '</b>'] });
    assert.deepEqual(m!.get(6), ['<a>apple</a> one two three four five six seven eight <b>apple</b>', '<a>apple</a>']);
    [m] = await highlight(svc, ['apple'], { highlight_search_text: 'true', num_of_fragments: 0 });
    assert.deepEqual(m!.get(6), ['<em>apple</em> one two three four five six seven eight <em>apple</em> nine ten <em>apple</em>']);
    // Without highlight_search_text and queries there is no task (no result); without a highlighter, no field at all.
    const none = await svc.search({ collectionName: 'docs', annsField: 'sparse', data: ['apple'], topK: 3, highlighter: { type: 'lexical', params: {} } });
    assert.deepEqual(none.highlights, []);
    const plain = await svc.search({ collectionName: 'docs', annsField: 'sparse', data: ['apple'], topK: 3 });
    assert.equal(plain.highlights, undefined);
    const bad = async (params: Record<string, unknown>, pattern: RegExp): Promise<void> => {
      await assert.rejects(highlight(svc, ['apple'], params), (e: unknown) => e instanceof MilvusError && e.code === 1100 && pattern.test(e.message), String(pattern));
    };
    await bad({ pre_tags: '[]' }, /pre_tags cannot be empty list/);
    await bad({ fragment_size: 0 }, /invalid fragment_size: 0/);
    await bad({ num_of_fragments: -1 }, /invalid num_of_fragments: -1/);
    await bad({ highlight_search_text: 'yes' }, /unmarshal highlight_search_text as bool failed/);
    await bad({ queries: '[{"type":"PhraseMatch","field":"text","text":"a"}]' }, /invalid highlight query type: PhraseMatch/);
    await bad({ queries: '[{"type":"TextMatch","field":"nosuch","text":"a"}]' }, /highlight field not found in schema: nosuch/);
    await assert.rejects(svc.search({ collectionName: 'docs', annsField: 'sparse', data: ['apple'], topK: 3, highlighter: { type: 'semantic', params: {} } }),
      /semantic highlighter needs a network model service/);
    await svc.close();
  });
});
