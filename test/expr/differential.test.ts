/**
 * Differential property test: the vectorised evaluator against the naive per-row interpreter on
 * random schemas, random rows and random well-typed expressions.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileFilter, evaluateFilter, naiveMatches, type RowValues } from '../../src/expr/index.js';
import { ExprGen, randomRow, randomSchema, Rng } from './gen.js';
import { rowSource } from './helpers.js';

const CASES = 2500;
const EXPRS_PER_CASE = 4;

it(`evaluateFilter agrees with naiveMatches on ${CASES} random schemas x ${EXPRS_PER_CASE} expressions`, () => {
  let mismatches = 0;
  let rowsChecked = 0;
  let rowsMatched = 0;
  const firstFailures: string[] = [];
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0x7fffffff }), (seed) => {
      const r = new Rng(seed);
      const schema = randomSchema(r);
      const n = r.int(0, 24);
      const rows: RowValues[] = [];
      for (let i = 0; i < n; i++) rows.push(randomRow(r, schema, i));
      const source = rowSource(schema, rows);
      for (let e = 0; e < EXPRS_PER_CASE; e++) {
        const gen = new ExprGen(r, schema);
        const text = gen.bool(r.int(0, 4));
        let plan;
        try {
          plan = compileFilter(text, schema, gen.templates);
        } catch (err) {
          throw new Error(`seed ${seed}: generated ${text} failed to compile: ${String(err)}`); // generator or checker bug
        }
        const bits = evaluateFilter(plan, source);
        assert.equal(bits.length, n);
        for (let i = 0; i < n; i++) {
          const want = naiveMatches(plan, rows[i] as RowValues);
          rowsChecked++;
          if (want) rowsMatched++;
          if ((bits[i] === 1) !== want) {
            mismatches++;
            if (firstFailures.length < 5) firstFailures.push(`seed ${seed}: ${text} row ${i}: eval=${bits[i]} naive=${want}`);
          }
        }
      }
    }),
    { numRuns: CASES, seed: 42 },
  );
  console.log(`differential: ${CASES * EXPRS_PER_CASE} expressions, ${rowsChecked} rows checked, ${rowsMatched} matched, ${mismatches} mismatches`);
  assert.equal(mismatches, 0, firstFailures.join('\n'));
  // The generator must exercise both outcomes, or the comparison proves little.
  assert.ok(rowsMatched > rowsChecked * 0.1 && rowsMatched < rowsChecked * 0.9, `matched ${rowsMatched} of ${rowsChecked}`);
});
