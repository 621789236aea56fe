/**
 * Filter expressions by the hundred thousand (SEXTANT_FUZZ=long: 1,000,000; CI: 50,000): well-typed
 * filters from gen.ts, the same mutated (gen.ts mutateFilter), token soup and random bytes. Most go
 * through the parser/evaluator directly (a plan that matches the naive evaluator, or a positioned
 * 1100); a share goes through the real server's query path (REST v2 entities/query on collection FUZZ,
 * whose rows are known): the server must answer in band, refuse what the compiler refuses, and
 * return exactly the ids the local evaluator selects for what it accepts.
 * Replay: SEXTANT_FUZZ_SEED=<printed seed>.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MilvusError } from '../../src/core/errors.js';
import { compileFilter, evaluateFilter, naiveMatches, type FilterPlan, type RowValues } from '../../src/expr/index.js';
import { ExprGen, mutateFilter, Rng, TOKENS } from '../expr/gen.js';
import { rowSource } from '../expr/helpers.js';
import { randomBytes } from './mutate.js';
import { FUZZ, fuzzRows, fuzzSchema, fuzzSeed, httpRequest, jsonText, LONG, mb, quietRss, ROWS, serve } from './server.js';

const TOTAL = LONG ? 1_000_000 : 50_000;
const VIA_SERVER = LONG ? 30_000 : 2_500;
const IN_FLIGHT = 8;

const rows = fuzzRows();
const source = rowSource(fuzzSchema, rows);
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

function validFilters(r: Rng, n: number): string[] {
  const out: string[] = [];
  while (out.length < n) {
    const g = new ExprGen(r, fuzzSchema);
    const text = g.bool(r.int(0, 3));
    if (Object.keys(g.templates).length === 0) out.push(text);
  }
  return out;
}

function nextInput(r: Rng, valid: string[]): string {
  const roll = r.int(0, 9);
  if (roll === 0) return latin1.decode(randomBytes(r, r.int(0, 40)));
  if (roll === 1) return utf8.decode(randomBytes(r, r.int(0, 40)));
  if (roll === 2) {
    let s = '';
    for (let j = r.int(1, 12); j > 0; j--) s += r.pick(TOKENS) + (r.chance(0.5) ? ' ' : '');
    return s;
  }
  if (roll <= 4) return r.pick(valid);
  let s = r.pick(valid);
  for (let m = r.int(1, 2); m > 0; m--) s = mutateFilter(r, s);
  return s;
}

/** The plan, or null for a clean 1100; anything else throws. */
function compileLocal(input: string): FilterPlan | null {
  try {
    return compileFilter(input, fuzzSchema);
  } catch (e) {
    if (!(e instanceof MilvusError)) throw new Error(`non-Milvus error for ${JSON.stringify(input.slice(0, 200))}: ${String(e)}`);
    assert.equal(e.code, 1100, e.message);
    return null;
  }
}

function expectedIds(plan: FilterPlan): number[] {
  const bits = evaluateFilter(plan, source);
  const ids: number[] = [];
  for (let i = 0; i < ROWS; i++) {
    assert.equal(bits[i] === 1, naiveMatches(plan, rows[i] as RowValues), 'vectorised vs naive');
    if (bits[i] === 1) ids.push(i);
  }
  return ids;
}

test('expressions: random and mutated filters compile or fail cleanly, directly and through the server', { timeout: LONG ? Infinity : 600_000 }, async (t) => {
  const seed = fuzzSeed();
  t.diagnostic(`seed ${seed} (replay: SEXTANT_FUZZ_SEED=${seed})`);
  const r = new Rng(seed);
  const valid = validFilters(r, 2_000);
  const outcomes = { plans: 0, errors: 0, serverPlans: 0, serverErrors: 0 };
  for (let i = 0; i < TOTAL - VIA_SERVER; i++) {
    const plan = compileLocal(nextInput(r, valid));
    if (plan === null) outcomes.errors++;
    else { outcomes.plans++; expectedIds(plan); }
  }
  const s = await serve();
  const mismatches: string[] = [];
  try {
    const rssBefore = await quietRss(s);
    const inputs = Array.from({ length: VIA_SERVER }, () => nextInput(r, valid));
    let next = 0;
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
      while (next < inputs.length) {
        const input = inputs[next++] as string;
        const plan = compileLocal(input);
        const res = await httpRequest(s.port, '/v2/vectordb/entities/query', jsonText({ collectionName: FUZZ, filter: input, outputFields: ['id'], limit: 1000 }));
        assert.equal(res.status, 200, res.text);
        const body = JSON.parse(res.text) as { code: number; data?: { id: number | string }[]; message?: string };
        if (plan === null) {
          outcomes.serverErrors++;
          // An empty filter is allowed by the query path only with a limit (it means "all rows").
          if (body.code === 0 && input.trim() !== '' && mismatches.length < 20) mismatches.push(`server accepted what the compiler refuses: ${JSON.stringify(input)}`);
          continue;
        }
        outcomes.serverPlans++;
        const want = expectedIds(plan).join(',');
        const got = body.code === 0 ? (body.data ?? []).map((x) => Number(x.id)).sort((a, b) => a - b).join(',') : `error ${body.code}: ${body.message ?? ''}`;
        if (got !== want && mismatches.length < 20) mismatches.push(`${JSON.stringify(input)}: server ${got.slice(0, 200)} | local ${want.slice(0, 200)}`);
      }
    }));
    s.assertHealthy();
    await s.probe();
    const rssAfter = await quietRss(s);
    t.diagnostic(`${TOTAL} filters: ${TOTAL - VIA_SERVER} direct (${outcomes.plans} plans, ${outcomes.errors} errors), ${VIA_SERVER} through the server (${outcomes.serverPlans} plans, ${outcomes.serverErrors} refused); server RSS ${mb(rssBefore)} -> ${mb(rssAfter)}`);
    assert.deepEqual(mismatches, [], `server vs local evaluator (seed ${seed})`);
    assert.ok(rssAfter - rssBefore < 100 * 1048576, `RSS grew ${mb(rssAfter - rssBefore)}`);
    assert.ok(outcomes.plans > TOTAL / 10, 'the generator reaches valid plans');
  } finally {
    await s.stop();
  }
});
