/**
 * `create collection` of an external collection (Milvus 2.6), embedded and against a server:
 * `--external-source` / `--external-spec` and `external=COLUMN` on each `-f` field, or the same in a
 * JSON schema file; `show collection` gives the source, the spec with its extfs secrets redacted
 * and each field's external column; a refresh then reads the source's Parquet files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeParquet } from '../support/parquet-lake.js';
import { cliFor, type Cli } from './lifecycle.js';
import { json, serverBuilt, startServer, tempDir } from './helpers.js';

const SPEC = JSON.stringify({ format: 'parquet', extfs: { access_key_id: 'CLIKEY', access_key_value: 'cli-secret' } });

async function doors(cli: Cli, dir: string): Promise<void> {
  const ok = async (...args: string[]) => {
    const r = await cli(...args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const lake = join(dir, 'lake');
  await writeParquet(lake, 3, 'x');
  await ok('create', 'collection', '-c', 'ext', '--external-source', `${lake}/`, '--external-spec', SPEC,
    '-f', 'pid:INT64:external=id', '-f', 'name:VARCHAR:64:external=title', '-f', 'v:FLOAT_VECTOR:4:external=vector');
  const shown = json(await ok('--output', 'json', 'show', 'collection', '-c', 'ext')) as { external_source: string; external_spec: string; fields: { name: string; flags: string }[] };
  assert.equal(shown.external_source, `${lake}/`);
  assert.deepEqual(JSON.parse(shown.external_spec), { format: 'parquet', extfs: { access_key_id: '***', access_key_value: '***' } });
  assert.deepEqual(shown.fields.map((f) => [f.name, f.flags]), [['pid', 'external=id'], ['name', 'external=title'], ['v', 'external=vector'], ['__virtual_pk__', 'primary auto_id']]);
  await ok('create', 'index', '-c', 'ext', '-f', 'v', '-t', 'FLAT', '-m', 'L2');
  await ok('load', 'collection', '-c', 'ext');
  assert.match((await ok('refresh', 'collection', '-c', 'ext')).stdout, /refreshed ext/);
  const rows = json(await ok('--output', 'json', 'query', '-c', 'ext', '-e', 'pid >= 0', '-o', 'name')) as { name: string }[];
  assert.deepEqual(rows.map((r) => r.name).sort(), ['x0', 'x1', 'x2']);

  // The same from a JSON schema file (external_spec as an object).
  const file = join(dir, 'ext.json');
  await writeFile(file, JSON.stringify({ collection_name: 'ext2', external_source: `${lake}/`, external_spec: { format: 'parquet' },
    fields: [{ name: 'pid', type: 'INT64', external_field: 'id' }, { name: 'v', type: 'FLOAT_VECTOR', dim: 4, external_field: 'vector' }] }));
  await ok('create', 'collection', '--schema-file', file);
  const two = json(await ok('--output', 'json', 'show', 'collection', '-c', 'ext2')) as { external_spec: string; fields: { name: string; flags: string }[] };
  assert.deepEqual(JSON.parse(two.external_spec), { format: 'parquet' });
  assert.deepEqual(two.fields.map((f) => f.flags).slice(0, 2), ['external=id', 'external=vector']);

  // Milvus's checks answer through the CLI: a user primary key on an external collection is refused.
  const refused = await cli('create', 'collection', '-c', 'bad', '--external-source', `${lake}/`, '-f', 'pid:INT64:primary:external=id', '-f', 'v:FLOAT_VECTOR:4:external=vector');
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /primary key/);
  const noSource = await cli('create', 'collection', '-c', 'bad', '--external-spec', SPEC, '-f', 'v:FLOAT_VECTOR:4:external=vector');
  assert.notEqual(noSource.code, 0);
  assert.match(noSource.stderr, /--external-spec needs --external-source/);
}

test('embedded: create collection of an external collection', { timeout: 120_000 }, async () => {
  const t = await tempDir('sextant-cli-ext-');
  try {
    await doors(cliFor(['--data', join(t.dir, 'data')]), t.dir);
  } finally {
    await t.remove();
  }
});

test('remote: create collection of an external collection against a server', { skip: !serverBuilt(), timeout: 120_000 }, async () => {
  const t = await tempDir('sextant-cli-ext-');
  try {
    const server = await startServer(join(t.dir, 'data'), ['--import-root', t.dir]);
    try {
      await doors(cliFor(['--uri', `http://127.0.0.1:${server.port}`]), t.dir);
    } finally {
      await server.stop();
    }
  } finally {
    await t.remove();
  }
});
