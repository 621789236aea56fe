/**
 * Reading an index file in bounded pieces (storage/index-file.ts readIndexPayload, the descriptor's
 * readPayload): an HNSW read that way answers exactly as one decoded from the whole file, its links
 * land in the column's wasm memory (no whole-payload buffer), and a changed byte anywhere is refused
 * with what was decoded handed back to be closed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem } from '../../src/storage/fs/memory.js';
import { readIndexFile, readIndexPayload, writeIndexFile } from '../../src/storage/index-file.js';
import { getIndexDescriptor } from '../../src/index/registry.js';
import type { IndexBuildSpec, VectorIndex } from '../../src/index/descriptor.js';
import { makeResident } from '../../src/index/wasm/resident.js';
import { kernelModule } from '../../src/index/wasm/loader.js';
import type { Column } from '../../src/schema/column.js';
import { rng } from '../support/fixtures.js';

const dim = 8, n = 600;
const spec: IndexBuildSpec = { metric: 'L2', params: { M: 6, efConstruction: 24 } };

function column(): Column {
  const rand = rng(9), data = new Float32Array(n * dim);
  for (let i = 0; i < data.length; i++) data[i] = rand() * 2 - 1;
  return { kind: 'floatVector', dim, data, valid: null };
}

async function written(indexType: string, col: Column): Promise<{ fs: MemoryFileSystem; path: string; bytes: Uint8Array }> {
  const index = getIndexDescriptor(indexType).build(col, n, spec);
  const fs = new MemoryFileSystem();
  await fs.mkdir('/db', { recursive: true });
  await writeIndexFile(fs, '/db', 'idx.sxi', { meta: { indexType }, payload: index.serialize() });
  return { fs, path: '/db/idx.sxi', bytes: await fs.readFile('/db/idx.sxi') };
}

function hits(index: VectorIndex, col: Column): number[] {
  const out: number[] = [];
  const data = col.data as Float32Array;
  for (let q = 0; q < 20; q++) {
    const r = index.search({ queries: { kind: 'floatVector', dim, data: data.subarray(q * 7 * dim, (q * 7 + 1) * dim), valid: null }, topK: 10, params: { ef: 32 } });
    out.push(...r.rows);
  }
  return out;
}

for (const indexType of ['HNSW', 'AUTOINDEX', 'HNSW_SQ']) {
  test(`${indexType}: read in pieces of any size answers as the whole-file decode`, async () => {
    const col = column();
    const { fs, path } = await written(indexType, col);
    const desc = getIndexDescriptor(indexType);
    assert.ok(desc.readPayload, `${indexType} reads its payload in pieces`);
    const whole = desc.deserialize((await readIndexFile(fs, path)).payload, col, n, spec);
    for (const piece of [5, 64, 1 << 20]) {
      const got = await readIndexPayload(fs, path, (r) => desc.readPayload!(r, col, n, spec), () => assert.fail('discarded'), piece);
      assert.deepEqual(hits(got, col), hits(whole, col), `pieces of ${piece} bytes`);
    }
  });
}

test('HNSW over a resident column: the links are read into its wasm memory', { skip: kernelModule() === null }, async () => {
  const col = column();
  const { fs, path } = await written('HNSW', col);
  const resident = makeResident(col, n)!;
  try {
    const before = resident.sizeBytes;
    const index = await readIndexPayload(fs, path, (r) => getIndexDescriptor('HNSW').readPayload!(r, resident.column, n, spec), () => {});
    const graph = (index as unknown as { p: { graph: { layer0: Int32Array } } }).p.graph;
    assert.equal(graph.layer0.buffer, resident.memory.buffer, 'layer 0 lives in the column memory');
    assert.ok(resident.sizeBytes >= before);
    assert.deepEqual(hits(index, resident.column), hits(getIndexDescriptor('HNSW').deserialize((await readIndexFile(fs, path)).payload, col, n, spec), col));
  } finally {
    resident.release();
  }
});

test('a changed byte anywhere in the file is refused; what was decoded is discarded', async () => {
  const col = column();
  const { fs, path, bytes } = await written('HNSW', col);
  const desc = getIndexDescriptor('HNSW');
  let refused = 0, discarded = 0;
  for (let at = 0; at < bytes.length; at += 97) {
    const bad = bytes.slice();
    bad[at] = bad[at]! ^ 0x41;
    const h = await fs.open(path, 'w');
    await h.write(bad, 0);
    await h.close();
    await assert.rejects(readIndexPayload(fs, path, (r) => desc.readPayload!(r, col, n, spec), () => { discarded++; }, 256), `byte ${at} changed`);
    refused++;
  }
  assert.ok(refused > 100, `${refused} changes tried`);
  assert.ok(discarded > 0, 'a change the graph checks cannot see is caught by the CRC after decoding');
});
