/**
 * Bulk import through each door once, end to end: gRPC (the Node SDK's bulkInsert /
 * getImportState / listImportTasks) and REST v2 (`jobs/import/create|get_progress|list`) against
 * one served data dir with an import root, and the CLI's `import` verb on a data dir.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { serve } from '../../src/server/compose.js';
import { parseMainOptions } from '../../src/server/options.js';
import { runCli } from '../cli/helpers.js';
import { withTempDir } from '../support/tmp.js';

const rowsJson = (from: number, n: number): string =>
  JSON.stringify({ rows: Array.from({ length: n }, (_, i) => ({ id: from + i, vec: [from + i, 1, 0, 0] })) });

test('gRPC and REST import into a served data dir', async () => {
  await withTempDir(async (dir) => {
    const root = join(dir, 'files');
    await mkdir(root, { recursive: true });
    await writeFile(join(root, 'a.json'), rowsJson(0, 50));
    await writeFile(join(root, 'b.json'), rowsJson(1000, 30));
    const opts = parseMainOptions(['--data', join(dir, 'data'), '--port', '0', '--http-port', '0', '--import-root', root], {});
    const served = await serve(opts, (where, e) => { throw new Error(`${where}: ${String(e)}`); });
    const client = new MilvusClient({ address: `127.0.0.1:${served.server.port}`, logLevel: 'error' });
    try {
      await client.createCollection({ collection_name: 'd', fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true }, { name: 'vec', data_type: DataType.FloatVector, dim: 4 }] });
      const r = await client.bulkInsert({ collection_name: 'd', files: ['a.json'] });
      assert.equal(r.status.error_code, 'Success', r.status.reason);
      let state = await client.getImportState({ task: r.tasks[0]! });
      for (let i = 0; i < 500 && String(state.state) !== 'ImportCompleted'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        state = await client.getImportState({ task: r.tasks[0]! });
      }
      assert.equal(String(state.state), 'ImportCompleted');
      assert.equal(Number(state.row_count), 50);
      const listed = await client.listImportTasks({ collection_name: 'd' });
      assert.equal(listed.tasks.length, 1);

      const rest = async (path: string, body: unknown): Promise<{ code: number; data: Record<string, unknown>; message?: string }> => {
        const res = await fetch(`http://127.0.0.1:${served.server.port}/v2/vectordb/jobs/import/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return (await res.json()) as { code: number; data: Record<string, unknown> };
      };
      const created = await rest('create', { collectionName: 'd', files: [['b.json']] });
      assert.equal(created.code, 0, JSON.stringify(created));
      const jobId = String(created.data['jobId']);
      let job = await rest('get_progress', { jobId });
      for (let i = 0; i < 500 && job.data['state'] !== 'Completed'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        job = await rest('get_progress', { jobId });
      }
      assert.equal(job.data['state'], 'Completed', JSON.stringify(job));
      assert.equal(job.data['importedRows'], 30);
      assert.equal(job.data['progress'], 100);
      const details = job.data['details'] as { fileName: string; totalRows: number }[];
      assert.deepEqual(details.map((d) => [d.fileName, d.totalRows]), [['b.json', 30]]);
      const list = await rest('list', { collectionName: 'd' });
      assert.equal((list.data['records'] as unknown[]).length, 2);
      const missing = await rest('get_progress', { jobId: '12345' });
      assert.equal(missing.code, 2100);
      const stats = await client.getCollectionStatistics({ collection_name: 'd' });
      assert.equal(Number(stats.data.row_count), 80);
    } finally {
      await client.closeConnection();
      await served.close();
    }
  });
});

test('the CLI import verb runs one job on a data dir', async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, 'rows.csv');
    await writeFile(file, 'id,vec\n1,"[1,0,0]"\n2,"[0,1,0]"\n');
    const data = ['--data', join(dir, 'data')];
    assert.equal((await runCli([...data, 'create', 'collection', '-c', 'p', '-f', 'id:INT64:primary', '-f', 'vec:FLOAT_VECTOR:3'])).code, 0);
    const r = await runCli([...data, 'import', '-c', 'p', '-f', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /imported 2 rows into p/);
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, 'id,vec\n3,"[1,0]"\n');
    const b = await runCli([...data, 'import', '-c', 'p', '-f', bad]);
    assert.notEqual(b.code, 0);
    assert.match(b.stderr + b.stdout, /bad\.csv: row 1, field 'vec'/);
  });
});
