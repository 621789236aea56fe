/**
 * Array-of-Struct fields (#16): schema checks, rows durable through the WAL and a flush across a
 * restart, embedding-list (MAX_SIM) and element-level search checked against scores computed here
 * independently, element_filter's vectorised evaluator against the naive one, element offsets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { DataType } from '../../src/core/enums.js';
import { compileFilter, evaluateFilter, naiveMatches, matchingElements, rootElementFilter } from '../../src/expr/index.js';
import type { Column } from '../../src/schema/column.js';
import { buildCollectionSchema } from '../../src/schema/build.js';
import { SextantService } from '../../src/service/service.js';
import type { QueryResult } from '../../src/service/types.js';
import { refusal } from '../support/fixtures.js';
import { makeTempDir } from '../support/tmp.js';

const DIM = 3;
const fields = [
  { name: 'id', dataType: DataType.Int64, isPrimaryKey: true },
  { name: 'vec', dataType: DataType.FloatVector, dim: 2 },
];
const structFields = [{
  name: 'items', maxCapacity: 4, members: [
    { name: 'label', dataType: DataType.VarChar, maxLength: 16 },
    { name: 'order', dataType: DataType.Int32 },
    { name: 'emb', dataType: DataType.FloatVector, dim: DIM },
  ],
}];

/** Deterministic rows: row r has 1 + r % 4 elements; element e: order r * 10 + e, emb from sin. */
function rowsOf(n: number): { order: number[]; label: string[]; emb: number[][] }[] {
  const out = [];
  for (let r = 0; r < n; r++) {
    const k = 1 + (r % 4);
    const order: number[] = [], label: string[] = [], emb: number[][] = [];
    for (let e = 0; e < k; e++) {
      order.push(r * 10 + e);
      label.push(`r${r}e${e}`);
      emb.push([0, 1, 2].map((d) => Math.fround(Math.sin(r * 7 + e * 3 + d))));
    }
    out.push({ order, label, emb });
  }
  return out;
}

function columnsOf(rows: ReturnType<typeof rowsOf>, firstId: number): Map<string, Column> {
  return new Map<string, Column>([
    ['id', { kind: 'int64', data: BigInt64Array.from(rows, (_, i) => BigInt(firstId + i)), valid: null }],
    ['vec', { kind: 'floatVector', dim: 2, data: new Float32Array(rows.length * 2), valid: null }],
    ['items[label]', { kind: 'array', elementType: DataType.VarChar, data: rows.map((r) => r.label), valid: null }],
    ['items[order]', { kind: 'array', elementType: DataType.Int32, data: rows.map((r) => r.order), valid: null }],
    ['items[emb]', { kind: 'array', elementType: DataType.Float, data: rows.map((r) => r.emb.flat()), valid: null }],
  ]);
}

const cosine = (a: number[], b: number[]): number => {
  let d = 0, x = 0, y = 0;
  for (let i = 0; i < a.length; i++) { d += a[i]! * b[i]!; x += a[i]! ** 2; y += b[i]! ** 2; }
  return d / Math.sqrt(x * y);
};

function structColumn(r: QueryResult, name: string): unknown[][] {
  const c = r.columns.find((x) => x.field.name === name)?.column;
  assert.ok(c !== undefined && c.kind === 'array', `${name} returned`);
  return c.data;
}

test('struct schemas: members named parent[member], checks with Milvus-like messages', () => {
  const s = buildCollectionSchema({ name: 'c', fields, structFields });
  assert.deepEqual(s.structFields?.map((f) => [f.name, f.maxCapacity]), [['items', 4]]);
  const emb = s.fields.find((f) => f.name === 'items[emb]');
  assert.equal(emb?.structMember?.type, DataType.FloatVector);
  assert.equal(emb?.maxCapacity, 4 * DIM);
  assert.equal(new Set(s.fields.map((f) => f.fieldId)).size, s.fields.length, 'field ids are distinct');
  const noVector = buildCollectionSchema({ name: 'c', fields: [fields[0]!], structFields });
  assert.ok(noVector.fields.length > 1, 'a struct vector member counts as the vector field');
  assert.throws(() => buildCollectionSchema({ name: 'c', fields, structFields: [{ ...structFields[0]!, maxCapacity: undefined }] }), /max_capacity/);
  assert.throws(() => buildCollectionSchema({ name: 'c', fields, structFields: [{ name: 'items', maxCapacity: 2, members: [{ name: 'j', dataType: DataType.JSON }] }] }), /not supported in a struct/);
  assert.throws(() => buildCollectionSchema({ name: 'c', fields, structFields: [{ name: 'vec', maxCapacity: 2, members: [{ name: 'x', dataType: DataType.Int8 }] }] }), /duplicated field name vec/);
});

