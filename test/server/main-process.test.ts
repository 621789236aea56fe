/** `npm start` as a real process: serves on the printed port, SIGTERM exits 0 within 10 s, data survives. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { tempDataDir } from './harness.js';

const mainJs = fileURLToPath(new URL('../../src/server/main.js', import.meta.url));

async function launch(dataDir: string): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(process.execPath, [mainJs, '--data', dataDir, '--port', '0', '--http-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no port printed: ${out}`)), 30_000);
    proc.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /serving Milvus gRPC on [^:]+:(\d+)/.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.stderr?.on('data', (b: Buffer) => { out += b.toString(); });
    proc.once('exit', (code) => reject(new Error(`exited early (${String(code)}): ${out}`)));
  });
  return { proc, port };
}

async function terminate(proc: ChildProcess): Promise<number | null> {
  const started = Date.now();
  proc.kill('SIGTERM');
  const [code] = (await once(proc, 'exit')) as [number | null];
  assert.ok(Date.now() - started < 10_000, 'exits within 10 s');
  return code;
}

test('npm start serves, stops cleanly on SIGTERM and reopens its data', { timeout: 60_000 }, async () => {
  const data = await tempDataDir();
  try {
    const first = await launch(data.dir);
    const c1 = new MilvusClient({ address: `127.0.0.1:${first.port}`, logLevel: 'error' });
    const created = await c1.createCollection({
      collection_name: 'kept',
      fields: [{ name: 'id', data_type: DataType.Int64, is_primary_key: true }, { name: 'v', data_type: DataType.FloatVector, dim: 2 }],
    });
    assert.equal(created.error_code, 'Success', created.reason);
    const ins = await c1.insert({ collection_name: 'kept', data: [{ id: 1, v: [1, 0] }, { id: 2, v: [0, 1] }] });
    assert.equal(ins.status.error_code, 'Success', ins.status.reason);
    await c1.closeConnection();
    assert.equal(await terminate(first.proc), 0);

    const second = await launch(data.dir);
    const c2 = new MilvusClient({ address: `127.0.0.1:${second.port}`, logLevel: 'error' });
    assert.equal((await c2.hasCollection({ collection_name: 'kept' })).value, true);
    const st = await c2.getCollectionStatistics({ collection_name: 'kept' });
    assert.equal(st.data.row_count, '2');
    assert.equal(await terminate(second.proc), 0, 'exits cleanly while a client is still connected');
    await c2.closeConnection();
  } finally {
    await data.remove();
  }
});
