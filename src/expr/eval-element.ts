/**
 * element_filter over a RowSource: the struct's elements become the rows of an element source
 * (each stored member `struct[m]`, an Array column, flattened into a scalar column), the predicate
 * is evaluated there, and a row matches when one of its elements does (unknown when none does and
 * one is unknown). `elementMatches` also gives, per row, the offsets of its matching elements
 * (element-level query results).
 */
import { DataType } from '../core/enums.js';
import type { Bitset, Column, RowSource } from '../schema/column.js';
import type { ArrayElement } from '../schema/types.js';
import type { B3 } from './eval-vec.js';
import { requireColumn } from './eval-vec.js';
import type { Node } from './plan.js';

type ElementFilter = Node & { op: 'elementFilter' };

function arrays(c: Column): readonly (readonly ArrayElement[])[] {
  return c.kind === 'array' ? c.data : [];
}

/** A flattened member: the element values of every row end to end, typed by the stored element type. */
function flatten(c: Column, total: number): Column {
  const rows = arrays(c);
  const et = c.kind === 'array' ? c.elementType : DataType.None;
  const flat: ArrayElement[] = [];
  for (let r = 0; r < rows.length; r++) {
    const row = c.valid !== null && c.valid[r] === 0 ? [] : rows[r]!;
    for (const e of row) flat.push(e);
  }
  flat.length = total; // members of one struct have as many elements per row (checked on insert)
  switch (et) {
    case DataType.Bool: return { kind: 'bool', data: Uint8Array.from(flat, (x) => (x === true ? 1 : 0)), valid: null };
    case DataType.Int8: return { kind: 'int8', data: Int8Array.from(flat, Number), valid: null };
    case DataType.Int16: return { kind: 'int16', data: Int16Array.from(flat, Number), valid: null };
    case DataType.Int32: return { kind: 'int32', data: Int32Array.from(flat, Number), valid: null };
    case DataType.Int64: return { kind: 'int64', data: BigInt64Array.from(flat, (x) => BigInt(x ?? 0)), valid: null };
    case DataType.Float: return { kind: 'float', data: Float32Array.from(flat, Number), valid: null };
    case DataType.Double: return { kind: 'double', data: Float64Array.from(flat, Number), valid: null };
    default: return { kind: 'varchar', data: Array.from(flat, (x) => String(x ?? '')), valid: null };
  }
}

/** The elements of every row as rows of their own; `starts[r]` is row r's first element (n + 1 entries). */
export function elementSource(node: ElementFilter, rows: RowSource): { source: RowSource; starts: Int32Array } {
  const n = rows.numRows;
  const counted = arrays(requireColumn(rows, node.countField));
  const starts = new Int32Array(n + 1);
  for (let r = 0; r < n; r++) starts[r + 1] = starts[r]! + Math.floor((counted[r]?.length ?? 0) / node.countWidth);
  const total = starts[n]!;
  const flat = new Map<string, Column>();
  for (const m of node.members) flat.set(m, flatten(requireColumn(rows, m), total));
  return { source: { numRows: total, column: (name) => flat.get(name) }, starts };
}

/** Row-level result of element_filter from its element-level result. */
export function elementFilterRows(node: ElementFilter, rows: RowSource, evaluate: (pred: Node, source: RowSource) => B3): B3 {
  const { source, starts } = elementSource(node, rows);
  const r = evaluate(node.pred, source);
  const n = rows.numRows;
  const v = new Uint8Array(n);
  const k = new Uint8Array(n);
  for (let row = 0; row < n; row++) {
    let known = 1;
    for (let e = starts[row]!; e < starts[row + 1]!; e++) {
      const isKnown = r.k === null || r.k[e] === 1;
      if (isKnown && r.v[e] === 1) { v[row] = 1; known = 1; break; }
      if (!isKnown) known = 0;
    }
    k[row] = known;
  }
  return { v, k };
}

/** Per row, the offsets of the elements the predicate holds for (known true). */
export function elementOffsets(node: ElementFilter, rows: RowSource, evaluate: (pred: Node, source: RowSource) => Bitset): number[][] {
  const { source, starts } = elementSource(node, rows);
  const bits = evaluate(node.pred, source);
  const out: number[][] = [];
  for (let row = 0; row < rows.numRows; row++) {
    const hits: number[] = [];
    for (let e = starts[row]!; e < starts[row + 1]!; e++) if (bits[e] === 1) hits.push(e - starts[row]!);
    out.push(hits);
  }
  return out;
}
