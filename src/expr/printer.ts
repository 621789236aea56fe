/**
 * Print a parse tree back to filter text with as few parentheses as the precedence ladder allows;
 * `parseFilter(printAst(a))` gives back `a` (positions aside). Used by tests and for messages.
 */
import type { Ast, PathStep } from './ast.js';

/** Precedence levels, low to high (reference §6). */
const LEVEL = {
  or: 1, and: 2, bor: 3, bxor: 4, band: 5, eq: 6, rel: 7, term: 8, shift: 9, add: 10, mul: 11,
  unary: 12, power: 13, postfix: 14, atom: 15,
} as const;

function level(a: Ast): number {
  switch (a.k) {
    case 'logical': return a.op === 'or' ? LEVEL.or : LEVEL.and;
    case 'binary':
      switch (a.op) {
        case '|': return LEVEL.bor;
        case '^': return LEVEL.bxor;
        case '&': return LEVEL.band;
        case '==': case '!=': return LEVEL.eq;
        case '<': case '<=': case '>': case '>=': return LEVEL.rel;
        case '<<': case '>>': return LEVEL.shift;
        case '+': case '-': return LEVEL.add;
        case '*': case '/': case '%': return LEVEL.mul;
        case '**': return LEVEL.power;
      }
      break;
    case 'range': return LEVEL.rel;
    case 'in': return LEVEL.term;
    case 'unary': return LEVEL.unary;
    case 'like': case 'isNull': case 'exists': return LEVEL.postfix;
    default: return LEVEL.atom;
  }
}

function quote(s: string): string {
  return JSON.stringify(s);
}

function printFloat(x: number): string {
  const s = String(x);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

function printPath(path: readonly PathStep[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `[${quote(p)}]`)).join('');
}

/** Print `a` so that it parses at precedence level `min` or higher. */
function at(a: Ast, min: number): string {
  const s = printAst(a);
  return level(a) >= min ? s : `(${s})`;
}

export function printAst(a: Ast): string {
  switch (a.k) {
    case 'int': return a.value.toString();
    case 'float': return printFloat(a.value);
    case 'bool': return a.value ? 'true' : 'false';
    case 'string': return quote(a.value);
    case 'list': return `[${a.items.map((x) => at(x, LEVEL.or)).join(', ')}]`;
    case 'template': return `{${a.name}}`;
    case 'column': return a.name + printPath(a.path);
    case 'unary': return `${a.op === 'not' ? 'not' : a.op} ${at(a.arg, LEVEL.unary)}`;
    case 'logical': {
      const l = a.op === 'or' ? LEVEL.or : LEVEL.and;
      return a.args.map((x) => at(x, l + 1)).join(` ${a.op} `);
    }
    case 'binary': return printBinary(a);
    case 'range': return `${at(a.lower, LEVEL.term)} ${a.op1} ${printAst(a.column)} ${a.op2} ${at(a.upper, LEVEL.term)}`;
    case 'in': return `${at(a.left, LEVEL.shift)} ${a.negated ? 'not in' : 'in'} ${at(a.right, LEVEL.shift)}`;
    case 'like': {
      const left = a.left.k === 'exists' ? `(${printAst(a.left)})` : at(a.left, LEVEL.postfix);
      return `${left} like ${at(a.pattern, LEVEL.atom)}`;
    }
    case 'isNull': return `${printAst(a.arg)} ${a.negated ? 'is not null' : 'is null'}`;
    case 'exists': return `exists ${at(a.arg, LEVEL.postfix)}`;
    case 'call': return `${a.name}(${a.args.map((x) => at(x, LEVEL.or)).join(', ')})`;
    case 'match': {
      const extra = a.extra === null ? '' : a.fn === 'text_match' ? `, minimum_should_match=${printAst(a.extra)}` : `, ${at(a.extra, LEVEL.or)}`;
      return `${a.fn}(${a.field}, ${quote(a.query)}${extra})`;
    }
    case 'elementFilter': return `element_filter(${a.field}, ${at(a.pred, LEVEL.or)})`;
  }
}

function printBinary(a: Ast & { k: 'binary' }): string {
  const l = level(a);
  if (a.op === '**') return `${at(a.left, LEVEL.postfix)} ** ${at(a.right, LEVEL.unary)}`;
  // Relational chains: a relational left operand is parenthesised so `x < col < y` never becomes a range.
  const leftMin = l === LEVEL.rel ? LEVEL.term : l;
  return `${at(a.left, leftMin)} ${a.op} ${at(a.right, l + 1)}`;
}
