/**
 * Service results -> REST row objects. Values as the Node SDK formats them (client/format.ts),
 * except int64 values, which stay bigint here so the JSON writer can print them as numbers or as
 * strings (`Accept-Type-Allow-Int64`). The dynamic field is flattened into the row, as Milvus' REST
 * API does.
 */
import type { Column } from '../../schema/column.js';
import { doorColumn } from '../../service/output.js';
import { doorOutputColumns, formatValue } from '../../service/sdk-values.js';
import type { OutputColumn, PrimaryKeys, QueryResult, SearchResult } from '../../service/types.js';

export type RestRow = Record<string, unknown>;

export function restValue(c: Column, row: number): unknown {
  if (c.valid !== null && c.valid[row] === 0) return null;
  if (c.kind === 'int64') return c.data[row];
  if (c.kind === 'array') return c.data[row] ?? [];
  return formatValue(c, row);
}

/** `columns` as doorOutputColumns gives them (converted once per result, not per row). */
function putColumns(row: RestRow, columns: readonly OutputColumn[], at: number): void {
  for (const oc of columns) {
    const field = oc.field;
    const v = restValue(oc.column, at);
    if (!field.isDynamic) {
      row[field.name] = v;
      continue;
    }
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (!(k in row)) row[k] = x;
    }
  }
}

export function queryRows(r: QueryResult): RestRow[] {
  const rows: RestRow[] = [];
  const columns = doorOutputColumns(r.columns); // a struct's members as one list of element objects; Timestamptz as text
  for (let i = 0; i < r.numRows; i++) {
    const row: RestRow = {};
    putColumns(row, columns, i);
    rows.push(row);
  }
  return rows;
}

export function pkValue(ids: PrimaryKeys, i: number): bigint | string {
  return ids.kind === 'int64' ? ids.data[i]! : ids.data[i]!;
}

export function pkList(ids: PrimaryKeys): (bigint | string)[] {
  return ids.kind === 'int64' ? Array.from(ids.data) : [...ids.data];
}

/** Hits of every query, concatenated: `{<pk>: id, distance, ...output fields}`. */
export function searchRows(r: SearchResult): RestRow[] {
  const rows: RestRow[] = [];
  const n = r.scores.length;
  const columns = doorOutputColumns(r.columns);
  const groupBy = r.groupByValues ? doorColumn(r.groupByValues) : null;
  for (let i = 0; i < n; i++) {
    const row: RestRow = { [r.primaryFieldName]: pkValue(r.ids, i), distance: r.scores[i] };
    putColumns(row, columns, i);
    if (groupBy !== null && r.groupByValues) row[r.groupByValues.field.name] = restValue(groupBy, i);
    if (r.highlights !== undefined && r.highlights.length > 0) {
      const highlight: Record<string, { fragments: string[]; scores: number[] }> = {};
      for (const h of r.highlights) {
        const d = h.datas[i];
        if (d) highlight[h.fieldName] = { fragments: d.fragments, scores: d.scores };
      }
      row['highlight'] = highlight;
    }
    rows.push(row);
  }
  return rows;
}
