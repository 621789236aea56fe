/** The lifecycle suite in embedded mode (`--data DIR`), plus embedded-only checks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cliFor, lifecycle } from './lifecycle.js';
import { json, runCli, tempDir } from './helpers.js';

test('embedded: full lifecycle through the CLI', async () => {
  const t = await tempDir('sextant-cli-');
  try {
    await lifecycle(cliFor(['--data', join(t.dir, 'data')]), t.dir);
  } finally {
    await t.remove();
  }
});

test('embedded: databases, aliases, rename, json schema file, piped shell script', async () => {
  const t = await tempDir('sextant-cli-');
  try {
    const cli = cliFor(['--data', join(t.dir, 'data')]);
    const schema = join(t.dir, 'schema.json');
    await (await import('node:fs/promises')).writeFile(schema, JSON.stringify({
      collection_name: 'films', enable_dynamic_field: true,
      fields: [{ name: 'pk', type: 'VARCHAR', is_primary: true, max_length: 16 }, { name: 'v', type: 'FLOAT_VECTOR', dim: 2 }],
    }));
    assert.equal((await cli('create', 'database', '-db', 'media')).code, 0);
    assert.deepEqual(json(await cli('--output', 'json', 'list', 'databases')), [{ database: 'default' }, { database: 'media' }]);
    assert.equal((await cli('-d', 'media', 'create', 'collection', '-f', schema)).code, 0);
    assert.deepEqual(json(await cli('-d', 'media', '--output', 'json', 'list', 'collections')), [{ collection: 'films' }]);
    assert.deepEqual(json(await cli('--output', 'json', 'list', 'collections')), [], 'films lives in media only');
    const desc = json(await cli('-d', 'media', '--output', 'json', 'describe', 'collection', '-c', 'films')) as { enable_dynamic_field: boolean; fields: { name: string; type: string }[] };
    assert.equal(desc.enable_dynamic_field, true);
    assert.deepEqual(desc.fields.map((f) => [f.name, f.type]), [['pk', 'VarChar'], ['v', 'FloatVector']]);
    assert.equal((await cli('-d', 'media', 'rename', 'collection', '-old', 'films', '-new', 'movies')).code, 0);
    assert.equal((await cli('-d', 'media', 'create', 'alias', '-c', 'movies', '-a', 'cinema')).code, 0);
    assert.deepEqual(json(await cli('-d', 'media', '--output', 'json', 'show', 'alias', '-a', 'cinema')), { alias: 'cinema', collection: 'movies' });

    // usage mistakes exit 2 with one line
    const usage = await cli('release', '-x', 'book');
    assert.equal(usage.code, 2);
    assert.equal(usage.stderr, 'usage error: unknown option -x\n');
    assert.equal((await cli('frobnicate')).code, 2);
    assert.equal((await cli('show')).code, 2);

    // a script on stdin runs line by line and stops at the first failure with its exit code
    const script = ['use database -db media', 'list collections', 'show collection -c nosuch', 'list databases', ''].join('\n');
    const r = await runCli(['--data', join(t.dir, 'data')], { input: script });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /using database media[\s\S]*movies/);
    assert.doesNotMatch(r.stdout, /default/, 'the line after the failure did not run');
  } finally {
    await t.remove();
  }
});

test('embedded: Parquet insert, upsert, vectors from a file, search params, flush, compact, progress views', async () => {
  const t = await tempDir('sextant-cli-');
  try {
    const { writeFile } = await import('node:fs/promises');
    const pq = (await import('@shanghaikid/parquetjs')).default;
    const schema = new pq.ParquetSchema({ id: { type: 'INT64' }, title: { type: 'UTF8' }, vec: { type: 'FLOAT', repeated: true } });
    const writeParquet = async (path: string, rows: Record<string, unknown>[]): Promise<void> => {
      const w = await pq.ParquetWriter.openFile(schema, path);
      for (const r of rows) await w.appendRow(r);
      await w.close();
    };
    const good = join(t.dir, 'good.parquet');
    const bad = join(t.dir, 'bad.parquet');
    await writeParquet(good, [{ id: 1n, title: 'one', vec: [1, 0, 0] }, { id: 2n, title: 'two', vec: [0, 1, 0] }]);
    await writeParquet(bad, [{ id: 3n, title: 'three', vec: [0, 0, 1] }, { id: 4n, title: 'four', vec: [0, 1] }]);
    const cli = cliFor(['--data', join(t.dir, 'data')]);
    assert.equal((await cli('create', 'collection', '-c', 'p', '-f', 'id:INT64:primary', '-f', 'title:VARCHAR:16', '-f', 'vec:FLOAT_VECTOR:3')).code, 0);
    assert.match((await cli('insert', '-c', 'p', '-f', good)).stdout, /inserted 2 rows/);
    const badRun = await cli('insert', '-c', 'p', '-f', bad);
    assert.equal(badRun.code, 1);
    assert.match(badRun.stderr, /^error: bad\.parquet row 2, column "vec": expected 3 numbers, got 2$/m);

    const up = join(t.dir, 'up.jsonl');
    await writeFile(up, '{"id": 2, "title": "TWO", "vec": [0, 1, 0]}\n{"id": 5, "title": "five", "vec": [0, 0, 1]}\n');
    assert.match((await cli('upsert', '-c', 'p', '-f', up)).stdout, /upserted 2 rows/);
    assert.equal((await cli('create', 'index', '-c', 'p', '-f', 'vec', '-t', 'FLAT', '-m', 'IP')).code, 0);
    const [progress] = json(await cli('--output', 'json', 'show', 'index_progress', '-c', 'p')) as { index_name: string; indexed_rows: number; total_rows: number; state: string }[];
    assert.equal(progress?.state, 'Finished', 'create index waited for the build');
    assert.equal(progress.indexed_rows, progress.total_rows);
    assert.equal((await cli('load', '-c', 'p')).code, 0);
    assert.deepEqual(json(await cli('--output', 'json', 'show', 'loading_progress', '-c', 'p')), { collection: 'p', loading_progress: '100%' });
    const vecs = join(t.dir, 'q.jsonl');
    await writeFile(vecs, '[0, 1, 0]\n[0, 0, 1]\n');
    const hits = json(await cli('--output', 'json', 'search', '-c', 'p', '-V', vecs, '-l', '1', '-o', 'title', '--params', '{"ef": 16}')) as Record<string, unknown>[];
    assert.deepEqual(hits.map((h) => [h['query'], h['id'], h['title']]), [[1, 2, 'TWO'], [2, 5, 'five']]);
    const wrongDim = await cli('search', '-c', 'p', '-v', '[[0,1,0],[1,0]]');
    assert.equal(wrongDim.code, 1);
    // The service checks query vectors against the anns field for every door (the row is 0-based).
    assert.match(wrongDim.stderr, /the dim \(2\) of float vector is not equal to schema dim \(3\).*\[field=vec\]\[row=1\]/);
    assert.match((await cli('flush', '-c', 'p')).stdout, /flushed p/);
    assert.match((await cli('compact', '-c', 'p')).stdout, /compaction \d+ of p done/);
    assert.match((await cli('server_version')).stdout, /sextant/);
    assert.deepEqual(json(await cli('--output', 'json', 'show', 'collection_stats', '-c', 'p')), { collection: 'p', row_count: 3 });
  } finally {
    await t.remove();
  }
});

test('embedded: search without -a on two vector fields gets the service\'s Milvus answer; -a picks the field', async () => {
  const t = await tempDir('sextant-cli-');
  try {
    const cli = cliFor(['--data', join(t.dir, 'data')]);
    const fs = await import('node:fs/promises');
    const schema = join(t.dir, 'two.json');
    await fs.writeFile(schema, JSON.stringify({
      collection_name: 'two',
      fields: [{ name: 'id', type: 'INT64', is_primary: true }, { name: 'a', type: 'FLOAT_VECTOR', dim: 2 }, { name: 'b', type: 'FLOAT_VECTOR', dim: 2 }],
    }));
    const rows = join(t.dir, 'rows.jsonl');
    await fs.writeFile(rows, '{"id": 1, "a": [1, 0], "b": [0, 1]}\n{"id": 2, "a": [0, 1], "b": [1, 0]}\n');
    assert.equal((await cli('create', 'collection', '-f', schema)).code, 0);
    assert.equal((await cli('insert', '-c', 'two', '-f', rows)).code, 0);
    for (const f of ['a', 'b']) assert.equal((await cli('create', 'index', '-c', 'two', '-f', f, '-t', 'FLAT', '-m', 'L2')).code, 0);
    assert.equal((await cli('load', '-c', 'two')).code, 0);
    const unnamed = await cli('search', '-c', 'two', '-v', '[1, 0]');
    assert.equal(unnamed.code, 1);
    assert.match(unnamed.stderr, /multiple anns_fields exist, please specify a anns_field in search_params/);
    const byB = json(await cli('--output', 'json', 'search', '-c', 'two', '-a', 'b', '-v', '[1, 0]', '-l', '1')) as Record<string, unknown>[];
    assert.deepEqual(byB.map((h) => h['id']), [2]);
  } finally {
    await t.remove();
  }
});