test('element_filter: vectorised evaluator = naive evaluator, offsets = naive per-element truth', () => {
  const schema = buildCollectionSchema({ name: 'c', fields, structFields });
  const rows = rowsOf(60);
  const cols = columnsOf(rows, 1);
  const source = { numRows: rows.length, column: (n: string) => cols.get(n) };
  const filters = [
    'element_filter(items, $[order] % 10 == 2)',
    'element_filter(items, $[order] > 300 and $[label] like "r3%")',
    'element_filter(items, $[order] in [11, 22, 33, 590]) or id == 5',
    'id < 30 and element_filter(items, not ($[order] % 10 < 1))',
    'element_filter(items, $[label] == "r7e3")',
  ];
  for (const f of filters) {
    const plan = compileFilter(f, schema);
    const bits = evaluateFilter(plan, source);
    rows.forEach((r, i) => {
      const row = { id: BigInt(i + 1), 'items[label]': r.label, 'items[order]': r.order, 'items[emb]': r.emb.flat() };
      assert.equal(bits[i] === 1, naiveMatches(plan, row), `${f} at row ${i}`);
    });
    const ef = rootElementFilter(plan);
    if (ef === null) continue;
    const offsets = matchingElements(ef, source);
    rows.forEach((r, i) => {
      const want: number[] = [];
      r.order.forEach((_, e) => {
        const one = { 'items[label]': [r.label[e]], 'items[order]': [r.order[e]], 'items[emb]': r.emb[e] };
        if (naiveMatches({ ...plan, root: ef }, one)) want.push(e);
      });
      assert.deepEqual(offsets[i], want, `${f} offsets at row ${i}`);
    });
  }
  assert.throws(() => compileFilter('$[order] == 1', schema), /only be used inside element_filter/);
  assert.throws(() => compileFilter('element_filter(items, $[emb] == 1)', schema), /cannot be used in a filter/);
  assert.throws(() => compileFilter('element_filter(vec, $[order] == 1)', schema), /needs a struct field/);
});

test('struct rows survive a restart; MAX_SIM and element-level search match exact scores', { timeout: 120_000 }, async () => {
  const dir = await makeTempDir();
  try {
    const rows = rowsOf(40);
    let svc = await SextantService.open({ dataDir: dir, autoCompaction: false });
    await svc.createCollection({ collectionName: 'c', fields, structFields });
    const bad = await refusal(svc.insert({ collectionName: 'c', numRows: 1, columns: new Map([...columnsOf(rows.slice(0, 1), 1)].map(([k, v]) => [k, k === 'items[order]' ? { ...v, data: [[1, 2, 3, 4, 5]] } as Column : v])) }));
    assert.equal(bad.code, 1100);
    await svc.insert({ collectionName: 'c', numRows: 20, columns: columnsOf(rows.slice(0, 20), 1) });
    await svc.flush({ collectionNames: ['c'] });
    await svc.insert({ collectionName: 'c', numRows: 20, columns: columnsOf(rows.slice(20), 21) }); // in the WAL only
    await svc.close();
    svc = await SextantService.open({ dataDir: dir, autoCompaction: false });
    assert.deepEqual((await svc.describeCollection({ collectionName: 'c' })).schema.structFields?.map((s) => s.name), ['items']);
    await svc.createIndex({ collectionName: 'c', fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
    await svc.createIndex({ collectionName: 'c', fieldName: 'items[emb]', params: { index_type: 'HNSW', metric_type: 'MAX_SIM_COSINE' } });
    await svc.loadCollection({ collectionName: 'c' });
    const q = await svc.query({ collectionName: 'c', filter: 'id > 0', outputFields: ['items'] });
    assert.equal(q.numRows, 40);
    assert.deepEqual(structColumn(q, 'items[order]'), rows.map((r) => r.order));
    assert.deepEqual(structColumn(q, 'items[emb]'), rows.map((r) => r.emb.flat()));

    const list = [[1, 0, 0], [0, 0.5, 0.5]];
    const s = await svc.search({ collectionName: 'c', annsField: 'items[emb]', topK: 5, embLists: [{ kind: 'floatVector', dim: 6, data: Float32Array.from(list.flat()), valid: null }] });
    const exact = rows.map((r, i) => ({ id: i + 1, score: list.reduce((sum, qv) => sum + Math.max(...r.emb.map((e) => cosine(qv, e))), 0) }))
      .sort((a, b) => b.score - a.score).slice(0, 5);
    assert.deepEqual(Array.from(s.ids.data as BigInt64Array, Number), exact.map((e) => e.id));
    exact.forEach((e, i) => assert.ok(Math.abs(s.scores[i]! - e.score) < 1e-5));
    assert.equal(s.elementIndices, undefined, 'embedding-list hits are rows');

    const one = [0.3, -0.2, 0.9];
    const el = await svc.search({ collectionName: 'c', annsField: 'items[emb]', topK: 7, metricType: 'COSINE', filter: 'id <= 30', vectors: { kind: 'floatVector', dim: DIM, data: Float32Array.from(one), valid: null } });
    const elements = rows.slice(0, 30).flatMap((r, i) => r.emb.map((e, off) => ({ id: i + 1, off, score: cosine(one, e) })))
      .sort((a, b) => b.score - a.score).slice(0, 7);
    assert.deepEqual(Array.from(el.ids.data as BigInt64Array, Number), elements.map((e) => e.id));
    assert.deepEqual(el.elementIndices, elements.map((e) => e.off));

    const ef = await svc.query({ collectionName: 'c', filter: 'element_filter(items, $[order] % 10 == 3)', outputFields: ['items[order]'] });
    assert.deepEqual(ef.elementIndices, rows.filter((r) => r.order.length === 4).map(() => [3]));
    await svc.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
