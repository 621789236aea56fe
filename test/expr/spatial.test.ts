/**
 * The spatial operators (ST_EQUALS … ST_DWITHIN) on a Geometry field: the vectorised evaluator
 * (jsts's named predicates behind a bounding-box test), the naive evaluator (DE-9IM pattern strings,
 * no boxes) and the RTREE-indexed planner (candidates from the packed tree, then the exact test;
 * the index passed through its file payload) must agree on random geometries and literals, alone
 * and inside AND / OR / NOT; plus the checker's refusals and hand-checked answers.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DataType } from '../../src/core/enums.js';
import { compileFilter, evaluateFilter, naiveMatches, type RowValues } from '../../src/expr/index.js';
import { indexPlanStats } from '../../src/expr/index-plan.js';
import { haversineM } from '../../src/expr/geometry.js';
import type { ScalarIndexSource } from '../../src/expr/scalar-index.js';
import { buildScalarIndex, scalarIndexSpec } from '../../src/index/scalar/build.js';
import { deserializeScalarIndex, serializeScalarIndex } from '../../src/index/scalar/codec.js';
import { validateScalarIndex } from '../../src/index/scalar/rules.js';
import type { RowSource } from '../../src/schema/column.js';
import { Rng } from './gen.js';
import { field, rowSource, schemaOf } from './helpers.js';

const CASES = Number(process.env['SEXTANT_FUZZ'] === 'long' ? 3000 : 200);
const FNS = ['ST_EQUALS', 'ST_TOUCHES', 'ST_OVERLAPS', 'ST_CROSSES', 'ST_CONTAINS', 'ST_INTERSECTS', 'ST_WITHIN'];

const geo = field('geo', DataType.Geometry, { nullable: true });
const k = field('k', DataType.Int64);
const schema = schemaOf([field('id', DataType.Int64, { isPrimaryKey: true }), k, geo]);

/** A random geometry on a small integer grid (so that shared edges, equal shapes and touching points occur). */
function randomWkt(r: Rng, span: number): string {
  const x = (): number => r.int(-span, span);
  const pt = (): string => `${x()} ${x()}`;
  switch (r.int(0, 5)) {
    case 0: return `POINT (${pt()})`;
    case 1: return `LINESTRING (${pt()}, ${pt()})`;
    case 2: return `MULTIPOINT ((${pt()}), (${pt()}))`;
    case 3: {
      const x0 = x(), y0 = x(), w = r.int(1, 3), h = r.int(1, 3);
      return `POLYGON ((${x0} ${y0}, ${x0 + w} ${y0}, ${x0 + w} ${y0 + h}, ${x0} ${y0 + h}, ${x0} ${y0}))`;
    }
    case 4: {
      const x0 = x(), y0 = x(), s = r.int(1, 3);
      return `POLYGON ((${x0} ${y0}, ${x0 + s} ${y0}, ${x0} ${y0 + s}, ${x0} ${y0}))`;
    }
    default: return `LINESTRING (${pt()}, ${pt()}, ${pt()})`;
  }
}

function randomFilter(r: Rng): string {
  const one = (): string => {
    if (r.int(0, 5) === 0) return `ST_DWITHIN(geo, 'POINT (${r.int(-3, 3)} ${r.int(-3, 3)})', ${r.pick([0, 50000, 111195, 200000, 400000])})`;
    const fn = r.pick(FNS);
    return `${r.int(0, 1) === 0 ? fn : fn.toLowerCase()}(geo, '${randomWkt(r, 3)}')`;
  };
  switch (r.int(0, 4)) {
    case 0: return `${one()} and k > ${r.int(0, 20)}`;
    case 1: return `${one()} or k == ${r.int(0, 20)}`;
    case 2: return `not ${one()}`;
    default: return one();
  }
}

function withRtree(base: RowSource): RowSource & ScalarIndexSource {
  validateScalarIndex('RTREE', geo, {});
  const ix = deserializeScalarIndex(serializeScalarIndex(buildScalarIndex(base.column('geo')!, scalarIndexSpec('RTREE', geo, {}))));
  const entries = [{ field: 'geo', jsonPath: null, index: ix }];
  return { numRows: base.numRows, column: (n) => base.column(n), scalarIndexes: (f) => (f === 'geo' ? entries : []) };
}

