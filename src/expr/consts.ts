/** Constant values of the filter language: literals, lists and template (`{name}`) values. */
import { INT64_MAX, INT64_MIN } from '../core/int64.js';
import { limits } from '../core/limits.js';
import type { Ast } from './ast.js';
import type { ConstValue } from './plan.js';

/** Values for `{name}` placeholders: boolean, number, bigint, string, nested arrays, plain JSON objects. */
export type TemplateValues = Record<string, unknown>;

export type Fail = (problem: string, pos: number) => never;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Convert a template value into a constant, or fail naming the template. */
export function templateConst(templates: TemplateValues | undefined, name: string, pos: number, fail: Fail): ConstValue {
  if (templates === undefined || !Object.prototype.hasOwnProperty.call(templates, name)) {
    return fail(`template variable {${name}} has no value`, pos);
  }
  return convertTemplate(templates[name], name, pos, fail, 0);
}

function convertTemplate(v: unknown, name: string, pos: number, fail: Fail, depth: number): ConstValue {
  if (depth > limits.maxExprDepth) fail(`template variable {${name}} nests deeper than maxExprDepth=${limits.maxExprDepth}`, pos);
  switch (typeof v) {
    case 'boolean': case 'string': return v;
    case 'bigint':
      if (v < INT64_MIN || v > INT64_MAX) fail(`template variable {${name}} is out of int64 range`, pos);
      return v;
    case 'number':
      if (!Number.isFinite(v)) fail(`template variable {${name}} is not a finite number`, pos);
      return Number.isSafeInteger(v) ? BigInt(v) : v;
    default: break;
  }
  if (Array.isArray(v)) {
    if (v.length > limits.maxExprInListLength) {
      fail(`template variable {${name}} is a list longer than maxExprInListLength=${limits.maxExprInListLength}`, pos);
    }
    const out: ConstValue[] = [];
    for (const x of v as unknown[]) out.push(convertTemplate(x, name, pos, fail, depth + 1));
    return out;
  }
  if (isPlainObject(v)) {
    const out: { [k: string]: ConstValue } = {};
    for (const [k, x] of Object.entries(v)) {
      Object.defineProperty(out, k, { value: convertTemplate(x, name, pos, fail, depth + 1), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return fail(`template variable {${name}} has an unsupported type ${v === null ? 'null' : typeof v}`, pos);
}

/** Evaluate an AST that must be a constant (list element, function argument, `in` list). */
export function astConst(a: Ast, templates: TemplateValues | undefined, fail: Fail): ConstValue {
  switch (a.k) {
    case 'int':
      if (a.value > INT64_MAX) fail('integer literal out of int64 range', a.pos);
      return a.value;
    case 'float': case 'bool': case 'string': return a.value;
    case 'template': return templateConst(templates, a.name, a.pos, fail);
    case 'list': {
      const out: ConstValue[] = [];
      for (const item of a.items) out.push(astConst(item, templates, fail));
      return out;
    }
    case 'unary': return unaryConst(a, templates, fail);
    default: return fail('expected a constant value (literal, list or template)', a.pos);
  }
}

function unaryConst(a: Ast & { k: 'unary' }, templates: TemplateValues | undefined, fail: Fail): ConstValue {
  if (a.op === '-' && a.arg.k === 'int') {
    const v = -a.arg.value;
    if (v < INT64_MIN) fail('integer literal out of int64 range', a.arg.pos);
    return v;
  }
  if (a.op !== '+' && a.op !== '-') return fail('expected a constant value (literal, list or template)', a.pos);
  const v = astConst(a.arg, templates, fail);
  if (typeof v === 'bigint') return a.op === '-' ? BigInt.asIntN(64, -v) : v;
  if (typeof v === 'number') return a.op === '-' ? -v : v;
  return fail(`unary ${a.op} needs a number`, a.pos);
}

export function constTypeName(v: ConstValue): string {
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'string';
  return Array.isArray(v) ? 'list' : 'object';
}
