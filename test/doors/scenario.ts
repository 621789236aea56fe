/**
 * One Milvus scenario written once against a small door interface, run against every door (the
 * embedded client, the Node SDK over gRPC, REST v2: test/doors/doors.test.ts). Each step's outcome
 * is recorded in a transcript; the test checks the expected outcomes here and that every door's
 * transcript is identical (same ids, same float32 scores, same error codes).
 */
import assert from 'node:assert/strict';

export type Outcome<T = null> = { ok: true; value: T } | { ok: false; code: number; message: string };

export interface FieldDef {
  name: string;
  type: 'Int64' | 'VarChar' | 'FloatVector' | 'SparseFloatVector';
  primary?: boolean;
  dim?: number;
  maxLength?: number;
}
export interface FunctionDef { name: string; type: 'BM25'; input: string[]; output: string[] }
export interface SearchArgs {
  vectors: unknown[];
  /** Absent: the door sends no anns field at all. */
  annsField?: string;
  limit: number;
  filter?: string;
  outputFields: string[];
  partitions?: string[];
}
/** A hit: the primary key as a string, the float32 score, the requested output fields (pk excluded). */
export interface Hit { id: string; score: number; fields: Record<string, unknown> }
export type Row = Record<string, unknown>;

export interface Door {
  readonly name: string;
  createCollection(name: string, fields: FieldDef[], functions?: FunctionDef[]): Promise<Outcome>;
  dropCollection(name: string): Promise<Outcome>;
  createPartition(collection: string, partition: string): Promise<Outcome>;
  insert(collection: string, rows: Row[], partition?: string): Promise<Outcome<number>>;
  createIndex(collection: string, field: string, indexType: string, metric: string): Promise<Outcome>;
  load(collection: string): Promise<Outcome>;
  release(collection: string): Promise<Outcome>;
  releasePartitions(collection: string, partitions: string[]): Promise<Outcome>;
  search(collection: string, a: SearchArgs): Promise<Outcome<Hit[][]>>;
  /** Rows sorted by primary key, pk as a string under `id`. */
  query(collection: string, filter: string, outputFields: string[]): Promise<Outcome<Row[]>>;
  delete(collection: string, filter: string): Promise<Outcome>;
}

export interface Step { step: string; outcome: Outcome<unknown> }

const DIM = 4;
const single: FieldDef[] = [
  { name: 'id', type: 'Int64', primary: true },
  { name: 'title', type: 'VarChar', maxLength: 64 },
  { name: 'year', type: 'Int64' },
  { name: 'vec', type: 'FloatVector', dim: DIM },
];
/** Two vector fields, the sparse one first: no rule may take "the first vector field". */
const multi: FieldDef[] = [
  { name: 'id', type: 'Int64', primary: true },
  { name: 'sparse', type: 'SparseFloatVector' },
  { name: 'title', type: 'VarChar', maxLength: 64 },
  { name: 'dense', type: 'FloatVector', dim: DIM },
];

/** Deterministic rows: vectors with 3 decimals, so every door sends the same float32 values. */
export function rowsOf(first: number, n: number, withSparse: boolean): Row[] {
  let s = 12345 + first;
  const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return Array.from({ length: n }, (_, i) => {
    const id = first + i;
    const vec = Array.from({ length: DIM }, () => Math.round((r() * 2 - 1) * 1000) / 1000);
    const row: Row = { id, title: `t${id}`, year: 1990 + (id % 30) };
    if (withSparse) {
      delete row['year'];
      row['dense'] = vec;
      row['sparse'] = { [id % 7]: 0.5 + (id % 3), [10 + (id % 5)]: 1.25 };
    } else row['vec'] = vec;
    return row;
  });
}

const Q = [[0.1, -0.2, 0.3, 0.05], [-0.5, 0.5, 0.0, 0.25]];

