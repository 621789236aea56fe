/** The lifecycle suite in remote mode: the CLI talks to a spawned Sextant gRPC server through the Node SDK. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cliFor, lifecycle } from './lifecycle.js';
import { json, runCli, serverBuilt, startServer, tempDir } from './helpers.js';

const skip = serverBuilt() ? false : 'dist/src/server/main.js does not exist (build the server first)';

test('remote: full lifecycle through the CLI against a spawned server', { skip }, async () => {
  const t = await tempDir('sextant-cli-remote-');
  const server = await startServer(join(t.dir, 'data'));
  try {
    const uri = `http://127.0.0.1:${server.port}`;
    assert.match((await runCli(['--uri', uri, 'server_version'])).stdout, /sextant/);
    await lifecycle(cliFor(['--uri', uri]), t.dir);
  } finally {
    await server.stop();
    await t.remove();
  }
});

test('remote: int64 keys above 2^53 survive CSV insert and JSON output exactly', { skip }, async () => {
  const t = await tempDir('sextant-cli-remote-');
  const server = await startServer(join(t.dir, 'data'));
  try {
    const cli = cliFor(['--uri', `http://127.0.0.1:${server.port}`]);
    const csv = join(t.dir, 'big.csv');
    await (await import('node:fs/promises')).writeFile(csv, 'id,v\n9007199254740993,"[1,0]"\n2,"[0,1]"\n');
    assert.equal((await cli('create', 'collection', '-c', 'big', '-f', 'id:INT64:primary', '-f', 'v:FLOAT_VECTOR:2')).code, 0);
    assert.equal((await cli('insert', '-c', 'big', '-f', csv)).code, 0);
    assert.equal((await cli('create', 'index', '-c', 'big', '-f', 'v', '-t', 'FLAT', '-m', 'IP')).code, 0);
    assert.equal((await cli('load', '-c', 'big')).code, 0);
    const q = await cli('--output', 'json', 'query', '-c', 'big', '-e', 'id == 9007199254740993');
    assert.match(q.stdout, /"id": 9007199254740993\b/, 'printed as an exact integer literal');
    const s = json(await cli('--output', 'json', 'search', '-c', 'big', '-v', '[1,0]', '-l', '1')) as { id: unknown }[];
    assert.equal(s.length, 1);
    assert.match((await cli('--output', 'csv', 'search', '-c', 'big', '-v', '[1,0]', '-l', '1')).stdout, /^query,rank,id,score\n1,1,9007199254740993,1\n$/);
  } finally {
    await server.stop();
    await t.remove();
  }
});
