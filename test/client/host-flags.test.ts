/**
 * Defect 1 of issue 10: a host process started with V8 flags (`node --max-old-space-size=4096
 * --expose-gc app.js`) must still search, because the search pool's and the index builder's workers
 * get only the flags a worker accepts; a loader flag (--import) must still reach the workers. The
 * same for the server started as `node --max-old-space-size=4096 dist/src/server/main.js`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { withTempDir } from '../support/tmp.js';

const childJs = fileURLToPath(new URL('./host-flags-child.js', import.meta.url));
const mainJs = fileURLToPath(new URL('../../src/server/main.js', import.meta.url));
const V8_FLAGS = ['--max-old-space-size=4096', '--expose-gc'];

interface ChildAnswer { top?: string[]; tasks?: number; execArgv?: string[]; error?: string }

async function runChild(args: string[], env: Record<string, string>): Promise<ChildAnswer> {
  const proc = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  proc.stderr.on('data', (b: Buffer) => { err += b.toString(); });
  const [code] = (await once(proc, 'exit')) as [number | null];
  const line = out.trim().split('\n').pop() ?? '';
  assert.ok(line.startsWith('{'), `child printed its answer (exit ${String(code)}): ${out}${err}`);
  const answer = JSON.parse(line) as ChildAnswer;
  assert.equal(answer.error, undefined, `child failed: ${answer.error ?? ''}\n${err}`);
  assert.equal(code, 0, err);
  return answer;
}

function assertSearched(a: ChildAnswer): void {
  assert.deepEqual(a.top, ['7', '4497'], 'each query finds its own row first');
  assert.ok((a.tasks ?? 0) > 0, `the search pool ran the walks (${a.tasks ?? 0} tasks)`);
}

test('embedded: a host started with V8 flags searches on the pool', { timeout: 120_000 }, async (t) => {
  await withTempDir(async (dir) => {
    const a = await runChild([...V8_FLAGS, childJs], { SEXTANT_TEST_DIR: dir });
    assertSearched(a);
    t.diagnostic(`host execArgv ${JSON.stringify(a.execArgv)}: ${a.tasks ?? 0} pool tasks`);
  });
});

test('embedded: an --import loader still reaches the workers next to V8 flags', { timeout: 120_000 }, async () => {
  await withTempDir(async (dir) => {
    const hook = join(dir, 'hook.mjs');
    const log = join(dir, 'hook.log');
    await writeFile(hook, "import { isMainThread } from 'node:worker_threads';\nimport { appendFileSync } from 'node:fs';\n"
      + "appendFileSync(process.env.SEXTANT_HOOK_LOG, isMainThread ? 'main\\n' : 'worker\\n');\n");
    const a = await runChild([V8_FLAGS[0]!, '--import', pathToFileURL(hook).href, childJs], { SEXTANT_TEST_DIR: join(dir, 'data'), SEXTANT_HOOK_LOG: log });
    assertSearched(a);
    const lines = (await readFile(log, 'utf8')).trim().split('\n');
    assert.equal(lines.filter((l) => l === 'main').length, 1);
    // Two or more search threads and the index builder ran the hook.
    assert.ok(lines.filter((l) => l === 'worker').length >= 2, `workers ran the --import hook: ${lines.join(',')}`);
  });
});

test('embedded: --input-type with --eval, plus V8 flags, still builds indexes and searches', { timeout: 120_000 }, async () => {
  await withTempDir(async (dir) => {
    const code = `await import(${JSON.stringify(pathToFileURL(childJs).href)});`;
    const a = await runChild(['--input-type=module', ...V8_FLAGS, '--eval', code], { SEXTANT_TEST_DIR: dir });
    assertSearched(a);
  });
});

async function launch(args: string[]): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
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
    proc.once('exit', (c) => reject(new Error(`exited early (${String(c)}): ${out}`)));
  });
  return { proc, port };
}

test('server: `node --max-old-space-size=4096 --expose-gc main.js` answers an SDK search', { timeout: 120_000 }, async () => {
  await withTempDir(async (dir) => {
    const { proc, port } = await launch([...V8_FLAGS, mainJs, '--data', dir, '--port', '0', '--http-port', '0']);
    const client = new MilvusClient({ address: `127.0.0.1:${port}`, logLevel: 'error' });
    try {
      const created = await client.createCollection({
        collection_name: 'flags',
        fields: [{ name: 'id', data_type: DataType.Int64, is_primary_key: true }, { name: 'vec', data_type: DataType.FloatVector, dim: 4 }],
        index_params: [{ field_name: 'vec', index_type: 'HNSW', metric_type: 'L2', params: { M: 8, efConstruction: 32 } }],
      });
      assert.equal(created.error_code, 'Success', created.reason);
      const rows = Array.from({ length: 500 }, (_, i) => ({ id: i, vec: [i, 1, 0, 0] }));
      const ins = await client.insert({ collection_name: 'flags', data: rows });
      assert.equal(ins.status.error_code, 'Success', ins.status.reason);
      assert.equal((await client.loadCollectionSync({ collection_name: 'flags' })).error_code, 'Success');
      const res = await client.search({ collection_name: 'flags', data: [[3, 1, 0, 0], [400, 1, 0, 0]], limit: 2 });
      assert.equal(res.status.error_code, 'Success', `${res.status.code}: ${res.status.reason}`);
      assert.deepEqual((res.results as unknown as { id: string }[][]).map((h) => h[0]?.id), ['3', '400']);
    } finally {
      await client.closeConnection();
      proc.kill('SIGTERM');
      await once(proc, 'exit');
    }
  });
});
