/**
 * Type check: resolve names against the schema and turn the parse tree into a plan `Node` tree.
 * Static rules (reference §6): no string <-> number coercion, bools compare only with bools, vector
 * fields cannot be filtered, `not` needs a boolean. JSON values are typed only per row, so anything
 * goes with them statically and a mismatch simply does not match at evaluation.
 */
import { DataType, dataTypeName, isVectorType } from '../core/enums.js';
import { INT64_MAX, INT64_MIN } from '../core/int64.js';
import { dynamicField, fieldByName, structFieldByName, structMembersOf, type CollectionSchema } from '../schema/types.js';
import { memberWidth } from '../schema/struct.js';
import { isSpatialFn, type Ast, type BinaryOp, type CmpOp } from './ast.js';
import { astConst, constTypeName, templateConst, type Fail, type TemplateValues } from './consts.js';
import { errors } from '../core/errors.js';
import { exprError } from './error.js';
import { likePatternProblem } from './like.js';
import { checkMatch } from './check-match.js';
import { checkSpatial } from './check-spatial.js';
import type { ArithKind, ConstValue, Node, ScalarType } from './plan.js';

const FLIP: Record<CmpOp, CmpOp> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function scalarTypeOf(dt: DataType): ScalarType | undefined {
  switch (dt) {
    case DataType.Bool: return 'bool';
    case DataType.Int8: case DataType.Int16: case DataType.Int32: case DataType.Int64: return 'int';
    case DataType.Float: case DataType.Double: return 'float';
    case DataType.VarChar: return 'string';
    default: return undefined;
  }
}
const isNumeric = (t: string): boolean => t === 'int' || t === 'float';
const isConstNode = (n: Node): boolean => n.op === 'const' || n.op === 'list';

export function checkFilter(text: string, ast: Ast, schema: CollectionSchema, templates?: TemplateValues): Node {
  const c = new Checker(text, schema, templates);
  return c.predicate(ast, 'a filter');
}

/** Milvus's segment-core (C++) names of the vector data types, which its execution errors print. */
const SEGCORE_VECTOR_NAMES = new Map<number, string>([
  [DataType.BinaryVector, 'VECTOR_BINARY'], [DataType.FloatVector, 'VECTOR_FLOAT'],
  [DataType.Float16Vector, 'VECTOR_FLOAT16'], [DataType.BFloat16Vector, 'VECTOR_BFLOAT16'],
  [DataType.SparseFloatVector, 'VECTOR_SPARSE_FLOAT'], [DataType.Int8Vector, 'VECTOR_INT8'],
]);

function segcoreTypeName(t: DataType): string {
  return SEGCORE_VECTOR_NAMES.get(t) ?? String(dataTypeName(t) ?? t);
}

class Checker {
  readonly fail: Fail;
  constructor(text: string, private readonly schema: CollectionSchema, private readonly templates: TemplateValues | undefined) {
    this.fail = (problem, pos) => { throw exprError(text, problem, pos); };
  }

  predicate(a: Ast, what: string): Node {
    return this.asBool(this.value(a), a.pos, what);
  }

  private asBool(n: Node, pos: number, what: string): Node {
    if (n.type === 'bool') return n;
    if (n.type === 'json') return { op: 'truthy', type: 'bool', arg: n };
    return this.fail(`${what} needs a boolean expression, got ${n.type}`, pos);
  }

  value(a: Ast): Node {
    switch (a.k) {
      case 'int':
        if (a.value > INT64_MAX) this.fail('integer literal out of int64 range', a.pos);
        return { op: 'const', type: 'int', value: a.value };
      case 'float': return { op: 'const', type: 'float', value: a.value };
      case 'bool': return { op: 'const', type: 'bool', value: a.value };
      case 'string': return { op: 'const', type: 'string', value: a.value };
      case 'list': return { op: 'list', type: 'list', values: this.constList(a) };
      case 'template': return this.constNode(templateConst(this.templates, a.name, a.pos, this.fail), a.pos);
      case 'column': return this.column(a);
      case 'unary': return this.unary(a);
      case 'binary': return this.binary(a);
      case 'logical': return { op: a.op, type: 'bool', args: a.args.map((x) => this.predicate(x, a.op)) };
      case 'range': return this.range(a);
      case 'in': return this.inList(a);
      case 'like': return this.like(a);
      case 'isNull': return this.isNull(a);
      case 'exists': return this.exists(a);
      case 'call': return this.call(a);
      case 'match': return checkMatch(a, this.schema, this.fail);
      case 'elementFilter': return this.elementFilter(a);
    }
  }

