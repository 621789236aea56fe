/**
 * Row-based JSON, as Milvus imports it: `{"rows": [{...}, ...]}` or a top-level list of row
 * objects. Integers beyond 2^53 keep their value (core/json-lossless.ts).
 */
import { importErrors } from '../../../core/errors.js';
import { parseJsonBody } from '../../../core/json-lossless.js';
import { inBatches, type ParsedFile, type ReadContext } from './format.js';

export function parseJsonRows(bytes: Uint8Array, ctx: ReadContext): ParsedFile {
  let doc: unknown;
  try {
    doc = parseJsonBody(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw importErrors.failed(`file ${ctx.name} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const list = Array.isArray(doc) ? doc
    : typeof doc === 'object' && doc !== null && Array.isArray((doc as Record<string, unknown>)['rows']) ? (doc as { rows: unknown[] }).rows
      : null;
  if (list === null) throw importErrors.failed(`file ${ctx.name}: expected a list of rows or an object {"rows": [...]}`);
  for (let i = 0; i < list.length; i++) {
    const r: unknown = list[i];
    if (typeof r !== 'object' || r === null || Array.isArray(r)) {
      throw importErrors.failed(`file ${ctx.name}: row ${i + 1} is not a JSON object`);
    }
  }
  const rows = list as Record<string, unknown>[];
  return { totalRows: rows.length, columns: null, batches: (n) => inBatches(rows, n) };
}
