/** The Milvus filter expression language: compile text against a schema, evaluate to a Bitset. */
export { compileFilter, compileFilterCached } from './compile.js';
export type { TemplateValues } from './consts.js';
export { evaluateFilter, filterRowIds, indexedFilterRowIds, matchingElements, rootElementFilter } from './eval.js';
export { referencedFields, extractPkTerms } from './pk.js';
export { naiveMatches, type RowValues } from './naive.js';
export { parseFilter } from './parser.js';
export { printAst } from './printer.js';
export type { FilterPlan, Node, ConstValue } from './plan.js';
export type { Ast } from './ast.js';
