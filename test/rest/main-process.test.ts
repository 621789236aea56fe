/** `npm start` (dist/src/server/main.js) serves gRPC and REST v2 on one port and health/metrics on the http port. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { newDataDir } from './helpers.js';

const mainJs = fileURLToPath(new URL('../../src/server/main.js', import.meta.url));

test('the main process serves gRPC + REST v2 on --port and /healthz, /metrics on --http-port', { timeout: 60_000 }, async () => {
  const dir = await newDataDir();
  const proc = spawn(process.execPath, [mainJs, '--data', dir, '--port', '0', '--http-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    const [port, httpPort] = await new Promise<[number, number]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ports printed: ${out}`)), 30_000);
      proc.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /serving Milvus gRPC on [^:]+:(\d+) \(REST v2 on the same port\), health\/metrics\/api-v1 on [^:]+:(\d+)/.exec(out);
        if (m?.[1] !== undefined && m[2] !== undefined) {
          clearTimeout(timer);
          resolve([Number(m[1]), Number(m[2])]);
        }
      });
      proc.stderr.on('data', (b: Buffer) => { out += b.toString(); });
      proc.once('exit', (code) => reject(new Error(`exited early (${String(code)}): ${out}`)));
    });
    const client = new MilvusClient({ address: `127.0.0.1:${port}`, logLevel: 'error' });
    assert.match((await client.getVersion()).version, /sextant/);
    const rest = await fetch(`http://127.0.0.1:${port}/v2/vectordb/collections/create`, { method: 'POST', body: JSON.stringify({ collectionName: 'm', dimension: 2 }) });
    assert.deepEqual(await rest.json(), { code: 0, data: {} });
    assert.equal((await client.hasCollection({ collection_name: 'm' })).value, true);
    await client.closeConnection();
    assert.equal(await (await fetch(`http://127.0.0.1:${httpPort}/healthz`)).text(), 'OK');
    assert.match(await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text(), /sextant_requests_total\{transport="rest_v2",endpoint="collections\/create",code="0"\} 1/);
    proc.kill('SIGTERM');
    const [code] = (await once(proc, 'exit')) as [number | null];
    assert.equal(code, 0);
  } finally {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});
