/**
 * Differential test of the filter planner's index step: every generated expression evaluated over
 * the same rows with no index, and with indexes of each kind (STL_SORT, INVERTED, BITMAP, TRIE,
 * NGRAM, JSON path indexes) on every field that takes one, forced even when the scan would be
 * cheaper; results must equal the scan's and the naive evaluator's, as bitsets and as the sparse
 * row ids the planner answers a root predicate with. Indexes pass through their file payload
 * (serialise, deserialise) first.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DataType } from '../../src/core/enums.js';
import { compileFilter, evaluateFilter, filterRowIds, indexedFilterRowIds, naiveMatches, type RowValues } from '../../src/expr/index.js';
import { indexPlanStats } from '../../src/expr/index-plan.js';
import type { ScalarIndexEntry, ScalarIndexSource } from '../../src/expr/scalar-index.js';
import { buildScalarIndex, scalarIndexSpec } from '../../src/index/scalar/build.js';
import { deserializeScalarIndex, serializeScalarIndex } from '../../src/index/scalar/codec.js';
import { validateScalarIndex } from '../../src/index/scalar/rules.js';
import type { RowSource } from '../../src/schema/column.js';
import type { CollectionSchema, FieldSchema } from '../../src/schema/types.js';
import { ExprGen, randomRow, randomSchema, Rng } from './gen.js';
import { field, rowSource, schemaOf } from './helpers.js';

const CASES = Number(process.env['SEXTANT_FUZZ'] === 'long' ? 5000 : 600);
const EXPRS_PER_CASE = 4;
const KINDS = ['STL_SORT', 'INVERTED', 'BITMAP', 'TRIE', 'NGRAM', 'JSON'] as const;
const JSON_KEYS = ['a', 'b', 'c', 'dk1', 'dk2'];
const CASTS = ['DOUBLE', 'VARCHAR', 'BOOL'];

function tryIndex(f: FieldSchema, indexType: string, params: Record<string, string>, base: RowSource): ScalarIndexEntry | undefined {
  try {
    validateScalarIndex(indexType, f, params);
  } catch {
    return undefined; // the kind does not fit this field (Milvus refuses it too)
  }
  const col = base.column(f.name);
  if (col === undefined) return undefined;
  const spec = scalarIndexSpec(indexType, f, params);
  const ix = deserializeScalarIndex(serializeScalarIndex(buildScalarIndex(col, spec)));
  return { field: f.name, jsonPath: spec.jsonPath, index: ix };
}

/** Indexes of one kind on every field that takes it. */
function indexed(schema: CollectionSchema, base: RowSource, kind: (typeof KINDS)[number], r: Rng): RowSource & ScalarIndexSource {
  const entries: ScalarIndexEntry[] = [];
  for (const f of schema.fields) {
    if (f.dataType === DataType.JSON) {
      if (kind !== 'JSON' && kind !== 'NGRAM') continue;
      for (const key of JSON_KEYS) {
        const path = f.isDynamic ? key : `${f.name}["${key}"]`;
        const params: Record<string, string> = kind === 'NGRAM'
          ? { json_path: path, json_cast_type: 'varchar', min_gram: '1', max_gram: String(r.int(1, 3)) }
          : { json_path: path, json_cast_type: r.pick(CASTS) };
        const e = tryIndex(f, kind === 'NGRAM' ? 'NGRAM' : 'INVERTED', params, base);
        if (e !== undefined && (kind === 'NGRAM' || params['json_cast_type'] !== undefined)) entries.push(e);
      }
      continue;
    }
    if (kind === 'JSON') continue;
    const params: Record<string, string> = kind === 'NGRAM' ? { min_gram: String(r.int(1, 2)), max_gram: String(r.int(2, 3)) } : {};
    const e = tryIndex(f, kind, params, base);
    if (e !== undefined) entries.push(e);
  }
  return { numRows: base.numRows, column: (n) => base.column(n), scalarIndexes: (field) => entries.filter((e) => e.field === field), indexSelectivityMax: 1 };
}

