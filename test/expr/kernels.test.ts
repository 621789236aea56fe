/**
 * The fused integer kernels (src/expr/kernels.ts) against the naive evaluator: integer columns of
 * every width, NULLs, Int64 values beyond 2^31 and 2^53 (which take the exact BigInt rows), and
 * `column OP constant` terms with negative and even moduli, compared with every operator, with
 * non-integer and out-of-range constants, and tested with `in` lists (short, long, wide-spanning).
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DataType } from '../../src/core/enums.js';
import { compileFilter, evaluateFilter, naiveMatches, type RowValues } from '../../src/expr/index.js';
import { Rng } from './gen.js';
import { field, rowSource, schemaOf } from './helpers.js';

const schema = schemaOf([
  field('id', DataType.Int64, { isPrimaryKey: true }),
  field('i64', DataType.Int64, { nullable: true }),
  field('i32', DataType.Int32, { nullable: true }),
  field('i16', DataType.Int16),
  field('i8', DataType.Int8, { nullable: true }),
]);

const EDGE64 = [
  0n, 1n, -1n, 6n, 7n, -7n, 99n, 100n, 107n, -107n, 2n ** 31n - 1n, -(2n ** 31n), 2n ** 31n, -(2n ** 31n) - 1n,
  2n ** 32n + 7n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 53n + 7n, -(2n ** 53n) - 1n,
  2n ** 63n - 1n, -(2n ** 63n), -(2n ** 63n) + 1n, 123456789012345678n,
];

function int64(r: Rng): bigint {
  if (r.chance(0.5)) return BigInt(r.int(-300, 300));
  if (r.chance(0.5)) return r.pick(EDGE64);
  return BigInt.asIntN(64, (BigInt(r.int(0, 0x7fffffff)) << 33n) ^ BigInt(r.int(0, 0x7fffffff)) ^ (r.chance(0.5) ? -1n : 0n));
}

function randomRow(r: Rng, i: number): RowValues {
  const maybeNull = <T>(v: T): T | null => (r.chance(0.15) ? null : v);
  return {
    id: BigInt(i) * (r.chance(0.1) ? 2n ** 40n : 1n),
    i64: maybeNull(int64(r)),
    i32: maybeNull(r.chance(0.2) ? r.pick([2 ** 31 - 1, -(2 ** 31), -1, 0]) : r.int(-500, 500)),
    i16: r.chance(0.2) ? r.pick([32767, -32768]) : r.int(-300, 300),
    i8: maybeNull(r.int(-128, 127)),
  };
}

const FIELDS = ['id', 'i64', 'i32', 'i16', 'i8'];
const OPS = ['+', '-', '*', '/', '%'];
const CMPS = ['==', '!=', '<', '<=', '>', '>='];
const OPERANDS = ['1', '2', '3', '7', '100', '64', '-1', '-7', '-100', '2147483647', '-2147483648', '4194303', '4194304', '0', '9007199254740993', '1000000'];
const CONSTS = ['0', '7', '-7', '6', '99', '-99', '6.5', '-0.5', '1e300', '-1e300', '2147483647', '2147483648', '9007199254740993', '-9223372036854775808', '9223372036854775807', '100'];

function term(r: Rng): string {
  const f = r.pick(FIELDS);
  if (r.chance(0.2)) return f;
  return `${f} ${r.pick(OPS)} ${r.pick(OPERANDS)}`;
}

function expression(r: Rng): string {
  const t = term(r);
  const roll = r.next();
  if (roll < 0.55) return r.chance(0.8) ? `${t} ${r.pick(CMPS)} ${r.pick(CONSTS)}` : `${r.pick(CONSTS)} ${r.pick(CMPS)} ${t}`;
  const count = r.pick([1, 2, 4, 9, 20]);
  const values: string[] = [];
  for (let j = 0; j < count; j++) values.push(r.chance(0.7) ? String(r.int(-120, 120)) : r.pick(CONSTS));
  return `${t} ${r.chance(0.8) ? 'in' : 'not in'} [${values.join(', ')}]`;
}

it('fused integer kernels agree with naiveMatches (Int64 beyond 2^53, NULLs, negative moduli)', () => {
  let rowsChecked = 0;
  let rowsMatched = 0;
  const failures: string[] = [];
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0x7fffffff }), (seed) => {
      const r = new Rng(seed);
      const n = r.int(1, 300);
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
    { numRuns: 600, seed: 7 },
  );
  console.log(`kernels: ${rowsChecked} rows checked, ${rowsMatched} matched, ${failures.length} mismatches shown`);
  assert.deepEqual(failures, []);
  assert.ok(rowsMatched > rowsChecked * 0.05 && rowsMatched < rowsChecked * 0.95, `matched ${rowsMatched} of ${rowsChecked}`);
});

it('evaluates a second time from the cached 32-bit words with the same answer', () => {
  const rows: RowValues[] = [];
  for (let i = 0; i < 50; i++) rows.push({ id: BigInt(i), i64: i % 5 === 0 ? 2n ** 53n + BigInt(i) : BigInt(i - 25), i32: i, i16: i, i8: i });
  const source = rowSource(schema, rows);
  for (const text of ['i64 % 5 == 0', 'i64 % 5 == 1', 'i64 in [-25, 9007199254740997]', 'i64 + 1 > 0']) {
    const plan = compileFilter(text, schema);
    const first = evaluateFilter(plan, source);
    const second = evaluateFilter(plan, source);
    assert.deepEqual(second, first, text);
    for (let i = 0; i < rows.length; i++) assert.equal(first[i] === 1, naiveMatches(plan, rows[i]!), `${text} row ${i}`);
  }
});

it('`column % m == c` for one constant after another, both signs of m and c, agrees with naiveMatches', () => {
  const r = new Rng(12);
  const rows: RowValues[] = [];
  for (let i = 0; i < 400; i++) rows.push(randomRow(r, i));
  const source = rowSource(schema, rows);
  let checked = 0;
  for (const f of FIELDS) {
    for (const m of ['7', '-7', '100', '64', '2', '2147483647']) {
      for (const c of ['0', '1', '-1', '6', '-6', '63', '99', '-99', '100', '7', '2147483646']) {
        for (const op of ['==', '!=']) {
          const text = `${f} % ${m} ${op} ${c}`;
          const plan = compileFilter(text, schema);
          const bits = evaluateFilter(plan, source);
          for (let i = 0; i < rows.length; i++) assert.equal(bits[i] === 1, naiveMatches(plan, rows[i]!), `${text} row ${i}`);
          checked++;
        }
      }
    }
  }
  assert.equal(checked, FIELDS.length * 6 * 11 * 2);
});