/** Run the scenario through one door; collection names are prefixed so doors can share a server. */
export async function runScenario(door: Door, prefix: string): Promise<Step[]> {
  const steps: Step[] = [];
  const rec = async (step: string, p: Promise<Outcome<unknown>>): Promise<Outcome<unknown>> => {
    const outcome = await p;
    steps.push({ step, outcome });
    return outcome;
  };
  const books = `${prefix}_books`;
  const multiName = `${prefix}_multi`;
  const search = (c: string, a: Partial<SearchArgs> = {}) => door.search(c, { vectors: Q, annsField: 'vec', limit: 5, outputFields: ['title'], ...a });

  await rec('search a missing collection', search(`${prefix}_missing`));
  await rec('create', door.createCollection(books, single));
  await rec('create partition', door.createPartition(books, 'p1'));
  await rec('insert', door.insert(books, rowsOf(0, 40, false)));
  await rec('insert into p1', door.insert(books, rowsOf(100, 10, false), 'p1'));
  await rec('search before load', search(books));
  await rec('load without an index', door.load(books));
  await rec('create index', door.createIndex(books, 'vec', 'FLAT', 'L2'));
  await rec('load', door.load(books));
  await rec('search', search(books));
  await rec('search with a filter', search(books, { filter: 'year >= 2000', outputFields: ['title', 'year'] }));
  await rec('search without an anns field (one vector field)', search(books, { annsField: undefined, outputFields: [] }));
  await rec('search p1', search(books, { partitions: ['p1'] }));
  await rec('query', door.query(books, 'id < 6', ['title', 'year']));
  await rec('delete', door.delete(books, 'id in [0, 1, 2]'));
  await rec('query after delete', door.query(books, 'id < 6', ['title']));
  await rec('search after delete', search(books, { vectors: [Q[0]!] }));
  await rec('search with a wrong dim', search(books, { vectors: [[0.1, 0.2]] }));
  await rec('search an unknown anns field', search(books, { annsField: 'nope' }));
  await rec('search a scalar field', search(books, { annsField: 'title' }));
  await rec('search with a bad filter', search(books, { filter: 'year >>> 3' }));
  await rec('release p1', door.releasePartitions(books, ['p1']));
  await rec('search released p1', search(books, { partitions: ['p1'] }));
  await rec('search the loaded rest', search(books, { vectors: [Q[1]!] }));
  await rec('release', door.release(books));
  await rec('search after release', search(books));
  await rec('query after release', door.query(books, 'id < 6', ['title']));

  await rec('create two vector fields', door.createCollection(multiName, multi));
  await rec('insert two vector fields', door.insert(multiName, rowsOf(0, 30, true)));
  await rec('index dense', door.createIndex(multiName, 'dense', 'FLAT', 'L2'));
  await rec('index sparse', door.createIndex(multiName, 'sparse', 'SPARSE_INVERTED_INDEX', 'IP'));
  await rec('load two vector fields', door.load(multiName));
  await rec('search dense by name', search(multiName, { annsField: 'dense' }));
  await rec('search sparse by name', search(multiName, { annsField: 'sparse', vectors: [{ 1: 1, 11: 0.5 }] }));
  await rec('search without an anns field (two vector fields)', search(multiName, { annsField: undefined, outputFields: [] }));

  const fnName = `${prefix}_bm25`;
  await rec('create with a BM25 function', door.createCollection(fnName, [
    { name: 'id', type: 'Int64', primary: true }, { name: 'text', type: 'VarChar', maxLength: 200 }, { name: 'sparse', type: 'SparseFloatVector' },
  ], [{ name: 'bm25', type: 'BM25', input: ['text'], output: ['sparse'] }]));
  await rec('search the refused BM25 collection', search(fnName, { annsField: 'sparse' }));
  await rec('drop', door.dropCollection(books));
  await rec('drop two vector fields', door.dropCollection(multiName));
  await rec('search a dropped collection', search(books));
  return steps;
}

/** Milvus's answer for each step (codes from the reference): the doors must all give these. */
export const EXPECTED_CODES: Record<string, number> = {
  'search a missing collection': 100,
  'search before load': 101,
  'load without an index': 700,
  'search with a wrong dim': 1100,
  'search an unknown anns field': 1700,
  'search a scalar field': 1100,
  'search with a bad filter': 1100,
  'search released p1': 201,
  'search after release': 101,
  'query after release': 101,
  'search without an anns field (two vector fields)': 1100,
  'create with a BM25 function': 1100,
  'search the refused BM25 collection': 100,
  'search a dropped collection': 100,
};

export function checkExpected(door: string, steps: Step[]): void {
  for (const { step, outcome } of steps) {
    const want = EXPECTED_CODES[step];
    if (want === undefined) assert.ok(outcome.ok, `${door}: ${step} failed: ${outcome.ok ? '' : `${outcome.code} ${outcome.message}`}`);
    else assert.ok(!outcome.ok && outcome.code === want, `${door}: ${step}: expected code ${want}, got ${JSON.stringify(outcome)}`);
  }
  const get = (s: string) => steps.find((x) => x.step === s)?.outcome;
  const hits = get('search');
  assert.ok(hits?.ok && Array.isArray(hits.value) && hits.value.length === 2 && (hits.value[0] as Hit[]).length === 5, `${door}: search gives 2 x 5 hits`);
  const after = get('query after delete');
  assert.ok(after?.ok);
  assert.deepEqual((after.value as Row[]).map((r) => r['id']), ['3', '4', '5'], `${door}: delete removed ids 0-2`);
  const multiErr = get('search without an anns field (two vector fields)');
  assert.ok(multiErr && !multiErr.ok && /multiple anns_fields exist/.test(multiErr.message), `${door}: ${JSON.stringify(multiErr)}`);
  const fnErr = get('create with a BM25 function');
  assert.ok(fnErr && !fnErr.ok && /BM25 function input field must set enable_analyzer to true/.test(fnErr.message), `${door}: ${JSON.stringify(fnErr)}`);
}

/** A transcript as compared across doors: outcomes with error messages dropped (codes kept), scores as float32. */
export function comparable(steps: Step[]): unknown[] {
  return steps.map(({ step, outcome }) => {
    if (!outcome.ok) return { step, code: outcome.code };
    const v = outcome.value;
    if (Array.isArray(v) && v.every((q) => Array.isArray(q))) {
      return { step, hits: (v as Hit[][]).map((q) => q.map((h) => ({ ...h, score: Math.fround(h.score) }))) };
    }
    return { step, value: v };
  });
}
