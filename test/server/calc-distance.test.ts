/** The legacy CalcDistance RPC over a raw grpc-js client (the Node SDK no longer has calcDistance). */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rawClient, type RawClient } from './grpc-client.js';
import { startSextant, tempDataDir, type Running } from './harness.js';

let data: Awaited<ReturnType<typeof tempDataDir>>;
let s: Running;
let c: RawClient;
before(async () => {
  data = await tempDataDir();
  s = await startSextant(data.dir);
  c = rawClient(s.port);
});
after(async () => {
  c.close();
  await s.stop();
  assert.deepEqual(s.unexpected, []);
  await data.remove();
});

const floats = (dim: number, rows: number[][]): object => ({ data_array: { dim, float_vector: { data: rows.flat() } } });
const bins = (dim: number, rows: number[][]): object => ({ data_array: { dim, binary_vector: Buffer.from(rows.flat()) } });
const metric = (m: string): object[] => [{ key: 'metric', value: m }];

function dataOf(r: Record<string, unknown>, member: 'float_dist' | 'int_dist'): number[] {
  const m = r[member] as { data?: number[] } | null | undefined;
  assert.ok(m?.data, `expected ${member} in ${JSON.stringify(r)}`);
  return m.data;
}
function close(actual: number[], expected: number[]): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i]! - expected[i]!) < 1e-5, `at ${i}: ${actual[i]} vs ${expected[i]}`);
}

const L = [[1, 2, 3], [0, -1, 0.5]];
const R = [[1, 0, 0], [2, 2, 2], [-1, 4, 0]];
const dot = (a: number[], b: number[]): number => a.reduce((acc, x, i) => acc + x * b[i]!, 0);
function naive(f: (a: number[], b: number[]) => number): number[] {
  return L.flatMap((a) => R.map((b) => f(a, b)));
}

test('float vectors: L2 (squared), IP and cosine, row-major left x right', async () => {
  const l2 = await c.call('CalcDistance', { op_left: floats(3, L), op_right: floats(3, R), params: metric('L2') });
  assert.equal(l2.status?.['code'], 0);
  close(dataOf(l2, 'float_dist'), naive((a, b) => a.reduce((acc, x, i) => acc + (x - b[i]!) ** 2, 0)));
  const ip = await c.call('CalcDistance', { op_left: floats(3, L), op_right: floats(3, R), params: metric('ip') });
  close(dataOf(ip, 'float_dist'), naive(dot));
  const cos = await c.call('CalcDistance', { op_left: floats(3, L), op_right: floats(3, R), params: metric('COSINE') });
  close(dataOf(cos, 'float_dist'), naive((a, b) => dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b))));
});

test('binary vectors: HAMMING as int_dist, JACCARD as float_dist', async () => {
  const lb = [[0b1010_1010, 0xff], [0, 0]];
  const rb = [[0b1010_1010, 0x0f], [0xff, 0xff], [0b0000_0001, 0]];
  const pop = (x: number): number => x.toString(2).split('').filter((ch) => ch === '1').length;
  const ham = lb.flatMap((a) => rb.map((b) => pop(a[0]! ^ b[0]!) + pop(a[1]! ^ b[1]!)));
  const jac = lb.flatMap((a) => rb.map((b) => {
    const inter = pop(a[0]! & b[0]!) + pop(a[1]! & b[1]!);
    const union = pop(a[0]! | b[0]!) + pop(a[1]! | b[1]!);
    return union === 0 ? 1 : 1 - inter / union;
  }));
  const h = await c.call('CalcDistance', { op_left: bins(16, lb), op_right: bins(16, rb), params: metric('HAMMING') });
  assert.equal(h.status?.['code'], 0);
  assert.deepEqual(dataOf(h, 'int_dist'), ham);
  assert.equal(h['float_dist'] ?? null, null);
  const j = await c.call('CalcDistance', { op_left: bins(16, lb), op_right: bins(16, rb), params: metric('JACCARD') });
  close(dataOf(j, 'float_dist'), jac);
});

test('errors: ids answer 3000 naming the form; mismatched dim, metric or types answer 1100', async () => {
  const byId = await c.call('CalcDistance', {
    op_left: { id_array: { collection_name: 'c', field_name: 'v', id_array: { int_id: { data: [1] } } } },
    op_right: floats(3, R), params: metric('L2'),
  });
  assert.equal(byId.status?.['code'], 3000);
  assert.match(String(byId.status?.['reason']), /id_array/);
  const dim = await c.call('CalcDistance', { op_left: floats(3, L), op_right: floats(2, [[1, 2]]), params: metric('L2') });
  assert.equal(dim.status?.['code'], 1100);
  const m = await c.call('CalcDistance', { op_left: floats(3, L), op_right: floats(3, R), params: metric('HAMMING') });
  assert.equal(m.status?.['code'], 1100);
  const mixed = await c.call('CalcDistance', { op_left: floats(8, [[1, 2, 3, 4, 5, 6, 7, 8]]), op_right: bins(8, [[1]]), params: metric('L2') });
  assert.equal(mixed.status?.['code'], 1100);
  const none = await c.call('CalcDistance', { op_left: floats(3, L), op_right: floats(3, R), params: [] });
  assert.equal(none.status?.['code'], 1101);
});
