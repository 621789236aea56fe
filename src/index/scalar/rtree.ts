/**
 * RTREE on a Geometry field (Milvus 2.6.4+): the bounding box of every row's geometry, packed into a
 * jsts STRtree (Sort-Tile-Recursive R-tree). A query box gives the candidate rows whose boxes
 * intersect it; the filter planner then tests each candidate exactly (expr/eval-spatial.ts). NULL
 * rows, empty geometries and text jsts cannot read are in no leaf.
 */
import type Envelope from 'jsts/org/locationtech/jts/geom/Envelope.js';
import { boxOf, jsts, tryReadWkt, type Box } from '../../expr/geometry.js';
import type { RtreeScalarIndex } from '../../expr/scalar-index.js';
import type { Column } from '../../schema/column.js';
import type { MemoryTally } from '../memory.js';

interface Tree {
  insert(env: Envelope, item: number): void;
  build(): void;
  query(env: Envelope): { size(): number; get(i: number): number };
}

/** Bytes per leaf of the jsts tree beyond the boxes themselves (objects, envelope, boundable). */
const TREE_BYTES_PER_ROW = 160;

export class RtreePostings implements RtreeScalarIndex {
  readonly shape = 'rtree';
  readonly indexType = 'RTREE';
  private tree: Tree | null = null;

  /** `boxes` holds minX, minY, maxX, maxY per entry of `rows` (ascending row ids). */
  constructor(readonly boxes: Float64Array, readonly rows: Int32Array) {
    if (boxes.length !== 4 * rows.length) throw new Error(`rtree: ${boxes.length} box values for ${rows.length} rows`);
  }

  static build(col: Column): RtreePostings {
    if (col.kind !== 'varchar') throw new Error('RTREE needs a Geometry column');
    const boxes: number[] = [];
    const rows: number[] = [];
    for (let i = 0; i < col.data.length; i++) {
      if (col.valid !== null && col.valid[i] === 0) continue;
      const g = tryReadWkt(col.data[i]!);
      const b = g === null ? null : boxOf(g);
      if (b === null) continue;
      boxes.push(b[0], b[1], b[2], b[3]);
      rows.push(i);
    }
    return new RtreePostings(Float64Array.from(boxes), Int32Array.from(rows));
  }

  private packed(): Tree {
    if (this.tree !== null) return this.tree;
    const { STRtree, Envelope } = jsts();
    const t = new STRtree() as unknown as Tree;
    const b = this.boxes;
    for (let j = 0; j < this.rows.length; j++) t.insert(new Envelope(b[4 * j]!, b[4 * j + 2]!, b[4 * j + 1]!, b[4 * j + 3]!), this.rows[j]!);
    t.build();
    this.tree = t;
    return t;
  }

  candidates(box: Box): Int32Array {
    if (this.rows.length === 0) return new Int32Array(0);
    const lo = (x: number): number => (x === -Infinity ? -Number.MAX_VALUE : x);
    const hi = (x: number): number => (x === Infinity ? Number.MAX_VALUE : x);
    const found = this.packed().query(new (jsts().Envelope)(lo(box[0]), hi(box[2]), lo(box[1]), hi(box[3])));
    const out = new Int32Array(found.size());
    for (let i = 0; i < out.length; i++) out[i] = found.get(i);
    return out.sort();
  }

  countMemory(t: MemoryTally): void {
    t.array(this.boxes).array(this.rows);
    if (this.tree !== null) t.other(TREE_BYTES_PER_ROW * this.rows.length);
  }
}
