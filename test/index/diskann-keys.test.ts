/**
 * The wasm PQ key kernels of a DISKANN walk (asm/diskann-search.ts: two rows a pass, the codes of the rows ahead
 * touched first) give the keys of pq.ts's pqKey bit for bit, for every count of rows (pairs, an odd one left,
 * fewer rows than the look-ahead) and chunk counts with and without a tail; diskannExpand lists exactly the
 * unstamped neighbours, stamps them, and keys them the same way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instantiateKernels, kernelModule, newSharedMemory } from '../../src/index/wasm/loader.js';
import { diskAnnKernels } from '../../src/index/impl/diskann/walk.js';
import { PQ_CODE_WORDS, pqKey } from '../../src/index/impl/diskann/pq.js';
import { seededRandom } from '../../src/core/random.js';

const mod = kernelModule();
const skip = mod === null ? 'wasm kernels unavailable (SEXTANT_WASM=off?)' : false;

test('DISKANN PQ key kernels equal pq.ts pqKey bit for bit (every count of rows, ragged chunk counts)', { skip }, () => {
  const memory = newSharedMemory(64, 64);
  const k = diskAnnKernels(instantiateKernels(mod!, memory))!;
  assert.ok(k !== null, 'the kernels export the DISKANN walk');
  const rand = seededRandom(7);
  for (const m of [384, 13, 4, 1]) {
    const rows = 500;
    const table = 1024, codes = table + 4 * m * PQ_CODE_WORDS, ids = codes + Math.ceil(rows * m / 8) * 8 + 64, out = ids + 4 * 64;
    const node = out + 8 * 64, visited = node + 4 * (1 + 1 + 64) + 64;
    const t = new Float32Array(memory.buffer, table, m * PQ_CODE_WORDS);
    for (let i = 0; i < t.length; i++) t[i] = rand() * 10 - (i % 7 === 0 ? 5 : 0);
    const c = new Uint8Array(memory.buffer, codes, rows * m);
    for (let i = 0; i < c.length; i++) c[i] = Math.floor(rand() * 256);
    const tableCopy = Float32Array.from(t), codesCopy = Uint8Array.from(c);
    const idv = new Int32Array(memory.buffer, ids, 64), outv = new Float64Array(memory.buffer, out, 64);
    for (let n = 0; n <= 11; n++) {
      for (let i = 0; i < n; i++) idv[i] = Math.floor(rand() * rows);
      outv.fill(-1);
      k.diskannPqKeys(table, codes, m, ids, n, out);
      for (let i = 0; i < n; i++) assert.equal(outv[i], pqKey(tableCopy, codesCopy, idv[i]!, m), `m ${m}, ${n} rows, row ${i}`);
      assert.equal(outv[n], -1, `m ${m}: nothing written past ${n} keys`);
    }
    // A node of dim 1: one float, then its degree and neighbours; every third neighbour already stamped.
    const epoch = 9, deg = 37;
    const nodeI32 = new Int32Array(memory.buffer, node, 2 + deg), stamps = new Uint8Array(memory.buffer, visited, rows);
    stamps.fill(0);
    nodeI32[1] = deg;
    const want: number[] = [];
    for (let e = 0; e < deg; e++) {
      const nb = (e * 13 + 5) % rows;
      nodeI32[2 + e] = nb;
      if (e % 3 === 0) stamps[nb] = epoch;
      else want.push(nb);
    }
    const found = k.diskannExpand(node, 1, visited, epoch, table, codes, m, ids, out);
    assert.deepEqual(Array.from(idv.subarray(0, found)), want, `m ${m}: the unstamped neighbours, in order`);
    for (let i = 0; i < found; i++) {
      assert.equal(stamps[want[i]!], epoch, 'stamped');
      assert.equal(outv[i], pqKey(tableCopy, codesCopy, want[i]!, m), `m ${m}: neighbour ${i}'s key`);
    }
  }
});
