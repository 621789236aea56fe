/**
 * The CLI's snapshot and external collection commands, embedded (`--data DIR`) and against a server
 * (remote): create / list / show / pin / unpin / restore / delete snapshot, list restore_jobs,
 * refresh collection, list refresh_jobs, with the same answers in both modes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataType } from '../../src/core/enums.js';
import { SextantService } from '../../src/service/service.js';
import { writeParquet } from '../support/parquet-lake.js';
import { cliFor, type Cli } from './lifecycle.js';
import { json, serverBuilt, startServer, tempDir } from './helpers.js';

/** An external collection `ext` over `lake` (absolute), created in `dataDir` before the CLI runs. */
async function prepare(dir: string, dataDir: string): Promise<string> {
  const lake = join(dir, 'lake');
  await writeParquet(lake, 3, 'c');
  const svc = await SextantService.open({ dataDir });
  try {
    await svc.createCollection({
      collectionName: 'ext', externalSource: `${lake}/`, externalSpec: '{"format":"parquet"}',
      fields: [
        { name: 'pid', dataType: DataType.Int64, externalField: 'id' },
        { name: 'v', dataType: DataType.FloatVector, dim: 4, externalField: 'vector' },
      ],
    });
  } finally {
    await svc.close();
  }
  const rows = join(dir, 'rows.jsonl');
  await writeFile(rows, '{"id": 1, "vec": [0, 1]}\n{"id": 2, "vec": [1, 0]}\n');
  return rows;
}

async function doors(cli: Cli, rows: string): Promise<void> {
  const ok = async (...args: string[]) => {
    const r = await cli(...args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  await ok('create', 'collection', '-c', 'book', '-f', 'id:INT64:primary', '-f', 'vec:FLOAT_VECTOR:2');
  await ok('insert', '-c', 'book', '-f', rows);
  await ok('create', 'snapshot', '-c', 'book', '-n', 's1', '--description', 'first');
  assert.deepEqual(json(await ok('--output', 'json', 'list', 'snapshots', '-c', 'book')), [{ snapshot: 's1' }]);
  const shown = json(await ok('--output', 'json', 'show', 'snapshot', '-c', 'book', '-n', 's1')) as Record<string, unknown>;
  assert.deepEqual([shown['name'], shown['description'], shown['collection'], shown['partitions']], ['s1', 'first', 'book', ['_default']]);
  const pin = json(await ok('--output', 'json', 'pin', 'snapshot', '-c', 'book', '-n', 's1', '--ttl', '60')) as { pinId: string };
  const pinned = await cli('delete', 'snapshot', '-c', 'book', '-n', 's1');
  assert.equal(pinned.code, 1);
  assert.match(pinned.stderr, /snapshot s1 is pinned/);
  await ok('unpin', 'snapshot', '--pin', pin.pinId);
  assert.match((await ok('restore', 'snapshot', '-c', 'book', '-n', 's1', '--target', 'copy')).stdout, /snapshot restored into copy/);
  const restores = json(await ok('--output', 'json', 'list', 'restore_jobs')) as Record<string, unknown>[];
  assert.deepEqual(restores.map((j) => [j['collection'], j['state']]), [['copy', 'Completed']]);
  await ok('delete', 'snapshot', '-c', 'book', '-n', 's1');
  assert.deepEqual(json(await ok('--output', 'json', 'list', 'snapshots', '-c', 'book')), []);

  assert.match((await ok('refresh', 'collection', '-c', 'ext')).stdout, /refreshed ext/);
  const refreshes = json(await ok('--output', 'json', 'list', 'refresh_jobs', '-c', 'ext')) as Record<string, unknown>[];
  assert.deepEqual(refreshes.map((j) => [j['collection'], j['state']]), [['ext', 'Completed']]);
  const none = await cli('refresh', 'collection', '-c', 'book');
  assert.equal(none.code, 1);
  assert.match(none.stderr, /not an external collection/);
}

test('embedded: snapshot and external collection commands', async () => {
  const t = await tempDir('sextant-cli-snap-');
  try {
    const dataDir = join(t.dir, 'data');
    await doors(cliFor(['--data', dataDir]), await prepare(t.dir, dataDir));
  } finally {
    await t.remove();
  }
});

test('remote: snapshot and external collection commands against a server', { skip: !serverBuilt() }, async () => {
  const t = await tempDir('sextant-cli-snap-');
  try {
    const dataDir = join(t.dir, 'data');
    const rows = await prepare(t.dir, dataDir);
    const server = await startServer(dataDir, ['--import-root', t.dir]);
    try {
      await doors(cliFor(['--uri', `http://127.0.0.1:${server.port}`]), rows);
    } finally {
      await server.stop();
    }
  } finally {
    await t.remove();
  }
});
