/**
 * Fuzz: random bytes, invalid UTF-8, token soup, mutated valid filters and pathological inputs.
 * Every input must give a plan (which must then evaluate) or a MilvusError 1100 that names the
 * position or the violated limit; never another exception, never a stack overflow.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { MilvusError } from '../../src/core/errors.js';
import { compileFilter, evaluateFilter, naiveMatches, type RowValues } from '../../src/expr/index.js';
import { ExprGen, FUZZ_SCHEMA, mutateFilter as mutate, randomRow, Rng, TOKENS } from './gen.js';
import { rowSource } from './helpers.js';

const schema = FUZZ_SCHEMA;
const templates = { x: 1n, y: 'str', l: [1n, 2n], o: { k: [1n] }, f: 1.5, t: true };
const rng = new Rng(12345);
const rows: RowValues[] = Array.from({ length: 6 }, (_, i) => randomRow(rng, schema, i));
const source = rowSource(schema, rows);

let outcomes = { plans: 0, errors: 0 };

function check(input: string): void {
  let plan;
  try {
    plan = compileFilter(input, schema, templates);
  } catch (e) {
    if (!(e instanceof MilvusError)) throw new Error(`non-Milvus error for ${JSON.stringify(input.slice(0, 200))}: ${String(e)}`);
    assert.equal(e.code, 1100, e.message);
    assert.ok(/position \d+/.test(e.message) || /max\w+=/.test(e.message), e.message.slice(0, 300));
    outcomes.errors++;
    return;
  }
  outcomes.plans++;
  const bits = evaluateFilter(plan, source);
  for (let i = 0; i < rows.length; i++) assert.equal(bits[i] === 1, naiveMatches(plan, rows[i] as RowValues), input);
}

function randomBytes(r: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = r.int(0, 255);
  return out;
}

it('fuzz: 100,000+ random and mutated inputs yield a plan or a positioned 1100 error', () => {
  outcomes = { plans: 0, errors: 0 };
  const r = new Rng(2024);
  const latin1 = new TextDecoder('latin1');
  const utf8 = new TextDecoder('utf-8');
  const valid: string[] = [];
  for (let i = 0; i < 500; i++) {
    const g = new ExprGen(r, schema);
    const text = g.bool(r.int(0, 3));
    if (Object.keys(g.templates).length === 0) valid.push(text);
  }
  let count = 0;
  for (let i = 0; i < 25_000; i++, count++) check(latin1.decode(randomBytes(r, r.int(0, 40))));
  for (let i = 0; i < 25_000; i++, count++) check(utf8.decode(randomBytes(r, r.int(0, 40))));
  for (let i = 0; i < 25_000; i++, count++) {
    let s = '';
    for (let j = r.int(1, 12); j > 0; j--) s += r.pick(TOKENS) + (r.chance(0.5) ? ' ' : '');
    check(s);
  }
  for (let i = 0; i < 30_000; i++, count++) check(mutate(r, r.pick(valid)));
  for (const v of valid) { check(v); count++; }
  console.log(`fuzz: ${count} inputs, ${outcomes.plans} plans, ${outcomes.errors} errors`);
  assert.ok(count >= 100_000);
  assert.ok(outcomes.plans > 5_000, 'the fuzzer should also reach valid plans');
});

it('fuzz: pathological sizes and nesting fail cleanly', () => {
  const expectError = (input: string, pattern: RegExp): void => {
    assert.throws(() => compileFilter(input, schema), (e: unknown) => e instanceof MilvusError && e.code === 1100 && pattern.test(e.message), input.slice(0, 50));
  };
  expectError('('.repeat(100_000) + 'a == 1' + ')'.repeat(100_000), /maxExprLength/);
  expectError('('.repeat(60_000) + 'a == 1' + ')'.repeat(60_000).slice(0, 5000), /maxExprDepth/);
  expectError('('.repeat(65_000), /maxExprDepth/);
  expectError('['.repeat(65_000), /maxExprDepth/);
  expectError('-'.repeat(65_000) + '1', /maxExprDepth/);
  expectError('!'.repeat(65_000) + 'flag', /maxExprDepth/);
  expectError('not '.repeat(16_000) + 'flag', /maxExprDepth/);
  expectError('a' + ' + a'.repeat(15_000) + ' > 1', /maxExprDepth/);
  expectError('2' + ' ** 2'.repeat(12_000) + ' > 1', /maxExprDepth/);
  expectError('exists '.repeat(9_000) + 'meta', /maxExprDepth/);
  expectError('a == ' + '9'.repeat(60_000), /out of int64 range at position 5/);
  expectError('a == 0x' + 'f'.repeat(60_000), /out of int64 range/);
  expectError('a == 1' + '0'.repeat(400) + '.5', /floating-point literal out of range/);
  expectError('s == "' + 'x'.repeat(1 << 20) + '"', /maxExprLength/);
  expectError('s == "' + 'x'.repeat(60_000), /unterminated string literal at position 5/);
  // Big but within limits: a long string literal and a long flat or-chain are fine.
  compileFilter('s == "' + 'x'.repeat(60_000) + '"', schema);
  const orChain = Array.from({ length: 5_000 }, (_, i) => `a == ${i}`).join(' or ');
  assert.ok(evaluateFilter(compileFilter(orChain, schema), source).length === rows.length);
  compileFilter('a in [' + Array.from({ length: 10_000 }, (_, i) => i).join(',') + ']', schema);
  // Linear-time like on adversarial input.
  const many = 'meta["k"] like "' + '%a'.repeat(2_000) + '%b"';
  const big = rowSource(schema, [{ id: 1n, a: 1, b: 1n, s: 'x', flag: true, meta: { k: 'a'.repeat(20_000) }, arr: null }]);
  const t0 = Date.now();
  assert.equal(evaluateFilter(compileFilter(many, schema), big)[0], 0);
  assert.ok(Date.now() - t0 < 2_000, 'like must not backtrack exponentially');
});