it(`filters over scalar indexes of every kind equal the scan on ${CASES} random schemas x ${EXPRS_PER_CASE} expressions`, () => {
  let mismatches = 0;
  let compared = 0;
  const before = { ...indexPlanStats };
  const firstFailures: string[] = [];
  const usedByKind = new Map<string, number>(KINDS.map((k) => [k, 0]));
  let sparse = 0;
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0x7fffffff }), (seed) => {
      const r = new Rng(seed);
      const schema = randomSchema(r);
      const n = r.int(0, 40);
      const rows: RowValues[] = [];
      for (let i = 0; i < n; i++) rows.push(randomRow(r, schema, i));
      const base = rowSource(schema, rows);
      const sources = KINDS.map((k) => ({ kind: k, source: indexed(schema, base, k, r) }));
      for (let e = 0; e < EXPRS_PER_CASE; e++) {
        const gen = new ExprGen(r, schema);
        const text = gen.bool(r.int(0, 4));
        const plan = compileFilter(text, schema, gen.templates);
        const scan = evaluateFilter(plan, base);
        for (let i = 0; i < n; i++) assert.equal(scan[i] === 1, naiveMatches(plan, rows[i] as RowValues), `seed ${seed}: scan vs naive on ${text}`);
        for (const { kind, source } of sources) {
          const was = indexPlanStats.indexed;
          const got = evaluateFilter(plan, source);
          usedByKind.set(kind, (usedByKind.get(kind) ?? 0) + indexPlanStats.indexed - was);
          compared++;
          if (indexedFilterRowIds(plan, source) !== null) sparse++;
          const ids = [...filterRowIds(plan, source)];
          const want = [...scan.keys()].filter((i) => scan[i] === 1);
          if (ids.join() !== want.join()) {
            mismatches++;
            if (firstFailures.length < 5) firstFailures.push(`seed ${seed} ${kind}: ${text}: row ids ${ids.join()} scan ${want.join()}`);
          }
          for (let i = 0; i < n; i++) {
            if (got[i] !== scan[i]) {
              mismatches++;
              if (firstFailures.length < 5) firstFailures.push(`seed ${seed} ${kind}: ${text} row ${i}: indexed=${got[i]} scan=${scan[i]}`);
              break;
            }
          }
        }
      }
    }),
    { numRuns: CASES, seed: 7 },
  );
  const used = indexPlanStats.indexed - before.indexed;
  const narrowed = indexPlanStats.narrowedAnds - before.narrowedAnds;
  console.log(`scalar-index differential: ${compared} indexed evaluations (${sparse} answered as row ids), ${used} predicates answered from an index, ${narrowed} ANDs narrowed to candidates, ${mismatches} mismatches; by kind ${JSON.stringify(Object.fromEntries(usedByKind))}`);
  assert.equal(mismatches, 0, firstFailures.join('\n'));
  // The indexes must actually be used, or the comparison proves nothing.
  assert.ok(used > compared / 20, `only ${used} indexed predicates in ${compared} evaluations`);
  for (const [kind, n] of usedByKind) assert.ok(n > 10, `${kind}: only ${n} predicates answered from the index`);
  assert.ok(narrowed > 0, 'no AND was narrowed to candidate rows');
  assert.ok(sparse > compared / 50, `only ${sparse} of ${compared} filters answered as row ids`);
});

it('row ids from the indexes equal the scan where postings of many keys are sorted (few rows) or collected from a mask (many)', () => {
  const k = field('k', DataType.Int64);
  const s = field('s', DataType.VarChar);
  const a = field('a', DataType.Array, { elementType: DataType.Int64 });
  const schema = schemaOf([field('id', DataType.Int64, { isPrimaryKey: true }), k, s, a]);
  const n = 20000;
  const rows: RowValues[] = Array.from({ length: n }, (_, i) => {
    const x = (i * 7919) % 1000;
    return { id: BigInt(i), k: BigInt(x), s: `p${x % 97}-${i}`, a: [BigInt(x % 13), BigInt(x % 7), BigInt(x % 13)] };
  });
  const base = rowSource(schema, rows);
  const entries = (['k', 's', 'a'] as const).map((f) => {
    const fs = schema.fields.find((x) => x.name === f)!;
    return { field: f, jsonPath: null, index: buildScalarIndex(base.column(f)!, scalarIndexSpec(f === 's' ? 'TRIE' : 'INVERTED', fs, {})) };
  });
  const source: RowSource & ScalarIndexSource = { numRows: n, column: (c) => base.column(c), scalarIndexes: (f) => entries.filter((e) => e.field === f), indexSelectivityMax: 1 };
  const filters = [
    'k == 417', 'k in [3, 999, 417]', 'k >= 400 and k < 404', 'k > 10 and k < 30', 's like "p7-%"', 's like "p1%"',
    'array_contains_any(a, [3, 5])', 'array_contains(a, 12)', 'k >= 400 and k < 404 and s like "p%"', 'k in [1, 2] and id < 10000',
  ];
  for (const f of filters) {
    const plan = compileFilter(f, schema);
    const ids = indexedFilterRowIds(plan, source);
    assert.ok(ids !== null, `${f} is answered from an index`);
    const scan = evaluateFilter(plan, base);
    const want = [...scan.keys()].filter((i) => scan[i] === 1);
    assert.ok(want.length > 0, f);
    assert.deepEqual([...ids], want, f);
  }
});

it('a range written as two comparisons is one index lookup, even when the source hands out fresh entries', () => {
  const k = field('k', DataType.Int64);
  const schema = schemaOf([field('id', DataType.Int64, { isPrimaryKey: true }), k]);
  const rows: RowValues[] = Array.from({ length: 1000 }, (_, i) => ({ id: BigInt(i), k: BigInt(i % 100) }));
  const base = rowSource(schema, rows);
  const ix = buildScalarIndex(base.column('k')!, scalarIndexSpec('STL_SORT', k, {}));
  // Each call returns new entry objects (only the index object is stable), as a source may.
  const source: RowSource & ScalarIndexSource = { numRows: 1000, column: (n) => base.column(n), scalarIndexes: (f) => (f === 'k' ? [{ field: 'k', jsonPath: null, index: ix }] : []) };
  const plan = compileFilter('k >= 40 and k <= 40', schema);
  const before = indexPlanStats.indexed;
  const bits = evaluateFilter(plan, source);
  assert.equal(indexPlanStats.indexed - before, 1, 'the merged range (1% of rows) is answered from the index; each side alone selects 60% / 41%');
  assert.deepEqual(bits, evaluateFilter(plan, base));
  assert.equal(bits.reduce((a, b) => a + b, 0), 10);
});