  private constList(a: Ast): ConstValue[] {
    const v = astConst(a, this.templates, this.fail);
    if (!Array.isArray(v)) return this.fail(`expected a list but found ${constTypeName(v)}`, a.pos);
    return v;
  }

  private constNode(v: ConstValue, pos: number): Node {
    switch (typeof v) {
      case 'bigint': return { op: 'const', type: 'int', value: v };
      case 'number': return { op: 'const', type: 'float', value: v };
      case 'boolean': return { op: 'const', type: 'bool', value: v };
      case 'string': return { op: 'const', type: 'string', value: v };
      default: break;
    }
    if (Array.isArray(v)) return { op: 'list', type: 'list', values: v };
    return this.fail('a JSON object value is only allowed inside a list or as a json_contains argument', pos);
  }

  /** Inside element_filter: the struct and the stored members its predicate reads. */
  private element: { struct: string; members: Set<string> } | null = null;

  private elementFilter(a: Ast & { k: 'elementFilter' }): Node {
    if (this.element !== null) return this.fail('element_filter cannot be nested', a.pos);
    if (structFieldByName(this.schema, a.field) === undefined) return this.fail(`element_filter needs a struct field, ${a.field} is not one`, a.fieldPos);
    const scope = { struct: a.field, members: new Set<string>() };
    this.element = scope;
    try {
      const pred = this.predicate(a.pred, 'element_filter');
      const first = structMembersOf(this.schema, a.field)[0];
      if (first === undefined) return this.fail(`struct ${a.field} has no fields`, a.fieldPos);
      return { op: 'elementFilter', type: 'bool', struct: a.field, members: [...scope.members].sort(), countField: first.name, countWidth: memberWidth(first), pred };
    } finally {
      this.element = null;
    }
  }

  /** `$[member]`: the member of the current struct element (scalar members only). */
  private elementMember(a: Ast & { k: 'column' }): Node {
    const scope = this.element;
    if (scope === null) return this.fail('$[...] can only be used inside element_filter', a.pos);
    const member = String(a.path[0]);
    const f = fieldByName(this.schema, `${scope.struct}[${member}]`);
    const t = f?.structMember === undefined ? undefined : scalarTypeOf(f.structMember.type);
    if (f === undefined || f.structMember === undefined) return this.fail(`struct ${scope.struct} has no field ${member}`, a.pos);
    if (t === undefined) return this.fail(`field ${member} of struct ${scope.struct} cannot be used in a filter`, a.pos);
    scope.members.add(f.name);
    return { op: 'field', type: t, field: f.name, dataType: f.structMember.type };
  }

  private column(a: Ast & { k: 'column' }): Node {
    if (a.name === '$') return this.elementMember(a);
    const dynamicName = dynamicField(this.schema)?.name ?? '$meta';
    if (a.name === '$meta') {
      if (!this.schema.enableDynamicField) this.fail('field $meta not exist', a.pos);
      return { op: 'json', type: 'json', field: dynamicName, path: a.path };
    }
    const f = fieldByName(this.schema, a.name);
    if (f === undefined || f.isDynamic) {
      if (!this.schema.enableDynamicField) return this.fail(`field ${a.name} not exist`, a.pos);
      return { op: 'json', type: 'json', field: dynamicName, path: [a.name, ...a.path] };
    }
    if (isVectorType(f.dataType)) return this.fail(`vector field ${f.name} cannot be used in a filter`, a.pos);
    if (f.dataType === DataType.JSON) return { op: 'json', type: 'json', field: f.name, path: a.path };
    if (f.dataType === DataType.Array) return this.arrayColumn(a, f.name, f.elementType);
    const t = scalarTypeOf(f.dataType);
    if (t === undefined) return this.fail(`field ${f.name} of type ${dataTypeName(f.dataType) ?? f.dataType} cannot be used in a filter`, a.pos);
    if (a.path.length > 0) this.fail(`field ${f.name} of type ${dataTypeName(f.dataType) ?? f.dataType} cannot be indexed`, a.pos);
    return { op: 'field', type: t, field: f.name, dataType: f.dataType };
  }

  private arrayColumn(a: Ast & { k: 'column' }, name: string, elementType: DataType | null): Node {
    const et = elementType === null ? undefined : scalarTypeOf(elementType);
    if (et === undefined || elementType === null) return this.fail(`Array field ${name} has no supported element type`, a.pos);
    if (a.path.length === 0) return { op: 'field', type: 'array', field: name, dataType: DataType.Array };
    const step = a.path[0];
    if (a.path.length > 1 || typeof step !== 'number') {
      return this.fail(`Array field ${name} can only be indexed once, by a non-negative integer`, a.pos);
    }
    return { op: 'elem', type: et, field: name, index: step, elementType };
  }