describe('spatial filters', () => {
  it(`scan, naive evaluator and RTREE agree on ${CASES} random row sets x 4 filters`, () => {
    let compared = 0, mismatches = 0, matched = 0;
    const failures: string[] = [];
    const before = indexPlanStats.indexed;
    fc.assert(fc.property(fc.integer({ min: 0, max: 0x7fffffff }), (seed) => {
      const r = new Rng(seed);
      const n = r.int(0, 40);
      const rows: RowValues[] = [];
      for (let i = 0; i < n; i++) rows.push({ id: BigInt(i), k: BigInt(r.int(0, 20)), geo: r.int(0, 9) === 0 ? null : randomWkt(r, 4) });
      const base = rowSource(schema, rows);
      const indexed = withRtree(base);
      for (let e = 0; e < 4; e++) {
        const text = randomFilter(r);
        const plan = compileFilter(text, schema);
        const scan = evaluateFilter(plan, base);
        const viaIndex = evaluateFilter(plan, indexed);
        compared++;
        for (let i = 0; i < n; i++) {
          const naive = naiveMatches(plan, rows[i]!) ? 1 : 0;
          matched += scan[i]!;
          if (scan[i] !== naive || viaIndex[i] !== scan[i]) {
            mismatches++;
            if (failures.length < 5) failures.push(`seed ${seed}: ${text} on ${String(rows[i]!['geo'])}: scan ${scan[i]} naive ${naive} rtree ${viaIndex[i]}`);
            break;
          }
        }
      }
    }), { numRuns: CASES, seed: 16 });
    const used = indexPlanStats.indexed - before;
    console.log(`spatial differential: ${compared} filters, ${matched} matching rows, ${used} answered through the RTREE, ${mismatches} mismatches`);
    assert.equal(mismatches, 0, failures.join('\n'));
    assert.ok(matched > compared, `only ${matched} matches: the comparison proves little`);
    assert.ok(used > compared / 3, `only ${used} of ${compared} filters used the RTREE`);
  });

  it('answers hand-checked cases in Milvus argument order (the field first)', () => {
    const rows: RowValues[] = [
      { id: 0n, k: 0n, geo: 'POINT (5 5)' },
      { id: 1n, k: 0n, geo: 'POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))' },
      { id: 2n, k: 0n, geo: 'LINESTRING (10 0, 20 0)' },
      { id: 3n, k: 0n, geo: 'POINT (120.01 30)' },
      { id: 4n, k: 0n, geo: null },
    ];
    const base = rowSource(schema, rows);
    const sel = (f: string): number[] => {
      const a = evaluateFilter(compileFilter(f, schema), base);
      const b = evaluateFilter(compileFilter(f, schema), withRtree(base));
      assert.deepEqual(b, a, `RTREE vs scan on ${f}`);
      return [...a.keys()].filter((i) => a[i] === 1);
    };
    assert.deepEqual(sel(`ST_CONTAINS(geo, 'POINT (1 1)')`), [1]);
    assert.deepEqual(sel(`ST_WITHIN(geo, 'POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))')`), [0, 1]);
    assert.deepEqual(sel(`ST_TOUCHES(geo, 'POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))')`), [2]);
    assert.deepEqual(sel(`ST_EQUALS(geo, 'POLYGON ((0 0, 0 10, 10 10, 10 0, 0 0))')`), [1]);
    assert.deepEqual(sel(`ST_CROSSES(geo, 'LINESTRING (15 -5, 15 5)')`), [2]);
    assert.deepEqual(sel(`ST_INTERSECTS(geo, 'POINT (10 0)')`), [1, 2]);
    assert.deepEqual(sel(`ST_OVERLAPS(geo, 'POLYGON ((5 5, 15 5, 15 15, 5 15, 5 5))')`), [1]);
    // 0.01 degree of longitude at latitude 30 is about 963 m.
    const m = haversineM(120, 30, 120.01, 30);
    assert.ok(m > 960 && m < 966, `haversine ${m}`);
    assert.deepEqual(sel(`ST_DWITHIN(geo, 'POINT (120 30)', 1000)`), [3]);
    assert.deepEqual(sel(`ST_DWITHIN(geo, 'POINT (120 30)', 900)`), []);
    assert.deepEqual(sel(`st_dwithin(geo, 'POINT (5 5)', 0)`), [0, 1]);
    assert.deepEqual(sel(`not ST_INTERSECTS(geo, 'POINT (5 5)')`), [2, 3]);
  });

  it('refuses what Milvus refuses, naming the problem', () => {
    const bad = (f: string, re: RegExp): void => assert.throws(() => compileFilter(f, schema), re);
    bad(`St_Within(geo, 'POINT (1 1)')`, /function St_Within is not supported/);
    bad(`ST_WITHIN(k, 'POINT (1 1)')`, /ST_WITHIN needs a Geometry field, but field k is Int64/);
    bad(`ST_WITHIN(geo, 'POINT (1')`, /invalid WKT "POINT \(1"/);
    bad(`ST_WITHIN(geo, 3)`, /ST_WITHIN needs a WKT string as its second argument/);
    bad(`ST_WITHIN(geo)`, /ST_WITHIN takes 2 arguments, got 1/);
    bad(`ST_DWITHIN(geo, 'POINT (1 1)')`, /ST_DWITHIN takes 3 arguments, got 2/);
    bad(`ST_DWITHIN(geo, 'LINESTRING (0 0, 1 1)', 5)`, /ST_DWITHIN needs a POINT as its second argument, got LineString/);
    bad(`ST_DWITHIN(geo, 'POINT (0 0)', -1)`, /ST_DWITHIN distance must be non-negative/);
    bad(`ST_DWITHIN(geo, 'POINT (0 0)', 'far')`, /ST_DWITHIN needs a numeric distance/);
    assert.throws(() => validateScalarIndex('RTREE', k, {}), /RTREE index can only be built on geometry field, got Int64/);
    assert.throws(() => validateScalarIndex('INVERTED', geo, {}), /INVERTED are not supported on Geometry field/);
  });
});
