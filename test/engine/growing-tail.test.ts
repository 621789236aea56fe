/**
 * The growing tail (src/engine/growing.ts) with a column whose buffer at the seal bound is lazily
 * committed: rows appended across the jump stay intact, and sealing a tail that did not fill keeps
 * that column's buffer (its unwritten pages hold nothing) while cutting the small columns' slack.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Chunk } from '../../src/engine/chunk.js';
import { GrowingTail, withoutSlack } from '../../src/engine/growing.js';
import { committedBytes, LAZY_BUFFER_BYTES } from '../../src/schema/ops.js';
import type { Column } from '../../src/schema/column.js';

const DIM = 128;

function batch(from: number, n: number): Chunk {
  const id = new BigInt64Array(n);
  const v = new Float32Array(n * DIM);
  for (let i = 0; i < n; i++) {
    id[i] = BigInt(from + i);
    v[i * DIM] = from + i;
  }
  const columns = new Map<string, Column>([
    ['id', { kind: 'int64', data: id, valid: null }],
    ['v', { kind: 'floatVector', dim: DIM, data: v, valid: null }],
  ]);
  return new Chunk(1, n, columns, new BigInt64Array(n).fill(BigInt(from)), 'id');
}

test('a tail sealed before its bound keeps the lazily committed vector buffer and cuts the other columns to their rows', () => {
  const capRows = Math.ceil(LAZY_BUFFER_BYTES / (4 * DIM)) * 2; // the vector column's bound: 64 MiB
  const tail = new GrowingTail(batch(0, 1500), capRows);
  tail.append(batch(1500, 1500));
  tail.append(batch(3000, 1000)); // past the first 3,000 rows of room: the vector column jumps to its bound
  const c = tail.chunk;
  assert.equal(c.numRows, 4000);
  const v = c.columns.get('v')!;
  assert.equal(v.kind, 'floatVector');
  if (v.kind !== 'floatVector') return;
  assert.equal(v.data.buffer.byteLength, capRows * DIM * 4);
  assert.equal(committedBytes(v.data.buffer), Math.ceil((4000 * DIM * 4) / 4096) * 4096);
  for (const r of [0, 1499, 1500, 2999, 3000, 3999]) assert.equal(v.data[r * DIM], r, `row ${r}`);

  const sealed = withoutSlack(c);
  const sv = sealed.columns.get('v')!;
  assert.equal(sv.data, v.data, 'the vector column is kept, not copied');
  const id = sealed.columns.get('id')!;
  assert.equal(id.kind, 'int64');
  if (id.kind !== 'int64') return;
  assert.equal(id.data.buffer.byteLength, 4000 * 8, 'the id column (room for 6,000 rows) is cut to its 4,000');
  assert.equal(sealed.ts.buffer.byteLength, 4000 * 8);
  assert.deepEqual([id.data[0], id.data[3999], sealed.ts[3999]], [0n, 3999n, 3000n]);
  assert.ok(sealed.sizeBytes < 4000 * (DIM * 4 + 16) + 3 * 4096, `sealed chunk accounts ${sealed.sizeBytes} bytes`);
});
