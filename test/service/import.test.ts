/**
 * Bulk import: each format (row JSON, CSV, Parquet written by the Node SDK's BulkWriter, Numpy
 * column files) imports the same rows as insert() takes, and queries answer identically; a
 * malformed file fails its job naming the file and the row, with nothing applied; paths outside
 * the import root are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BulkWriter, DataType } from '@zilliz/milvus2-sdk-node';
import { open } from '../../src/client/index.js';
import type { SextantClient } from '../../src/client/client.js';
import { withTempDir } from '../support/tmp.js';

const N = 300;

const FIELDS = [
  { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
  { name: 'b', data_type: DataType.Bool },
  { name: 'i8', data_type: DataType.Int8 },
  { name: 'i16', data_type: DataType.Int16 },
  { name: 'i32', data_type: DataType.Int32 },
  { name: 'f', data_type: DataType.Float },
  { name: 'd', data_type: DataType.Double },
  { name: 's', data_type: DataType.VarChar, max_length: 64 },
  { name: 'j', data_type: DataType.JSON },
  { name: 'arr', data_type: DataType.Array, element_type: DataType.Int32, max_capacity: 8 },
  { name: 'vec', data_type: DataType.FloatVector, dim: 4 },
  { name: 'ns', data_type: DataType.VarChar, max_length: 16, nullable: true },
  { name: 'dv', data_type: DataType.Int32, default_value: 7 },
];

function rowAt(i: number): Record<string, unknown> {
  const r: Record<string, unknown> = {
    id: i, b: i % 2 === 0, i8: (i % 200) - 100, i16: i * 3, i32: i * 1000, f: i * 0.5, d: i * 0.25, s: `s${i}`,
    j: { k: i, t: 'x' }, arr: [i, i + 1], vec: [i, i + 0.5, -i - 1, 1], ns: i % 3 === 0 ? null : `n${i}`, extra: i,
  };
  if (i % 2 === 1) r['dv'] = i;
  return r;
}

const rows = (): Record<string, unknown>[] => Array.from({ length: N }, (_, i) => rowAt(i));

async function makeCollection(c: SextantClient, name: string, fields: unknown[] = FIELDS, dynamic = true): Promise<void> {
  const res = await c.createCollection({ collection_name: name, fields, enable_dynamic_field: dynamic } as never);
  assert.equal(res.error_code, 'Success', res.reason);
  await c.createIndex({ collection_name: name, field_name: 'vec', index_type: 'FLAT', metric_type: 'L2' });
  await c.loadCollection({ collection_name: name });
}

async function all(c: SextantClient, name: string): Promise<unknown[]> {
  const r = await c.query({ collection_name: name, filter: 'id >= 0', output_fields: ['*'], limit: 10_000 });
  assert.equal(r.status.error_code, 'Success', r.status.reason);
  return [...r.data].sort((a, b) => Number(a['id']) - Number(b['id']));
}

async function importAndWait(c: SextantClient, name: string, files: (string | string[])[], options?: Record<string, string>) {
  const r = await c.bulkInsert({ collection_name: name, files, ...(options ? { options } : {}) });
  assert.equal(r.status.error_code, 'Success', r.status.reason);
  const task = r.tasks[0]!;
  for (let i = 0; i < 2_000; i++) {
    const s = await c.getImportState({ task });
    if (s.state === 6 || s.state === 1) return { state: s, task };
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('import did not finish');
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvOf(list: Record<string, unknown>[]): string {
  const names = FIELDS.map((f) => f.name);
  const lines = [[...names, '$meta'].join(',')];
  for (const r of list) lines.push([...names.map((n) => csvCell(r[n])), csvCell({ extra: r['extra'] })].join(','));
  return lines.join('\n') + '\n';
}

/** A .npy file (format 1.0) of a typed array with `shape`, or of fixed-width strings. */
function npy(descr: string, shape: number[], data: Uint8Array): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad) + '\n';
  const out = new Uint8Array(10 + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(data, 10 + header.length);
  return out;
}

function npyStrings(list: string[], width: number): Uint8Array {
  const a = new Uint32Array(list.length * width);
  list.forEach((s, i) => [...s].forEach((ch, k) => { a[i * width + k] = ch.codePointAt(0)!; }));
  return npy(`<U${width}`, [list.length], new Uint8Array(a.buffer));
}

test('every format imports the rows insert() takes, with identical query results', async () => {
  await withTempDir(async (dir) => {
    const root = join(dir, 'files');
    await mkdir(root, { recursive: true });
    const c = await open(join(dir, 'data'), { importRoot: root });
    try {
      await makeCollection(c, 'ref');
      const ins = await c.insert({ collection_name: 'ref', data: rows() as never });
      assert.equal(ins.status.error_code, 'Success', ins.status.reason);
      const want = await all(c, 'ref');
      assert.equal(want.length, N);

      await writeFile(join(root, 'rows.json'), JSON.stringify({ rows: rows() }));
      await writeFile(join(root, 'list.json'), JSON.stringify(rows()));
      await writeFile(join(root, 'rows.csv'), csvOf(rows()));
      const writer = new BulkWriter({ schema: { fields: FIELDS, enable_dynamic_field: true } as never, format: 'parquet', localPath: join(root, 'bw') });
      for (const r of rows()) await writer.append(r);
      const batches = await writer.close();
      const parquetFiles = batches.flat().map((p) => p.slice(root.length + 1));
      assert.ok(parquetFiles.length > 0 && parquetFiles.every((p) => p.endsWith('.parquet')));

      const cases: [string, (string | string[])[]][] = [['json', ['rows.json']], ['jsonlist', ['/' + join(root, 'list.json').slice(1)]], ['csv', ['rows.csv']], ['parquet', parquetFiles]];
      for (const [name, files] of cases) {
        await makeCollection(c, name);
        const { state } = await importAndWait(c, name, files);
        assert.equal(state.state, 6, `${name}: ${JSON.stringify(state.infos)}`);
        assert.equal(state.row_count, String(N));
        assert.deepEqual(await all(c, name), want, `${name} rows equal the inserted ones`);
      }
    } finally {
      await c.close();
    }
  });
});

