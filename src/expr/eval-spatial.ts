/**
 * The spatial operators over a Geometry column (WKT text per row): each row's bounding box is
 * compared with the node's candidate box first, and only rows that reach it are read and tested
 * exactly (geometry.ts spatialTest). NULL rows and rows whose text jsts cannot read are unknown.
 */
import type { Column } from '../schema/column.js';
import type { B3 } from './eval-vec.js';
import { boxesIntersect, boxOf, spatialTest, tryReadWkt } from './geometry.js';
import type { Node } from './plan.js';

export type SpatialNode = Node & { op: 'spatial' };

/** 1 true, 0 false, 2 unknown for one row's text. */
export function spatialRow(node: SpatialNode, text: string): 0 | 1 | 2 {
  const g = tryReadWkt(text);
  if (g === null) return 2;
  if (node.box === null) return 0;
  const b = boxOf(g);
  if (b === null || !boxesIntersect(b, node.box)) return 0;
  return spatialTest(node.fn, g, node.geometry, node.distanceM) ? 1 : 0;
}

export function spatialColumn(node: SpatialNode, col: Column): B3 {
  if (col.kind !== 'varchar') throw new Error(`field ${node.field} is not a Geometry column`);
  const n = col.data.length;
  const v = new Uint8Array(n);
  const k = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (col.valid !== null && col.valid[i] === 0) continue;
    const r = spatialRow(node, col.data[i]!);
    if (r !== 2) { k[i] = 1; v[i] = r; }
  }
  return { v, k };
}
