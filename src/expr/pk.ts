/** Plan inspection: which fields a filter reads, and primary-key point lookups. */
import { DataType } from '../core/enums.js';
import { primaryField, type CollectionSchema } from '../schema/types.js';
import { nodeChildren, type FilterPlan, type Node } from './plan.js';

/** Schema field names the filter reads ('$meta' for dynamic keys), sorted. */
export function referencedFields(plan: FilterPlan): string[] {
  const out = new Set<string>();
  if (plan.root === null) return [];
  const stack: Node[] = [plan.root];
  while (stack.length > 0) {
    const n = stack.pop() as Node;
    if (n.op === 'field' || n.op === 'json' || n.op === 'elem' || n.op === 'textMatch' || n.op === 'phraseMatch') out.add(n.field);
    if (n.op === 'elementFilter') for (const m of [n.countField, ...n.members]) out.add(m);
    stack.push(...nodeChildren(n));
  }
  return [...out].sort();
}

/**
 * When the filter is exactly `pk == v`, `pk in [...]`, or an OR of those: the distinct PK values
 * (bigint for Int64 PKs, string for VarChar PKs), else null.
 */
export function extractPkTerms(plan: FilterPlan, schema: CollectionSchema): (bigint | string)[] | null {
  if (plan.root === null) return null;
  const pk = primaryField(schema);
  const out: (bigint | string)[] = [];
  const seen = new Set<bigint | string>();
  const add = (v: unknown): boolean => {
    let key: bigint | string;
    if (pk.dataType === DataType.Int64) {
      if (typeof v === 'bigint') key = v;
      else if (typeof v === 'number' && Number.isInteger(v)) key = BigInt(v);
      else return typeof v === 'number'; // a non-integral number can never match: skip it
    } else if (typeof v === 'string') key = v;
    else return false;
    if (!seen.has(key)) { seen.add(key); out.push(key); }
    return true;
  };
  const visit = (n: Node): boolean => {
    if (n.op === 'or') return n.args.every(visit);
    const isPk = (x: Node): boolean => x.op === 'field' && x.field === pk.name;
    if (n.op === 'cmp' && n.cmp === '==' && isPk(n.left) && n.right.op === 'const') return add(n.right.value);
    if (n.op === 'in' && isPk(n.arg)) return n.values.every(add);
    return false;
  };
  return visit(plan.root) ? out : null;
}
