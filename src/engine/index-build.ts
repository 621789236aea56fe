/**
 * Building one vector or scalar index over one sealed segment's column: the pure part, shared by the
 * in-process path and the worker thread (index-worker.ts).
 */
import type { MetricType } from '../core/enums.js';
import type { IndexParams } from '../index/descriptor.js';
import { getIndexDescriptor } from '../index/registry.js';
import type { FileSystem } from '../storage/fs/types.js';
import { readSegmentFile } from '../storage/segment.js';
import { memberElements, memberWidth } from '../schema/struct.js';
import type { FieldSchema } from '../schema/types.js';
import { buildScalarPayload, type ScalarBuild } from './scalar-indexes.js';

export interface BuildJob {
  segmentPath: string;
  fieldId: number;
  indexType: string;
  metric: MetricType;
  params: IndexParams;
  /** Set for a scalar index (INVERTED, STL_SORT, BITMAP, TRIE, NGRAM, JSON paths). */
  scalar?: ScalarBuild;
  /** Threads the build may use, its own included (graph indexes insert in parallel). */
  threads?: number;
  /** Set for an index on a struct vector member: the index is built over the member's element vectors. */
  member?: FieldSchema;
}

/** Read the segment's column, build the index, and return its serialised payload. */
export async function buildIndexPayload(fs: FileSystem, job: BuildJob): Promise<Uint8Array> {
  const seg = await readSegmentFile(fs, job.segmentPath);
  const col = seg.cols.find((c) => c.fieldId === job.fieldId)?.column;
  if (!col) throw new Error(`segment ${job.segmentPath} has no field ${job.fieldId}`);
  if (job.scalar !== undefined) return buildScalarPayload(col, job.scalar);
  const desc = getIndexDescriptor(job.indexType);
  let over = col;
  let n = seg.numRows;
  if (job.member !== undefined) {
    over = memberElements(job.member, col, seg.numRows).vectors;
    n = over.data.length / memberWidth(job.member);
    // Too few elements for this index type: no payload, the segment's member is searched exactly.
    if (n === 0 || n < (desc.exactThreshold ?? 0)) return new Uint8Array(0);
  }
  const index = desc.build(over, n, { metric: job.metric, params: job.params, threads: job.threads ?? 1 });
  return index.serialize();
}
