/**
 * Recursive-descent parser following the precedence ladder of reference §6:
 * or < and < | < ^ < & < == != < relational/range < in < shift < + - < * / % < unary < ** < primary.
 * Every rule that can recurse goes through `enter`, so nesting is bounded by limits.maxExprDepth and
 * the JS stack can never overflow; the finished tree's depth is checked iteratively as well.
 */
import { limits } from '../core/limits.js';
import {
  astChildren, SUPPORTED_FUNCTIONS, type Ast, type FunctionName, type MatchFunction, type PathStep, type RelOp,
} from './ast.js';
import { exprError } from './error.js';
import { tokenize, type Punct, type Token } from './lexer.js';

const UNSUPPORTED_FUNCTIONS: ReadonlySet<string> = new Set([
  'random_sample',
  'match_all', 'match_any', 'match_least', 'match_most', 'match_exact',
]);
const SUPPORTED: ReadonlySet<string> = new Set(SUPPORTED_FUNCTIONS);

/** Keywords come in lower or upper case (`and`/`AND`); booleans also capitalised (`True`). */
export function isKeyword(t: Token, kw: string): boolean {
  if (t.kind !== 'ident') return false;
  return t.text === kw || t.text === kw.toUpperCase();
}
function boolValue(t: Token): boolean | undefined {
  if (t.kind !== 'ident') return undefined;
  if (t.text === 'true' || t.text === 'True' || t.text === 'TRUE') return true;
  if (t.text === 'false' || t.text === 'False' || t.text === 'FALSE') return false;
  return undefined;
}
const RESERVED = ['and', 'or', 'not', 'in', 'like', 'exists'];

/** Parse filter text into a tree; null for an empty or whitespace-only filter. */
export function parseFilter(text: string): Ast | null {
  if (text.length > limits.maxExprLength) {
    throw exprError(text, `expression length ${text.length} exceeds maxExprLength=${limits.maxExprLength}`, limits.maxExprLength);
  }
  const tokens = tokenize(text);
  const first = tokens[0];
  if (first?.kind === 'error') throw first.error;
  if (tokens.length === 1) return null;
  const p = new Parser(text, tokens);
  const ast = p.parseExpr();
  const t = p.peek();
  if (t.kind !== 'eof') throw exprError(text, `unexpected ${describe(t)}`, t.pos);
  checkDepth(text, ast);
  return ast;
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof': return 'end of input';
    case 'ident': return `identifier ${t.text}`;
    case 'int': return `integer ${t.value}`;
    case 'float': return `number ${t.value}`;
    case 'string': return 'string literal';
    case 'punct': return t.text === '=' ? "'=' (use '==' to compare)" : `'${t.text}'`;
    case 'error': return 'invalid input';
  }
}

