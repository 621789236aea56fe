/**
 * The JSON key-equality kernels (src/expr/kernels-text.ts: one loop for a string constant, one for
 * a number) against the naive evaluator: values of every JSON kind under the key (strings of the
 * constant's length, numbers equal as doubles, booleans, null, arrays, objects, a missing key),
 * rows that are not objects, NULL rows, and keys that name Object.prototype members. The same
 * plan is evaluated with a number first and a string after, as a process that mixes them would.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DataType } from '../../src/core/enums.js';
import { compileFilter, evaluateFilter, naiveMatches, type RowValues } from '../../src/expr/index.js';
import { Rng } from './gen.js';
import { field, rowSource, schemaOf } from './helpers.js';

const schema = schemaOf([field('id', DataType.Int64, { isPrimaryKey: true }), field('j', DataType.JSON, { nullable: true })]);

const VALUES: readonly unknown[] = [
  't3', 't4', 'T3', 't33', '3t', '', 't', 3, 7, 7.0, 7.5, -7, 0, -0, 1e300, 9007199254740992, true, false, null,
  [], ['t3'], [7], {}, { t: 't3' }, '7', 'true',
];
const KEYS = ['t', 'k', 'toString', 'constructor', 'valueOf'];

function randomRow(r: Rng, i: number): RowValues {
  const roll = r.next();
  if (roll < 0.08) return { id: BigInt(i), j: null };
  if (roll < 0.14) return { id: BigInt(i), j: r.pick([[1, 2], 't3', 7, true] as const) };
  const obj: Record<string, unknown> = {};
  for (const k of KEYS) if (r.chance(k.length === 1 ? 0.85 : 0.1)) obj[k] = r.pick(VALUES);
  return { id: BigInt(i), j: obj as RowValues[string] };
}

const CONSTS = ['"t3"', "'t3'", '""', '"t"', '7', '7.0', '-7', '0', '3', '9007199254740992', '9007199254740993', '7.5', 'true', '"7"'];

function expression(r: Rng): string {
  const key = r.pick(KEYS);
  const c = r.pick(CONSTS);
  const e = r.chance(0.8) ? `j["${key}"] == ${c}` : `${c} == j["${key}"]`;
  return r.chance(0.3) ? `not (${e})` : e; // a row of another kind is known FALSE, a missing key unknown
}

it('JSON key == string / number kernels agree with naiveMatches', () => {
  let rowsChecked = 0;
  let rowsMatched = 0;
  const failures: string[] = [];
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0x7fffffff }), (seed) => {
      const r = new Rng(seed);
      const n = r.int(1, 200);
      const rows: RowValues[] = [];
      for (let i = 0; i < n; i++) rows.push(randomRow(r, i));
      const source = rowSource(schema, rows);
      for (let e = 0; e < 8; e++) {
        const text = expression(r);
        const plan = compileFilter(text, schema);
        const bits = evaluateFilter(plan, source);
        for (let i = 0; i < n; i++) {
          const want = naiveMatches(plan, rows[i]!);
          rowsChecked++;
          if (want) rowsMatched++;
          if ((bits[i] === 1) !== want && failures.length < 5) {
            failures.push(`seed ${seed}: ${text} row ${JSON.stringify(rows[i], (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}: eval=${bits[i]} naive=${want}`);
          }
        }
      }
    }),
    { numRuns: 400, seed: 11 },
  );
  console.log(`json kernels: ${rowsChecked} rows checked, ${rowsMatched} matched, ${failures.length} mismatches shown`);
  assert.deepEqual(failures, []);
  assert.ok(rowsMatched > rowsChecked * 0.01, `matched ${rowsMatched} of ${rowsChecked}`);
});

it('not (j["t"] == c) keeps rows without the key unknown (neither side selected)', () => {
  const rows: RowValues[] = [{ id: 0n, j: { t: 't3' } }, { id: 1n, j: { t: 7 } }, { id: 2n, j: {} }, { id: 3n, j: null }, { id: 4n, j: { t: null } }];
  const source = rowSource(schema, rows);
  for (const [text, want] of [['j["t"] == "t3"', [1, 0, 0, 0, 0]], ['not (j["t"] == "t3")', [0, 1, 0, 0, 0]],
    ['j["t"] == 7', [0, 1, 0, 0, 0]], ['not (j["t"] == 7)', [1, 0, 0, 0, 0]]] as const) {
    assert.deepEqual([...evaluateFilter(compileFilter(text, schema), source)], want, text);
  }
});
