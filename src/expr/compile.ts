/** compileFilter: text -> parse tree -> checked plan. Pure; throws MilvusError 1100 on bad input. */
import type { CollectionSchema } from '../schema/types.js';
import { checkFilter } from './check.js';
import type { TemplateValues } from './consts.js';
import { parseFilter } from './parser.js';
import type { FilterPlan } from './plan.js';

export function compileFilter(text: string, schema: CollectionSchema, templates?: TemplateValues): FilterPlan {
  const ast = parseFilter(text);
  const root = ast === null ? null : checkFilter(text, ast, schema, templates);
  return { text, ast, root };
}
