/**
 * Text fields: the `enable_analyzer`, `enable_match`, `analyzer_params` and `multi_analyzer_params`
 * type params of a VarChar field (all strings on the wire, as the SDKs send them). CreateCollection
 * builds the field's analyzer so bad params fail there (code 1100, Milvus's analyzer messages), not
 * at the first insert; the BM25 function, TEXT_MATCH and RunAnalyzer read the analyzer back from here.
 */
import { buildAnalyzer, buildMultiAnalyzer, parseAnalyzerParams, type Analyzer, type MultiAnalyzer } from '../analyzer/analyzer.js';
import { DataType } from '../core/enums.js';
import { errors } from '../core/errors.js';
import type { FieldSchema } from './types.js';

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** A boolean type param read with Go's strconv.ParseBool; an unparsable value is refused. */
function boolParam(field: FieldSchema, key: string): boolean {
  const raw = field.typeParams[key];
  if (raw === undefined) return false;
  if (TRUE.has(raw)) return true;
  if (FALSE.has(raw)) return false;
  throw errors.invalidParameter(`type param ${key} of field ${field.name} must be a boolean, got ${JSON.stringify(raw)}`);
}

export function enableAnalyzer(field: FieldSchema): boolean {
  return field.dataType === DataType.VarChar && boolParam(field, 'enable_analyzer');
}

export function enableMatch(field: FieldSchema): boolean {
  return field.dataType === DataType.VarChar && boolParam(field, 'enable_match');
}

/** The field's analyzer: one for every row, or per-row by another field's value (multi_analyzer_params). */
export type FieldAnalyzer =
  | { kind: 'single'; analyzer: Analyzer }
  | { kind: 'multi'; multi: MultiAnalyzer };

/** Build the analyzer of a field with `enable_analyzer` (throws 1100 for bad params). */
export function fieldAnalyzer(field: FieldSchema): FieldAnalyzer {
  const multi = field.typeParams['multi_analyzer_params'];
  if (multi !== undefined && multi !== '') return { kind: 'multi', multi: buildMultiAnalyzer(multi) };
  return { kind: 'single', analyzer: buildAnalyzer(parseAnalyzerParams(field.typeParams['analyzer_params'] ?? '')) };
}

/** CreateCollection's checks of every text field (after each field was built on its own). */
export function checkTextFields(fields: readonly FieldSchema[]): void {
  const byName = new Map(fields.map((f) => [f.name, f]));
  for (const f of fields) {
    const analyzer = boolParam(f, 'enable_analyzer');
    const match = boolParam(f, 'enable_match');
    if ((analyzer || match) && f.dataType !== DataType.VarChar) {
      throw errors.invalidParameter(`enable_analyzer and enable_match are only supported on VarChar fields, field ${f.name} is not VarChar`);
    }
    if (match && !analyzer) {
      throw errors.invalidParameter(`field ${f.name} is set to enable match but not enable analyzer`);
    }
    if (!analyzer) continue;
    const hasMulti = (f.typeParams['multi_analyzer_params'] ?? '') !== '';
    if (hasMulti && (f.typeParams['analyzer_params'] ?? '') !== '') {
      throw errors.invalidParameter(`field ${f.name} can not set both analyzer_params and multi_analyzer_params`);
    }
    if (hasMulti && match) {
      throw errors.invalidParameter(`multi analyzer now only support for bm25, but now field ${f.name} enable match`);
    }
    const built = fieldAnalyzer(f);
    if (built.kind === 'multi') checkByField(f, built.multi.byField, byName);
  }
}

function checkByField(field: FieldSchema, byField: string, byName: ReadonlyMap<string, FieldSchema>): void {
  const source = byName.get(byField);
  if (source === undefined) {
    throw errors.invalidParameter(`multi analyzer by_field ${byField} of field ${field.name} not found in collection schema`);
  }
  if (source.dataType !== DataType.VarChar) {
    throw errors.invalidParameter(`multi analyzer by_field ${byField} of field ${field.name} must be a VarChar field`);
  }
  if (source.name === field.name) {
    throw errors.invalidParameter(`multi analyzer by_field of field ${field.name} can not be the field itself`);
  }
}

/** TEXT_MATCH / PHRASE_MATCH apply to a field with `enable_match` (which checkTextFields tied to an analyzer). */
export const fieldEnablesMatch = enableMatch;

const singleAnalyzers = new Map<string, Analyzer>();

/**
 * A field's one analyzer (no multi-language choice per row), cached by its params text, and that
 * text (a chunk keeps one match index per field and key). `refuseMulti` names the refusal when the
 * field has multi_analyzer_params. TEXT_MATCH and the BM25 function both read analyzers here.
 */
export function singleAnalyzer(f: FieldSchema, refuseMulti: string): { analyzer: Analyzer; key: string } {
  const key = f.typeParams['analyzer_params'] ?? '';
  let analyzer = singleAnalyzers.get(key);
  if (analyzer === undefined) {
    const built = fieldAnalyzer(f);
    if (built.kind !== 'single') throw errors.invalidParameter(refuseMulti);
    analyzer = built.analyzer;
    singleAnalyzers.set(key, analyzer);
  }
  return { analyzer, key };
}

const fieldAnalyzers = new Map<string, FieldAnalyzer>();

/**
 * The analyzer of a field with `enable_analyzer`, single or multi-language, cached by its params
 * text (building jieba or a multi-language analyzer per insert batch would cost more than the batch).
 */
export function cachedFieldAnalyzer(f: FieldSchema): FieldAnalyzer {
  const multi = f.typeParams['multi_analyzer_params'] ?? '';
  const key = multi !== '' ? `multi:${multi}` : `single:${f.typeParams['analyzer_params'] ?? ''}`;
  let built = fieldAnalyzers.get(key);
  if (built === undefined) {
    built = fieldAnalyzer(f);
    fieldAnalyzers.set(key, built);
  }
  return built;
}

/** The analyzer of a match field: checkTextFields refuses multi-language analyzers on them, as Milvus does. */
export function matchAnalyzer(f: FieldSchema): { analyzer: Analyzer; key: string } {
  return singleAnalyzer(f, `multi analyzer now only support for bm25, but now field ${f.name} enable match`);
}
