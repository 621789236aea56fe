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
