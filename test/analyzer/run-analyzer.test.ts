/**
 * RunAnalyzer through every door: the Node SDK over gRPC (the FullTextSearch spec's calls), REST v2
 * `common/run_analyzer` with fetch, the embedded client with the SDK's shapes, and the CLI's
 * `show analyzer` (embedded and remote). Ad-hoc analyzers, a collection field's analyzer (single and
 * multi-language), and the errors.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { tokenHash } from '../../src/analyzer/analyzer.js';
import { open } from '../../src/client/index.js';
import { startRest, type RestHarness } from '../rest/helpers.js';
import { runCli, tempDir } from '../cli/helpers.js';

const SENTENCE = 'Would you like to eat an apple?';
const MULTI = { by_field: 'lang', analyzers: { english: { type: 'english' }, default: { tokenizer: 'whitespace' } }, alias: { en: 'english' } };

const textCollection = (name: string) => ({
  collection_name: name,
  fields: [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true },
    { name: 'v', data_type: DataType.FloatVector, dim: 2 },
    { name: 'lang', data_type: DataType.VarChar, max_length: 8 },
    { name: 'text', data_type: DataType.VarChar, max_length: 200, enable_analyzer: true, enable_match: true, analyzer_params: { type: 'english' } },
    { name: 'multi', data_type: DataType.VarChar, max_length: 200, enable_analyzer: true, multi_analyzer_params: MULTI },
  ],
});

describe('RunAnalyzer', () => {
  let h: RestHarness;
  let client: MilvusClient;
  before(async () => {
    h = await startRest();
    client = new MilvusClient({ address: `127.0.0.1:${h.server.port}`, logLevel: 'error' });
    await client.connectPromise;
  });
  after(async () => {
    await client.closeConnection();
    await h.stop();
    assert.deepEqual(h.unexpected, []);
  });

  it('gRPC: the SDK spec calls (7 tokens; 7 and 3), with byte offsets, positions and hashes', async () => {
    const one = await client.runAnalyzer({ analyzer_params: { tokenizer: 'standard', filter: ['lowercase'] }, text: SENTENCE, with_detail: true, with_hash: true });
    assert.equal(one.status.error_code, 'Success', one.status.reason);
    assert.equal(one.results.length, 1);
    const tokens = one.results[0]!.tokens;
    assert.deepEqual(tokens.map((t) => t.token), ['would', 'you', 'like', 'to', 'eat', 'an', 'apple']);
    assert.deepEqual(tokens.map((t) => [Number(t.start_offset), Number(t.end_offset), Number(t.position)]).slice(-1), [[25, 30, 6]]);
    assert.deepEqual(tokens.map((t) => Number(t.hash)), tokens.map((t) => tokenHash(t.token)));
    const two = await client.runAnalyzer({ analyzer_params: { tokenizer: 'standard', filter: ['lowercase'] }, text: [SENTENCE, 'I like apple'], with_detail: true, with_hash: true });
    assert.deepEqual(two.results.map((r) => r.tokens.length), [7, 3]);
  });

  it('gRPC: no params is the standard analyzer; without detail only tokens; Chinese offsets are UTF-8 bytes', async () => {
    const plain = await client.runAnalyzer({ text: 'Hello World' });
    assert.deepEqual(plain.results[0]!.tokens.map((t) => [t.token, Number(t.start_offset), Number(t.hash)]), [['hello', 0, 0], ['world', 0, 0]]);
    const zh = await client.runAnalyzer({ analyzer_params: { type: 'chinese' }, text: '向量数据库', with_detail: true });
    assert.deepEqual(zh.results[0]!.tokens.map((t) => [t.token, Number(t.start_offset), Number(t.end_offset), Number(t.position)]),
      [['向量', 0, 6, 0], ['数据', 6, 12, 2], ['据库', 9, 15, 3], ['数据库', 6, 15, 2]]);
  });

  it('gRPC: bad params answer code 1100 with the analyzer message, and the server keeps serving', async () => {
    const r = await client.runAnalyzer({ analyzer_params: { tokenizer: 'lindera' }, text: 'x' });
    assert.equal(r.status.code, 1100);
    assert.equal(r.status.reason, 'lindera tokenizer must be costum: invalid parameter');
    // the SDK's createCollection throws the error status
    await assert.rejects(client.createCollection({ ...textCollection('bad'), fields: [
      ...textCollection('bad').fields.slice(0, 2),
      { name: 'text', data_type: DataType.VarChar, max_length: 20, enable_analyzer: true, analyzer_params: { tokenizer: 'standard', filter: [{ type: 'stemmer', language: 'klingon' }] } },
    ] }), (e: unknown) => {
      const err = e as { code?: number; reason?: string };
      assert.equal(err.code, 1100);
      assert.equal(err.reason, 'create stemmer failed : unsupport language: klingon: invalid parameter');
      return true;
    });
    assert.equal((await client.runAnalyzer({ text: 'still up' })).results[0]!.tokens.length, 2);
  });

  it('gRPC: a collection field\'s analyzer, a multi-language field with analyzer_names, and the errors', async () => {
    const created = await client.createCollection(textCollection('docs'));
    assert.equal(created.error_code, 'Success', created.reason);
    const field = await client.runAnalyzer({ collection_name: 'docs', field_name: 'text', text: 'The running dogs', with_detail: true, with_hash: true });
    assert.deepEqual(field.results[0]!.tokens.map((t) => [t.token, Number(t.position)]), [['run', 1], ['dog', 2]]);
    const viaDb = await client.runAnalyzer({ db_name: 'default', collection_name: 'docs', field_name: 'text', text: ['hello world', 'test analyzer'], with_detail: true });
    assert.equal(viaDb.results.length, 2);
    const multi = await client.runAnalyzer({ collection_name: 'docs', field_name: 'multi', text: ['Running dogs', 'Running dogs'], analyzer_names: ['en', 'fr'] });
    assert.deepEqual(multi.results.map((r) => r.tokens.map((t) => t.token)), [['run', 'dog'], ['Running', 'dogs']]);
    const noAnalyzer = await client.runAnalyzer({ collection_name: 'docs', field_name: 'lang', text: 'x' });
    assert.equal(noAnalyzer.status.code, 1100);
    assert.match(noAnalyzer.status.reason, /field lang does not enable analyzer/);
    const missing = await client.runAnalyzer({ collection_name: 'nope', field_name: 'text', text: 'x' });
    assert.equal(missing.status.code, 100);
  });

  it('REST v2 common/run_analyzer: detail and hash only when asked, collection mode, errors', async () => {
    const detailed = await h.v2('common/run_analyzer', { text: ['Crème brûlée'], analyzerParams: '{"tokenizer":"standard","filter":["asciifolding"]}', withDetail: true, withHash: true });
    assert.equal(detailed.code, 0, detailed.message);
    assert.deepEqual(detailed.data, { results: [{ tokens: [
      { token: 'Creme', startOffset: 0, endOffset: 6, position: 0, positionLength: 1, hash: tokenHash('Creme') },
      { token: 'brulee', startOffset: 7, endOffset: 15, position: 1, positionLength: 1, hash: tokenHash('brulee') },
    ] }] });
    const plain = await h.v2('common/run_analyzer', { text: ['a B'] });
    assert.deepEqual(plain.data, { results: [{ tokens: [{ token: 'a' }, { token: 'b' }] }] });
    const field = await h.v2('common/run_analyzer', { collectionName: 'docs', fieldName: 'multi', text: ['Running dogs'], analyzerNames: ['english'] });
    assert.deepEqual(field.data, { results: [{ tokens: [{ token: 'run' }, { token: 'dog' }] }] });
    const bad = await h.v2('common/run_analyzer', { text: ['x'], analyzerParams: '{"tokenizer":"standard","filter":["nope"]}' });
    assert.equal(bad.code, 1100);
    assert.equal(bad.message, 'build analyzer failed, filter not found :nope: invalid parameter');
  });

  it('CLI remote: show analyzer prints tokens with offsets and hashes', async () => {
    const r = await runCli(['--uri', `http://127.0.0.1:${h.server.port}`, '-t', 'root:Milvus', '--output', 'json',
      'show', 'analyzer', '-x', 'The running dogs', '-c', 'docs', '-f', 'text']);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.deepEqual(rows.map((x) => [x['token'], x['start_offset'], x['position'], x['hash']]), [['run', 4, 1, tokenHash('run')], ['dog', 12, 2, tokenHash('dog')]]);
  });
});

describe('RunAnalyzer embedded', () => {
  it('client.runAnalyzer has the SDK shape; the CLI works on a data dir', async () => {
    const t = await tempDir('sextant-analyzer-');
    try {
      const client = await open(join(t.dir, 'data'));
      try {
        const r = await client.runAnalyzer({ analyzer_params: { type: 'english' }, text: ['Milvus simplifies text analysis for search.'], with_detail: true, with_hash: true });
        assert.equal(r.status.error_code, 'Success');
        assert.deepEqual(r.results[0]!.tokens[1], { token: 'simplifi', start_offset: 7, end_offset: 17, position: 1, position_length: 1, hash: tokenHash('simplifi') });
        const bad = await client.runAnalyzer({ analyzer_params: { type: 'nope' }, text: 'x' });
        assert.equal(bad.status.code, 1100);
        assert.deepEqual(bad.results, []);
      } finally {
        await client.close();
      }
      const cli = await runCli(['--data', join(t.dir, 'data'), '--output', 'json', 'show', 'analyzer', '-x', '北京大学', '--params', '{"tokenizer":"icu"}']);
      assert.equal(cli.code, 0, cli.stderr);
      const rows = JSON.parse(cli.stdout) as Record<string, unknown>[];
      assert.deepEqual(rows.map((x) => [x['token'], x['start_offset'], x['end_offset'], x['position']]), [['北京', 0, 6, 0], ['大学', 6, 12, 2]]);
    } finally {
      await t.remove();
    }
  });
});
