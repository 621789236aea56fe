/** Parser property test: printing a random parse tree and parsing it back gives the same tree. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SUPPORTED_FUNCTIONS, type Ast, type BinaryOp, type PathStep, type RelOp } from '../../src/expr/ast.js';
import { parseFilter, printAst } from '../../src/expr/index.js';
import { Rng } from './gen.js';

const RESERVED = new Set(['and', 'or', 'not', 'in', 'like', 'exists', 'true', 'false', 'True', 'False'].flatMap((w) => [w, w.toUpperCase()]));
const BINARY: BinaryOp[] = ['+', '-', '*', '/', '%', '**', '&', '|', '^', '<<', '>>', '==', '!=', '<', '<=', '>', '>='];
const CHARS = ['a', 'Z', ' ', '"', "'", '\\', '\n', '\t', '\u0000', '\u0007', '%', '_', 'é', '€', '😀', '\ud800', '\udfff', '\u2028', '{', '['];

function ident(r: Rng): string {
  const first = 'abcxyzAB_';
  const rest = 'abcxyz019_';
  for (;;) {
    let s = first[r.int(0, first.length - 1)] as string;
    for (let i = r.int(0, 6); i > 0; i--) s += rest[r.int(0, rest.length - 1)] as string;
    if (!RESERVED.has(s)) return s;
  }
}
function str(r: Rng): string {
  let s = '';
  for (let i = r.int(0, 6); i > 0; i--) s += r.pick(CHARS);
  return s;
}
function bigint(r: Rng): bigint {
  const roll = r.next();
  if (roll < 0.5) return BigInt(r.int(0, 1000));
  if (roll < 0.6) return 1n << 63n;
  return BigInt.asUintN(63, (BigInt(r.int(0, 0x7fffffff)) << 32n) | BigInt(r.int(0, 0x7fffffff)));
}
function float(r: Rng): number {
  return r.pick([0, 0.5, 1.5, 1e21, 5e-324, Number.MAX_VALUE, 123.456, 1e-7, r.next() * 1000, r.next()]);
}
function column(r: Rng, pos = 0): Ast & { k: 'column' } {
  const path: PathStep[] = [];
  for (let i = r.int(0, 2); i > 0; i--) path.push(r.chance(0.5) ? str(r) : r.int(0, 100));
  return { k: 'column', pos, name: r.chance(0.1) ? '$meta' : ident(r), path };
}

function leaf(r: Rng): Ast {
  switch (r.int(0, 6)) {
    case 0: return { k: 'int', pos: 0, value: bigint(r) };
    case 1: return { k: 'float', pos: 0, value: float(r) };
    case 2: return { k: 'bool', pos: 0, value: r.chance(0.5) };
    case 3: return { k: 'string', pos: 0, value: str(r) };
    case 4: return { k: 'template', pos: 0, name: ident(r) };
    default: return column(r);
  }
}

export function randomAst(r: Rng, d: number): Ast {
  if (d <= 0 || r.chance(0.2)) return leaf(r);
  const sub = (): Ast => randomAst(r, d - 1);
  const many = (lo: number, hi: number): Ast[] => Array.from({ length: r.int(lo, hi) }, sub);
  switch (r.int(0, 10)) {
    case 0: return { k: 'list', pos: 0, items: many(0, 3) };
    case 1: return { k: 'unary', pos: 0, op: r.pick(['+', '-', '~', 'not'] as const), arg: sub() };
    case 2: case 3: return { k: 'binary', pos: 0, op: r.pick(BINARY), left: sub(), right: sub() };
    case 4: return { k: 'logical', pos: 0, op: r.pick(['and', 'or'] as const), args: many(2, 4) };
    case 5: {
      const asc = r.chance(0.5);
      const ops: RelOp[] = asc ? ['<', '<='] : ['>', '>='];
      return { k: 'range', pos: 0, lower: sub(), op1: r.pick(ops), column: column(r), op2: r.pick(ops), upper: sub() };
    }
    case 6: return { k: 'in', pos: 0, negated: r.chance(0.5), left: sub(), right: sub() };
    case 7: return { k: 'like', pos: 0, left: sub(), pattern: r.chance(0.8) ? { k: 'string', pos: 0, value: str(r) } : { k: 'template', pos: 0, name: ident(r) } };
    case 8: return { k: 'isNull', pos: 0, negated: r.chance(0.5), arg: column(r) };
    case 9: return { k: 'exists', pos: 0, arg: sub() };
    default: return { k: 'call', pos: 0, name: r.pick(SUPPORTED_FUNCTIONS), args: many(0, 3) };
  }
}

/** Deep copy without positions. */
function strip(a: unknown): unknown {
  if (Array.isArray(a)) return a.map(strip);
  if (typeof a !== 'object' || a === null) return a;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a)) if (k !== 'pos') out[k] = strip(v);
  return out;
}

it('parse(print(ast)) == ast for 5,000 random parse trees', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0x7fffffff }), (seed) => {
      const r = new Rng(seed);
      const ast = randomAst(r, r.int(1, 6));
      const text = printAst(ast);
      let back: Ast | null;
      try {
        back = parseFilter(text);
      } catch (e) {
        throw new Error(`seed ${seed}: ${text} does not parse: ${String(e)}`);
      }
      assert.deepEqual(strip(back), strip(ast), `seed ${seed}: ${text}`);
    }),
    { numRuns: 5000, seed: 7 },
  );
});

it('prints with minimal parentheses where precedence allows', () => {
  const round = (s: string): string => printAst(parseFilter(s) as Ast);
  assert.equal(round('a + b * c'), 'a + b * c');
  assert.equal(round('(a + b) * c'), '(a + b) * c');
  assert.equal(round('not a == 1'), 'not a == 1');
  assert.equal(round('not (a == 1)'), 'not (a == 1)');
  assert.equal(round('a == 1 or b == 2 and c == 3'), 'a == 1 or b == 2 and c == 3');
  assert.equal(round('(a == 1 or b == 2) and c == 3'), '(a == 1 or b == 2) and c == 3');
  assert.equal(round('1 < a <= 5'), '1 < a <= 5');
  assert.equal(round('(1 < a) < 5'), '(1 < a) < 5');
  assert.equal(round('2 ** 3 ** 2'), '2 ** 3 ** 2');
  assert.equal(round('-2 ** 2'), '- 2 ** 2');
  assert.equal(round('a & 1 == 1'), 'a & 1 == 1');
  assert.equal(round('a not in [1, 2]'), 'a not in [1, 2]');
  assert.equal(round('meta["a"][0] is not null'), 'meta["a"][0] is not null');
});