function checkDepth(text: string, root: Ast): void {
  const stack: [Ast, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [Ast, number];
    if (depth > limits.maxExprDepth) {
      throw exprError(text, `expression nesting deeper than maxExprDepth=${limits.maxExprDepth}`, node.pos);
    }
    for (const c of astChildren(node)) stack.push([c, depth + 1]);
  }
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly text: string, private readonly toks: Token[]) {}

  peek(offset = 0): Token {
    const t = this.toks[Math.min(this.i + offset, this.toks.length - 1)];
    if (t === undefined) throw exprError(this.text, 'unexpected end of input', this.text.length);
    if (t.kind === 'error') throw t.error;
    return t;
  }
  private next(): Token {
    const t = this.peek();
    if (this.i < this.toks.length - 1) this.i++;
    return t;
  }
  private fail(problem: string, pos: number): never {
    throw exprError(this.text, problem, pos);
  }
  private unexpected(t: Token): never {
    this.fail(`unexpected ${describe(t)}`, t.pos);
  }
  private isPunct(t: Token, ...ps: Punct[]): boolean {
    return t.kind === 'punct' && ps.includes(t.text);
  }
  private expectPunct(p: Punct): Token {
    const t = this.next();
    if (!this.isPunct(t, p)) this.fail(`expected '${p}' but found ${describe(t)}`, t.pos);
    return t;
  }
  private enter(pos: number): void {
    if (++this.depth > limits.maxExprDepth) {
      this.fail(`expression nesting deeper than maxExprDepth=${limits.maxExprDepth}`, pos);
    }
  }
  private leave(): void {
    this.depth--;
  }

  parseExpr(): Ast {
    this.enter(this.peek().pos);
    const e = this.parseLogical('or');
    this.leave();
    return e;
  }

  private isLogical(t: Token, op: 'and' | 'or'): boolean {
    return op === 'or' ? this.isPunct(t, '||') || isKeyword(t, 'or') : this.isPunct(t, '&&') || isKeyword(t, 'and');
  }

  private parseLogical(op: 'and' | 'or'): Ast {
    const sub = (): Ast => (op === 'or' ? this.parseLogical('and') : this.parseBitOr());
    const first = sub();
    if (!this.isLogical(this.peek(), op)) return first;
    const args = [first];
    const pos = this.peek().pos;
    while (this.isLogical(this.peek(), op)) {
      this.next();
      args.push(sub());
    }
    return { k: 'logical', pos, op, args };
  }

  private parseBitOr(): Ast {
    let left = this.parseBitXor();
    while (this.isPunct(this.peek(), '|')) {
      const pos = this.next().pos;
      left = { k: 'binary', pos, op: '|', left, right: this.parseBitXor() };
    }
    return left;
  }
  private parseBitXor(): Ast {
    let left = this.parseBitAnd();
    while (this.isPunct(this.peek(), '^')) {
      const pos = this.next().pos;
      left = { k: 'binary', pos, op: '^', left, right: this.parseBitAnd() };
    }
    return left;
  }
  private parseBitAnd(): Ast {
    let left = this.parseEquality();
    while (this.isPunct(this.peek(), '&')) {
      const pos = this.next().pos;
      left = { k: 'binary', pos, op: '&', left, right: this.parseEquality() };
    }
    return left;
  }
  private parseEquality(): Ast {
    let left = this.parseRelational();
    for (let t = this.peek(); t.kind === 'punct' && (t.text === '==' || t.text === '!='); t = this.peek()) {
      this.next();
      left = { k: 'binary', pos: t.pos, op: t.text, left, right: this.parseRelational() };
    }
    return left;
  }

  private relOp(t: Token): RelOp | undefined {
    if (t.kind === 'punct' && (t.text === '<' || t.text === '<=' || t.text === '>' || t.text === '>=')) return t.text;
    return undefined;
  }

  private parseRelational(): Ast {
    let left = this.parseTerm();
    const op1 = this.relOp(this.peek());
    if (op1 === undefined) return left;
    const pos1 = this.next().pos;
    const mid = this.parseTerm();
    const op2 = this.relOp(this.peek());
    const ascending = (o: RelOp): boolean => o === '<' || o === '<=';
    if (op2 !== undefined && mid.k === 'column' && ascending(op1) === ascending(op2)) {
      this.next();
      const upper = this.parseTerm();
      left = { k: 'range', pos: left.pos, lower: left, op1, column: mid, op2, upper };
    } else {
      left = { k: 'binary', pos: pos1, op: op1, left, right: mid };
    }
    for (let op = this.relOp(this.peek()); op !== undefined; op = this.relOp(this.peek())) {
      const pos = this.next().pos;
      left = { k: 'binary', pos, op, left, right: this.parseTerm() };
    }
    return left;
  }

  private parseTerm(): Ast {
    const left = this.parseShift();
    const t = this.peek();
    let negated = false;
    if (isKeyword(t, 'not') && isKeyword(this.peek(1), 'in')) {
      negated = true;
      this.next();
    } else if (!isKeyword(t, 'in')) {
      return left;
    }
    this.next();
    return { k: 'in', pos: t.pos, negated, left, right: this.parseShift() };
  }

  private parseShift(): Ast {
    let left = this.parseAdditive();
    for (let t = this.peek(); t.kind === 'punct' && (t.text === '<<' || t.text === '>>'); t = this.peek()) {
      this.next();
      left = { k: 'binary', pos: t.pos, op: t.text, left, right: this.parseAdditive() };
    }
    return left;
  }
  private parseAdditive(): Ast {
    let left = this.parseMultiplicative();
    for (let t = this.peek(); t.kind === 'punct' && (t.text === '+' || t.text === '-'); t = this.peek()) {
      this.next();
      left = { k: 'binary', pos: t.pos, op: t.text, left, right: this.parseMultiplicative() };
    }
    return left;
  }
  private parseMultiplicative(): Ast {
    let left = this.parseUnary();
    for (let t = this.peek(); t.kind === 'punct' && (t.text === '*' || t.text === '/' || t.text === '%'); t = this.peek()) {
      this.next();
      left = { k: 'binary', pos: t.pos, op: t.text, left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): Ast {
    const t = this.peek();
    let op: '+' | '-' | '~' | 'not' | undefined;
    if (t.kind === 'punct' && (t.text === '+' || t.text === '-' || t.text === '~')) op = t.text;
    else if (this.isPunct(t, '!') || isKeyword(t, 'not')) op = 'not';
    if (op === undefined) return this.parsePower();
    this.next();
    this.enter(t.pos);
    const arg = this.parseUnary();
    this.leave();
    return { k: 'unary', pos: t.pos, op, arg };
  }

  private parsePower(): Ast {
    const base = this.parsePrimary();
    const t = this.peek();
    if (!this.isPunct(t, '**')) return base;
    this.next();
    this.enter(t.pos);
    const exponent = this.parseUnary();
    this.leave();
    return { k: 'binary', pos: t.pos, op: '**', left: base, right: exponent };
  }

  /** An atom followed by postfix `like`, `is [not] null` (columns only). */
  private parsePrimary(): Ast {
    this.enter(this.peek().pos);
    let e = this.parseAtom();
    while (true) {
      const t = this.peek();
      if (isKeyword(t, 'like')) {
        this.next();
        e = { k: 'like', pos: t.pos, left: e, pattern: this.parseAtom() };
      } else if (e.k === 'column' && isKeyword(t, 'is')) {
        e = this.parseIsNull(e);
      } else if (this.isPunct(t, '=~', '!~')) {
        this.fail(`regular expression match (${t.kind === 'punct' ? t.text : ''}) is not supported`, t.pos);
      } else {
        break;
      }
    }
    this.leave();
    return e;
  }

  private parseIsNull(column: Ast): Ast {
    const isTok = this.next();
    let negated = false;
    if (isKeyword(this.peek(), 'not')) { this.next(); negated = true; }
    const n = this.next();
    if (!isKeyword(n, 'null')) this.fail(`expected null after is but found ${describe(n)}`, n.pos);
    return { k: 'isNull', pos: isTok.pos, negated, arg: column };
  }

  private parseAtom(): Ast {
    const t = this.next();
    switch (t.kind) {
      case 'int': return { k: 'int', pos: t.pos, value: t.value };
      case 'float': return { k: 'float', pos: t.pos, value: t.value };
      case 'string': return { k: 'string', pos: t.pos, value: t.value };
      case 'eof': case 'error': return this.unexpected(t);
      case 'punct': return this.parsePunctAtom(t);
      case 'ident': return this.parseIdentAtom(t);
    }
  }

  private parsePunctAtom(t: Token & { kind: 'punct' }): Ast {
    if (t.text === '(') {
      const e = this.parseExpr();
      this.expectPunct(')');
      return e;
    }
    if (t.text === '[') return this.parseList(t.pos);
    if (t.text === '{') {
      const name = this.next();
      if (name.kind !== 'ident' || name.text === '$meta') this.fail(`expected a template name but found ${describe(name)}`, name.pos);
      this.expectPunct('}');
      return { k: 'template', pos: t.pos, name: name.text };
    }
    return this.unexpected(t);
  }

  private parseList(pos: number): Ast {
    const items: Ast[] = [];
    while (!this.isPunct(this.peek(), ']')) {
      items.push(this.parseExpr());
      if (items.length > limits.maxExprInListLength) {
        this.fail(`list longer than maxExprInListLength=${limits.maxExprInListLength}`, pos);
      }
      if (this.isPunct(this.peek(), ',')) { this.next(); continue; }
      if (!this.isPunct(this.peek(), ']')) this.fail(`expected ',' or ']' but found ${describe(this.peek())}`, this.peek().pos);
    }
    this.next();
    return { k: 'list', pos, items };
  }

  private parseIdentAtom(t: Token & { kind: 'ident' }): Ast {
    const b = boolValue(t);
    if (b !== undefined) return { k: 'bool', pos: t.pos, value: b };
    if (isKeyword(t, 'exists')) return { k: 'exists', pos: t.pos, arg: this.parsePrimary() };
    for (const kw of RESERVED) if (isKeyword(t, kw)) this.unexpected(t);
    const lower = t.text.toLowerCase();
    if ((lower === 'iso' || lower === 'interval') && this.peek().kind === 'string') {
      this.fail(`timestamptz expressions (${t.text} '...') are not supported`, t.pos);
    }
    if ((lower === 'text_match' || lower === 'phrase_match') && (t.text === lower || t.text === lower.toUpperCase())
      && this.isPunct(this.peek(), '(')) return this.parseMatch(t, lower);
    if (lower === 'element_filter' && this.isPunct(this.peek(), '(')) return this.parseElementFilter(t);
    if (t.text === '$') return this.parseElementMember(t);
    if (this.isPunct(this.peek(), '(') && t.text !== '$meta') return this.parseCall(t);
    const path: PathStep[] = [];
    while (this.isPunct(this.peek(), '[')) {
      this.next();
      const step = this.next();
      if (step.kind === 'string') path.push(step.value);
      else if (step.kind === 'int' && step.value <= BigInt(Number.MAX_SAFE_INTEGER)) path.push(Number(step.value));
      else this.fail(`expected a string key or a non-negative integer index but found ${describe(step)}`, step.pos);
      this.expectPunct(']');
    }
    return { k: 'column', pos: t.pos, name: t.text, path };
  }

  private parseCall(t: Token & { kind: 'ident' }): Ast {
    const lower = t.text.toLowerCase();
    if (UNSUPPORTED_FUNCTIONS.has(lower)) this.fail(`${lower} is not supported`, t.pos);
    if (!SUPPORTED.has(lower) || (t.text !== lower && t.text !== lower.toUpperCase())) {
      this.fail(`function ${t.text} is not supported`, t.pos);
    }
    this.next(); // '('
    const args: Ast[] = [];
    while (!this.isPunct(this.peek(), ')')) {
      args.push(this.parseExpr());
      if (this.isPunct(this.peek(), ',')) { this.next(); continue; }
      if (!this.isPunct(this.peek(), ')')) this.fail(`expected ',' or ')' but found ${describe(this.peek())}`, this.peek().pos);
    }
    this.next();
    return { k: 'call', pos: t.pos, name: lower as FunctionName, args };
  }

  /** `element_filter(structField, predicate)`. */
  private parseElementFilter(t: Token): Ast {
    this.next(); // '('
    const f = this.next();
    if (f.kind !== 'ident' || f.text === '$meta' || f.text === '$') this.fail(`element_filter needs a struct field name as its first argument but found ${describe(f)}`, f.pos);
    this.expectPunct(',');
    const pred = this.parseExpr();
    this.expectPunct(')');
    return { k: 'elementFilter', pos: t.pos, field: f.text, fieldPos: f.pos, pred };
  }

  /** `$[member]`: a member of the current struct element. */
  private parseElementMember(t: Token): Ast {
    this.expectPunct('[');
    const m = this.next();
    if (m.kind !== 'ident' && m.kind !== 'string') this.fail(`expected a struct member name in $[...] but found ${describe(m)}`, m.pos);
    this.expectPunct(']');
    return { k: 'column', pos: t.pos, name: '$', path: [m.kind === 'string' ? m.value : m.text] };
  }

  /** `text_match(f, 'q'[, minimum_should_match=N])`, `phrase_match(f, 'q'[, slop])` (Milvus's Plan.g4). */
  private parseMatch(t: Token, fn: MatchFunction): Ast {
    this.next(); // '('
    const f = this.next();
    if (f.kind !== 'ident' || f.text === '$meta') this.fail(`${fn} needs a field name as its first argument but found ${describe(f)}`, f.pos);
    this.expectPunct(',');
    const q = this.next();
    if (q.kind !== 'string') this.fail(`${fn} needs a string literal as its second argument but found ${describe(q)}`, q.pos);
    let extra: Ast | null = null;
    if (this.isPunct(this.peek(), ',')) {
      this.next();
      if (fn === 'text_match') {
        const kw = this.next();
        if (!isKeyword(kw, 'minimum_should_match')) this.fail(`expected minimum_should_match but found ${describe(kw)}`, kw.pos);
        this.expectPunct('=');
        const v = this.next();
        if (v.kind !== 'int') this.fail(`minimum_should_match needs an integer constant but found ${describe(v)}`, v.pos);
        extra = { k: 'int', pos: v.pos, value: v.value };
      } else {
        extra = this.parseExpr();
      }
    }
    this.expectPunct(')');
    return { k: 'match', pos: t.pos, fn, field: f.text, fieldPos: f.pos, query: q.value, extra };
  }
}
