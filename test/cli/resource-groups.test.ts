/** milvus_cli's resource group commands, embedded (`--data DIR`) and against a server (remote): same answers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cliFor, type Cli } from './lifecycle.js';
import { json, serverBuilt, startServer, tempDir } from './helpers.js';

async function resourceGroups(cli: Cli): Promise<void> {
  assert.deepEqual(json(await cli('--output', 'json', 'list', 'resource_groups')), [{ resource_group: '__default_resource_group' }]);
  assert.equal((await cli('create', 'resource_group', '-n', 'rg1')).code, 0);
  const bad = await cli('create', 'resource_group', '-n', 'rg2', '--requests', '2', '--limits', '1');
  assert.equal(bad.code, 1, bad.stdout);
  assert.match(bad.stderr, /limits node num should not less than requests node num/);
  assert.equal((await cli('update', 'resource_group', '-n', 'rg1', '--requests', '1', '--limits', '1')).code, 0);
  const rg1 = json(await cli('--output', 'json', 'show', 'resource_group', '-n', 'rg1')) as Record<string, unknown>;
  assert.equal(rg1['availableNodes'], 1, 'rg1 requests the one node and gets it');
  assert.equal(rg1['requests'], 1);
  const def = json(await cli('--output', 'json', 'show', 'resource_group', '-n', '__default_resource_group')) as Record<string, unknown>;
  assert.equal(def['capacity'], 1_000_000);
  assert.equal(def['availableNodes'], 0);
  const missing = await cli('transfer', 'replica', '-s', 'rg1', '-t', '__default_resource_group', '-c', 'ghost');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /collection not found/);
  assert.equal((await cli('delete', 'resource_group', '-n', 'rg1')).code, 1, 'limits are not 0');
  assert.equal((await cli('update', 'resource_group', '-n', 'rg1', '--requests', '0', '--limits', '0')).code, 0);
  assert.equal((await cli('delete', 'resource_group', '-n', 'rg1')).code, 0);
  assert.deepEqual(json(await cli('--output', 'json', 'list', 'resource_groups')), [{ resource_group: '__default_resource_group' }]);
}

test('embedded: resource group commands', async () => {
  const t = await tempDir('sextant-cli-rg-');
  try {
    await resourceGroups(cliFor(['--data', join(t.dir, 'data')]));
  } finally {
    await t.remove();
  }
});

test('remote: resource group commands against a server', { skip: !serverBuilt() }, async () => {
  const t = await tempDir('sextant-cli-rg-');
  const server = await startServer(join(t.dir, 'data'));
  try {
    await resourceGroups(cliFor(['--uri', `http://127.0.0.1:${server.port}`]));
  } finally {
    await server.stop();
    await t.remove();
  }
});