  private unary(a: Ast & { k: 'unary' }): Node {
    if (a.op === 'not') return { op: 'not', type: 'bool', arg: this.asBool(this.value(a.arg), a.pos, 'not') };
    if (a.op === '-' && a.arg.k === 'int') {
      if (-a.arg.value < INT64_MIN) this.fail('integer literal out of int64 range', a.arg.pos);
      return { op: 'const', type: 'int', value: -a.arg.value };
    }
    const arg = this.value(a.arg);
    if (a.op === '~') {
      if (arg.type !== 'int') return this.fail(`~ needs an integer operand, got ${arg.type}`, a.pos);
      if (arg.op === 'const' && typeof arg.value === 'bigint') return { op: 'const', type: 'int', value: ~arg.value };
      return { op: 'bitnot', type: 'int', arg };
    }
    if (!isNumeric(arg.type) && arg.type !== 'json') return this.fail(`unary ${a.op} needs a number, got ${arg.type}`, a.pos);
    if (arg.op === 'const') {
      if (typeof arg.value === 'bigint') return { op: 'const', type: 'int', value: a.op === '-' ? BigInt.asIntN(64, -arg.value) : arg.value };
      if (typeof arg.value === 'number') return { op: 'const', type: 'float', value: a.op === '-' ? -arg.value : arg.value };
    }
    const type = arg.type === 'int' ? 'int' : 'float';
    if (a.op === '-') return { op: 'neg', type, arg };
    if (arg.type !== 'json') return arg;
    return { op: 'neg', type: 'float', arg: { op: 'neg', type: 'float', arg } }; // +json: a number or unknown
  }

  private binary(a: Ast & { k: 'binary' }): Node {
    const left = this.value(a.left);
    const right = this.value(a.right);
    const op: BinaryOp = a.op;
    switch (op) {
      case '==': case '!=': case '<': case '<=': case '>': case '>=': return this.compare(op, left, right, a.pos);
      default: return this.arith(op, left, right, a.pos);
    }
  }

  private arith(op: ArithKind, left: Node, right: Node, pos: number): Node {
    const bit = op === '&' || op === '|' || op === '^' || op === '<<' || op === '>>';
    if (bit) {
      if (left.type !== 'int' || right.type !== 'int') {
        return this.fail(`bit operation ${op} needs integer operands, got ${left.type} and ${right.type}`, pos);
      }
      return { op: 'arith', type: 'int', kind: op, left, right };
    }
    for (const side of [left, right]) {
      if (!isNumeric(side.type) && side.type !== 'json') {
        return this.fail(`arithmetic ${op} needs numbers, got ${left.type} and ${right.type}`, pos);
      }
    }
    const type = op !== '**' && left.type === 'int' && right.type === 'int' ? 'int' : 'float';
    return { op: 'arith', type, kind: op, left, right };
  }

  /** Float columns compare against the constant rounded to float32, as Milvus does. */
  private roundForFloat(col: Node, c: Node): Node {
    const isFloat32 = (col.op === 'field' && col.dataType === DataType.Float) || (col.op === 'elem' && col.elementType === DataType.Float);
    if (!isFloat32 || c.op !== 'const' || (typeof c.value !== 'number' && typeof c.value !== 'bigint')) return c;
    return { op: 'const', type: 'float', value: Math.fround(Number(c.value)) };
  }

  compare(op: CmpOp, left: Node, right: Node, pos: number): Node {
    this.checkComparable(op, left, right, pos);
    if (isConstNode(left) && !isConstNode(right)) return this.compare(FLIP[op], right, left, pos);
    return { op: 'cmp', type: 'bool', cmp: op, left, right: this.roundForFloat(left, right) };
  }

  private checkComparable(op: CmpOp, l: Node, r: Node, pos: number): void {
    const equality = op === '==' || op === '!=';
    const collection = (t: string): boolean => t === 'list' || t === 'array';
    if (collection(l.type) || collection(r.type)) {
      const ok = equality && (collection(l.type) || l.type === 'json') && (collection(r.type) || r.type === 'json');
      if (!ok) this.fail(`cannot compare ${l.type} with ${r.type} using ${op}`, pos);
      return;
    }
    if (l.type === 'json' || r.type === 'json') return;
    if (isNumeric(l.type) && isNumeric(r.type)) return;
    if (l.type === r.type && (l.type === 'string' || equality)) return;
    this.fail(`cannot compare ${l.type} with ${r.type} using ${op}`, pos);
  }

  private range(a: Ast & { k: 'range' }): Node {
    const column = this.value(a.column);
    const lower = this.compare(a.op1, this.value(a.lower), column, a.pos);
    const upper = this.compare(a.op2, column, this.value(a.upper), a.pos);
    return { op: 'and', type: 'bool', args: [lower, upper] };
  }

