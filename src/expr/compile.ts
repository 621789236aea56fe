/** compileFilter: text -> parse tree -> checked plan. Pure; throws MilvusError 1100 on bad input. */
import type { CollectionSchema } from '../schema/types.js';
import { checkFilter } from './check.js';
import type { TemplateValues } from './consts.js';
import { parseFilter } from './parser.js';
import type { FilterPlan } from './plan.js';
import { printAst } from './printer.js';

/**
 * The plan's cache key is its parse tree printed back (`parseFilter(printAst(a))` is `a`): texts
 * that differ only in spacing or redundant parentheses share the results chunks keep.
 */
export function compileFilter(text: string, schema: CollectionSchema, templates?: TemplateValues): FilterPlan {
  const ast = parseFilter(text);
  const root = ast === null ? null : checkFilter(text, ast, schema, templates);
  const cacheKey = templates !== undefined && Object.keys(templates).length > 0 ? null : ast === null ? '' : printAst(ast);
  return { text, ast, root, cacheKey };
}

/** Plans kept per schema, least recently used dropped first. */
const PLANS_PER_SCHEMA = 256;
const plans = new WeakMap<CollectionSchema, Map<string, FilterPlan>>();

/**
 * compileFilter, remembered by filter text per schema object. A schema is replaced, never changed,
 * when a collection is altered, so its identity is the schema version. Filters with template values
 * are compiled every time.
 */
export function compileFilterCached(text: string, schema: CollectionSchema, templates?: TemplateValues): FilterPlan {
  if (templates !== undefined && Object.keys(templates).length > 0) return compileFilter(text, schema, templates);
  let bySchema = plans.get(schema);
  if (bySchema === undefined) plans.set(schema, (bySchema = new Map()));
  const hit = bySchema.get(text);
  if (hit !== undefined) {
    bySchema.delete(text);
    bySchema.set(text, hit);
    return hit;
  }
  const plan = compileFilter(text, schema);
  if (bySchema.size >= PLANS_PER_SCHEMA) bySchema.delete(bySchema.keys().next().value!);
  bySchema.set(text, plan);
  return plan;
}
