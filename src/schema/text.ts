/**
 * The text type params of a field (`enable_match`, `enable_analyzer`, `analyzer_params`), read as
 * Milvus reads them, and the one schema rule TEXT_MATCH / PHRASE_MATCH need. Kept in one small file
 * so the analyzer and BM25 work can share (and dedupe) it.
 */
import { DataType } from '../core/enums.js';
import { errors } from '../core/errors.js';
import { buildAnalyzer, type Analyzer } from '../analyzer/analyzer.js';
import type { FieldSchema } from './types.js';

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Go's strconv.ParseBool, as Milvus parses `enable_match` / `enable_analyzer`; undefined when absent. */
function boolParam(params: Record<string, string | number>, key: string, field: string): boolean | undefined {
  const raw = params[key];
  if (raw === undefined) return undefined;
  const s = String(raw);
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  throw errors.invalidParameter(`${key} of field ${field} must be a bool, got ${JSON.stringify(s)}`);
}

/** True when the field is a VarChar with `enable_match` (Milvus ignores the key on other types). */
export function fieldEnablesMatch(f: FieldSchema): boolean {
  return f.dataType === DataType.VarChar && boolParam(f.typeParams, 'enable_match', f.name) === true;
}

/**
 * Schema rule for a field spec's text params: `enable_match` is only for VarChar, and needs
 * `enable_analyzer` (Milvus's `validateAnalyzer`).
 */
export function checkMatchParams(name: string, dataType: DataType, params: Record<string, string | number>): void {
  const match = boolParam(params, 'enable_match', name);
  const analyzer = boolParam(params, 'enable_analyzer', name);
  if (match !== true) return;
  if (dataType !== DataType.VarChar) throw errors.invalidParameter(`enable_match is only supported on VARCHAR fields, field: ${name}`);
  if (analyzer !== true) {
    throw errors.invalidParameter(`field ${name} which has enable_match or is input of BM25 function must also enable_analyzer`);
  }
}

const analyzers = new Map<string, Analyzer>();

/** The field's analyzer (from `analyzer_params`, default standard) and the text that identifies it. */
export function fieldAnalyzer(f: FieldSchema): { analyzer: Analyzer; key: string } {
  const key = f.typeParams['analyzer_params'] ?? '';
  let analyzer = analyzers.get(key);
  if (analyzer === undefined) {
    let params: unknown;
    if (key.trim() !== '') {
      try {
        params = JSON.parse(key);
      } catch {
        throw errors.invalidParameter(`analyzer_params of field ${f.name} is not valid JSON`);
      }
    }
    analyzer = buildAnalyzer(params);
    analyzers.set(key, analyzer);
  }
  return { analyzer, key };
}