test('Numpy column files import like insert()', async () => {
  await withTempDir(async (dir) => {
    const root = join(dir, 'files');
    await mkdir(join(root, 'np'), { recursive: true });
    const c = await open(join(dir, 'data'), { importRoot: root });
    try {
      const fields = FIELDS.filter((f) => ['id', 'b', 'i32', 'f', 'd', 's', 'j', 'vec'].includes(f.name));
      const list = rows().map((r) => Object.fromEntries(fields.map((f) => [f.name, r[f.name]])));
      await makeCollection(c, 'ref', fields, false);
      await c.insert({ collection_name: 'ref', data: list as never });
      const write = (name: string, bytes: Uint8Array) => writeFile(join(root, 'np', `${name}.npy`), bytes);
      await write('id', npy('<i8', [N], new Uint8Array(BigInt64Array.from(list, (r) => BigInt(r['id'] as number)).buffer)));
      await write('b', npy('|b1', [N], Uint8Array.from(list, (r) => (r['b'] ? 1 : 0))));
      await write('i32', npy('<i4', [N], new Uint8Array(Int32Array.from(list, (r) => r['i32'] as number).buffer)));
      await write('f', npy('<f4', [N], new Uint8Array(Float32Array.from(list, (r) => r['f'] as number).buffer)));
      await write('d', npy('<f8', [N], new Uint8Array(Float64Array.from(list, (r) => r['d'] as number).buffer)));
      await write('s', npyStrings(list.map((r) => r['s'] as string), 8));
      await write('j', npyStrings(list.map((r) => JSON.stringify(r['j'])), 24));
      await write('vec', npy('<f4', [N, 4], new Uint8Array(Float32Array.from(list.flatMap((r) => r['vec'] as number[])).buffer)));
      await makeCollection(c, 'np', fields, false);
      const { state } = await importAndWait(c, 'np', [['np/id.npy', 'np/b.npy', 'np/i32.npy', 'np/f.npy', 'np/d.npy', 'np/s.npy', 'np/j.npy', 'np/vec.npy']]);
      assert.equal(state.state, 6, JSON.stringify(state.infos));
      assert.deepEqual(await all(c, 'np'), await all(c, 'ref'));
      await makeCollection(c, 'npdir', fields, false);
      const byFolder = await importAndWait(c, 'npdir', [['np/']]);
      assert.equal(byFolder.state.state, 6, JSON.stringify(byFolder.state.infos));
      assert.deepEqual(await all(c, 'npdir'), await all(c, 'ref'));
    } finally {
      await c.close();
    }
  });
});

test('a malformed file fails its job naming the file and the row; nothing is applied', async () => {
  await withTempDir(async (dir) => {
    const root = join(dir, 'files');
    await mkdir(root, { recursive: true });
    const c = await open(join(dir, 'data'), { importRoot: root });
    try {
      await makeCollection(c, 'bad');
      const list = rows();
      list[250] = { ...list[250], vec: [1, 2, 3] };
      await writeFile(join(root, 'good.json'), JSON.stringify(rows().map((r) => ({ ...r, id: (r['id'] as number) + 10_000 }))));
      await writeFile(join(root, 'bad.json'), JSON.stringify({ rows: list }));
      const { state, task } = await importAndWait(c, 'bad', ['good.json', 'bad.json']);
      assert.equal(state.state, 1);
      const reason = state.infos.find((kv) => kv.key === 'failed_reason')?.value ?? '';
      assert.match(reason, /file bad\.json: row 251, field 'vec': the dim \(3\) of float vector is not equal to schema dim \(4\)/);
      assert.match(reason, /importing data failed/);
      const count = await c.count({ collection_name: 'bad' });
      assert.equal(count.data, 0, 'the good file of the failed job is not applied either');
      const progress = await c.getImportProgress({ jobId: task });
      assert.equal(progress.job?.details[0]?.importedRows, N, 'the first file was read whole before the second failed');

      await writeFile(join(root, 'out.csv'), 'id\n1\n');
      for (const p of ['../out.csv', join(dir, 'out.csv'), 'missing.json']) {
        await writeFile(join(dir, 'out.csv'), 'id\n1\n');
        const r = await importAndWait(c, 'bad', [p]);
        assert.equal(r.state.state, 1, p);
        assert.match(r.state.infos.find((kv) => kv.key === 'failed_reason')?.value ?? '', /outside the import root|not found/, p);
      }
      const fnOut = await c.bulkInsert({ collection_name: 'bad', files: ['x.txt'] });
      assert.equal(fnOut.status.code, 2100);
      assert.match(fnOut.status.reason, /unexpected file type/);
    } finally {
      await c.close();
    }
  });
});