  private checkConstFor(target: Node, values: ConstValue[], pos: number, what: string): ConstValue[] {
    const t = target.type;
    if (t === 'json') return values;
    const fround = (target.op === 'elem' && target.elementType === DataType.Float) || (target.op === 'field' && target.dataType === DataType.Float);
    return values.map((v) => {
      const vt = constTypeName(v);
      const ok = isNumeric(t) ? isNumeric(vt) : vt === t;
      if (!ok) this.fail(`${what}: cannot compare ${t} with ${vt}`, pos);
      return fround && (typeof v === 'number' || typeof v === 'bigint') ? Math.fround(Number(v)) : v;
    });
  }

  private inList(a: Ast & { k: 'in' }): Node {
    const arg = this.value(a.left);
    if (arg.type === 'list' || arg.type === 'array') this.fail(`the left side of in cannot be a ${arg.type}`, a.pos);
    if (a.right.k !== 'list' && a.right.k !== 'template') this.fail('the right side of in must be a list or a template', a.right.pos);
    const values = this.checkConstFor(arg, this.constList(a.right), a.pos, 'in');
    const node: Node = { op: 'in', type: 'bool', arg, values };
    return a.negated ? { op: 'not', type: 'bool', arg: node } : node;
  }

  private like(a: Ast & { k: 'like' }): Node {
    const arg = this.value(a.left);
    if (arg.type !== 'string' && arg.type !== 'json') this.fail(`like needs a VarChar or JSON operand, got ${arg.type}`, a.pos);
    if (a.pattern.k !== 'string' && a.pattern.k !== 'template') this.fail('like needs a string pattern', a.pattern.pos);
    const pattern = astConst(a.pattern, this.templates, this.fail);
    if (typeof pattern !== 'string') return this.fail('like needs a string pattern', a.pattern.pos);
    const problem = likePatternProblem(pattern);
    if (problem !== undefined) this.fail(`invalid like pattern: ${problem}`, a.pattern.pos);
    return { op: 'like', type: 'bool', arg, pattern };
  }

  private isNull(a: Ast & { k: 'isNull' }): Node {
    if (a.arg.k === 'column' && a.arg.path.length === 0) {
      const f = fieldByName(this.schema, a.arg.name);
      if (f !== undefined && !f.isDynamic && isVectorType(f.dataType)) throw errors.nullCheckOnVector(segcoreTypeName(f.dataType));
    }
    const arg = this.value(a.arg);
    const node: Node = { op: 'isNull', type: 'bool', arg };
    return a.negated ? { op: 'not', type: 'bool', arg: node } : node;
  }

  private exists(a: Ast & { k: 'exists' }): Node {
    const arg = this.value(a.arg);
    if (arg.op !== 'json') this.fail('exists needs a JSON path or a dynamic field key', a.pos);
    return { op: 'exists', type: 'bool', arg };
  }

  private containerArg(a: Ast, fn: string): Node {
    const arg = this.value(a);
    if (arg.type !== 'array' && arg.type !== 'json') this.fail(`${fn} needs an Array or JSON field, got ${arg.type}`, a.pos);
    return arg;
  }

  private call(a: Ast & { k: 'call' }): Node {
    if (isSpatialFn(a.name)) return checkSpatial(a, a.name, this.schema, this.fail, this.templates);
    const want = a.name === 'array_length' ? 1 : 2;
    if (a.args.length !== want) this.fail(`${a.name} takes ${want} argument${want === 1 ? '' : 's'}, got ${a.args.length}`, a.pos);
    const [first, second] = a.args as [Ast, Ast];
    const arg = this.containerArg(first, a.name);
    if (a.name === 'array_length') return { op: 'length', type: 'int', arg };
    const mode = a.name.endsWith('_all') ? 'all' : a.name.endsWith('_any') ? 'any' : 'one';
    const v = astConst(second, this.templates, this.fail);
    let values: ConstValue[];
    if (mode === 'one') values = [v];
    else if (Array.isArray(v)) values = v;
    else return this.fail(`${a.name} needs a list as its second argument`, second.pos);
    if (arg.op === 'field') {
      const fieldNode = fieldByName(this.schema, arg.field);
      const et = fieldNode?.elementType ?? null;
      const elemNode: Node = { op: 'elem', type: (et === null ? undefined : scalarTypeOf(et)) ?? 'string', field: arg.field, index: 0, elementType: et ?? DataType.None };
      values = this.checkConstFor(elemNode, values, second.pos, a.name);
    }
    return { op: 'contains', type: 'bool', mode, arg, values };
  }
}
