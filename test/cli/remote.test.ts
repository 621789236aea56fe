/** The lifecycle suite in remote mode: the CLI talks to a spawned Sextant gRPC server through the Node SDK. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cliFor, lifecycle } from './lifecycle.js';
import { runCli, serverBuilt, startServer, tempDir } from './helpers.js';

const skip = serverBuilt() ? false : 'dist/src/server/main.js does not exist (build the server first)';

test('remote: full lifecycle through the CLI against a spawned server', { skip }, async () => {
  const t = await tempDir('sextant-cli-remote-');
  const server = await startServer(join(t.dir, 'data'));
  try {
    const uri = `http://127.0.0.1:${server.port}`;
    assert.match((await runCli(['--uri', uri, 'server_version'])).stdout, /sextant/);
    await lifecycle(cliFor(['--uri', uri]), t.dir, false);
  } finally {
    await server.stop();
    await t.remove();
  }
});
