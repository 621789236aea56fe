/**
 * The BM25 function (Milvus 2.5+): one VarChar input with `enable_analyzer`, one SparseFloatVector
 * output. Each row's text is analysed with the input field's analyzer and becomes a sparse vector
 * token hash -> term count (float32), one entry per distinct hash (Milvus `bm25_function.go run`).
 * Validation messages are Milvus's (`internal/proxy/util.go` checkFunction*), reference §1.2, §4.
 */
import { tokenHash, type Analyzer } from '../analyzer/analyzer.js';
import { DataType, dataTypeName } from '../core/enums.js';
import { errors } from '../core/errors.js';
import type { Column } from './column.js';
import { cachedFieldAnalyzer, enableAnalyzer, type FieldAnalyzer } from './text.js';
import type { FieldSchema, FunctionSchema, SparseVector } from './types.js';

export const analyzerEnabled = enableAnalyzer;

/**
 * The analyzer of a BM25 input field (schema/text.ts builds and caches it): one for every row, or a
 * multi-language analyzer (`multi_analyzer_params`) that picks one per row by the value of its
 * `by_field` and per query by `analyzer_name` (MV `multi_analyzer_bm25_function.go`).
 */
export function bm25Analyzer(f: FieldSchema): FieldAnalyzer {
  return cachedFieldAnalyzer(f);
}

/** The one analyzer for `f` and (on a multi-language field) analyzer name `name`. */
export function fieldAnalyzer(f: FieldSchema, name?: string): Analyzer {
  return pickAnalyzer(cachedFieldAnalyzer(f), name);
}

/**
 * The analyzer a row or a query uses: the field's one, or for a multi-language field the one `name`
 * selects (through the alias; an unknown, empty or absent name selects `default`, as Milvus does).
 */
export function pickAnalyzer(a: FieldAnalyzer, name: string | null | undefined): Analyzer {
  return a.kind === 'single' ? a.analyzer : a.multi.select(name);
}

/** One text -> its BM25 row: distinct token hashes ascending, each with its count. */
export function bm25Vector(analyzer: Analyzer, text: string): SparseVector {
  const counts = new Map<number, number>();
  for (const t of analyzer.tokens(text)) {
    const h = tokenHash(t);
    counts.set(h, (counts.get(h) ?? 0) + 1);
  }
  const indices = Uint32Array.from(counts.keys()).sort();
  const values = new Float32Array(indices.length);
  for (let i = 0; i < indices.length; i++) values[i] = counts.get(indices[i]!)!;
  return { indices, values };
}

/**
 * The output column of a BM25 function for `n` rows of its input column (NULL text -> empty row).
 * A multi-language input picks each row's analyzer by that row's value of `byColumn` (the
 * analyzer's `by_field`; NULL or absent -> `default`).
 */
export function bm25Column(input: FieldSchema, column: Column, n: number, byColumn?: Column): Column {
  if (column.kind !== 'varchar') throw errors.internal(`BM25 input ${input.name} is not a varchar column`);
  const analyzer = bm25Analyzer(input);
  const names = byColumn !== undefined && byColumn.kind === 'varchar' ? byColumn : undefined;
  const data: SparseVector[] = new Array<SparseVector>(n);
  for (let r = 0; r < n; r++) {
    const text = column.valid !== null && column.valid[r] === 0 ? '' : column.data[r]!;
    const name = names === undefined || (names.valid !== null && names.valid[r] === 0) ? undefined : names.data[r];
    data[r] = bm25Vector(pickAnalyzer(analyzer, name), text);
  }
  return { kind: 'sparseVector', data, valid: null };
}

/** The `by_field` a multi-language BM25 input reads its analyzer names from (none for one analyzer). */
export function analyzerByField(input: FieldSchema): string | undefined {
  const a = bm25Analyzer(input);
  return a.kind === 'multi' ? a.multi.byField : undefined;
}

const typeName = (t: number): string => dataTypeName(t) ?? String(t);

/** Milvus's checks of a BM25 function's fields (after the generic name checks). */
export function checkBm25Function(fn: FunctionSchema, byName: ReadonlyMap<string, FieldSchema>): void {
  const invalid = (what: string) => errors.invalidParameter(what);
  const inputs = fn.inputFieldNames.map((n) => byName.get(n)!);
  const first = inputs[0];
  if (inputs.length !== 1 || first === undefined || first.dataType !== DataType.VarChar) {
    throw invalid(`BM25 function input field must be a VARCHAR field, got ${inputs.length} field with type ${first ? typeName(first.dataType) : 'None'}`);
  }
  if (!analyzerEnabled(first)) throw invalid('BM25 function input field must set enable_analyzer to true');
  bm25Analyzer(first); // analyzer_params must build
  if (fn.outputFieldNames.length !== 1) throw invalid(`BM25 function only need 1 output field, but got ${fn.outputFieldNames.length}`);
  const out = byName.get(fn.outputFieldNames[0]!)!;
  if (out.dataType !== DataType.SparseFloatVector) {
    throw invalid(`BM25 function output field must be a SparseFloatVector field, but got ${typeName(out.dataType)}`);
  }
  if (Object.keys(fn.params).length > 0) throw invalid('BM25 function accepts no params');
}
