/** The scale suite's streamed ground truth: exact, and it leaves no copy of its batches in the process arena. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BATCH_ROWS, GT_K, MixtureStream } from '../../bench/scale-data.js';
import { defaultArena } from '../../src/index/wasm/index.js';

test('ground truth over streamed batches is exact and does not grow the process arena by the rows it streams', () => {
  const dim = 128, rows = 10 * BATCH_ROWS;
  const stream = new MixtureStream({ rows, dim, seed: 5 });
  const queries = stream.queries(3);
  const arena = defaultArena();
  const before = arena?.sizeBytes ?? 0;
  const truth = stream.groundTruth(queries);
  const grown = (arena?.sizeBytes ?? 0) - before;
  const batchBytes = BATCH_ROWS * dim * 4;
  // Each batch's wasm copy is dropped once searched; left to the collector, all ten stay until the loop ends.
  assert.ok(grown <= 3 * batchBytes, `the arena grew by ${grown} bytes for ${rows} streamed rows (${batchBytes} a batch)`);
  // The same answer as a plain scan over every row.
  const all = stream.all(true);
  for (let q = 0; q < 3; q++) {
    const d = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let i = 0; i < dim; i++) { const e = all[r * dim + i]! - queries[q * dim + i]!; s += e * e; }
      d[r] = s;
    }
    const order = Array.from(d.keys()).sort((a, b) => d[a]! - d[b]! || a - b).slice(0, GT_K);
    assert.deepEqual(Array.from(truth.subarray(q * GT_K, (q + 1) * GT_K)).sort((a, b) => a - b), order.sort((a, b) => a - b), `query ${q}`);
  }
});
