/**
 * One compaction plan's data work, shared by the in-process path and the worker thread
 * (compact-worker.ts): read the source segment files, drop the rows their tombstones hide, join
 * the rest column by column and write the target segment file (temp, fsync, rename). The manifest
 * is not touched here: the compactor swaps the target in afterwards, so a crash at any point of
 * this leaves at most an orphan file that the next open removes.
 */
import type { Column } from '../schema/column.js';
import { concatColumns, takeRows } from '../schema/ops.js';
import type { FieldColumn } from '../storage/codec.js';
import type { FileSystem } from '../storage/fs/types.js';
import { readSegmentFile, writeSegmentFile } from '../storage/segment.js';
import { pkAt, type PrimaryKey } from './pk.js';

/** Hidden system field id of the write-timestamp column (the writer's TS_FIELD_ID). */
const TS_FIELD = 1;

export interface MergeJob {
  /** Where the target is written (the BlobStore's staging directory). */
  dir: string;
  /** Local paths of the source segment files (BlobStore.localPath). */
  sourcePaths: string[];
  /** Target file name; not written when every source row is deleted. */
  targetFile: string;
  meta: { collectionId: number; partitionId: number; segmentId: number; compactedFrom: number[] };
  pkFieldId: number;
  /** Tombstones at plan time: a row whose ts is below its pk's delete ts is dropped. */
  tombPks: BigInt64Array | string[];
  tombTs: BigInt64Array;
}

export type MergeResult =
  | { kind: 'written'; numRows: number; sizeBytes: number; minTs: bigint; maxTs: bigint; removedRows: number }
  | { kind: 'empty'; removedRows: number }
  /** Nothing to gain: one source and no deleted row in it. */
  | { kind: 'unchanged' }
  /** Sources written with different field sets (a field added in between): left as they are. */
  | { kind: 'skipped'; why: string };

function tombstoneMap(job: MergeJob): Map<PrimaryKey, bigint> {
  const m = new Map<PrimaryKey, bigint>();
  for (let i = 0; i < job.tombTs.length; i++) m.set(job.tombPks[i]!, job.tombTs[i]!);
  return m;
}

/** Kept row numbers of one source, or null when every row is kept. */
function keptRows(cols: readonly FieldColumn[], numRows: number, pkFieldId: number, tomb: ReadonlyMap<PrimaryKey, bigint>): number[] | null {
  if (tomb.size === 0) return null;
  const pk = cols.find((c) => c.fieldId === pkFieldId)?.column;
  const ts = cols.find((c) => c.fieldId === TS_FIELD)?.column;
  if (!pk || !ts || ts.kind !== 'int64') throw new Error('segment lacks its primary key or timestamp column');
  const rows: number[] = [];
  for (let r = 0; r < numRows; r++) {
    const del = tomb.get(pkAt(pk, r));
    if (del === undefined || ts.data[r]! >= del) rows.push(r);
  }
  return rows.length === numRows ? null : rows;
}

export async function runMerge(fs: FileSystem, job: MergeJob): Promise<MergeResult> {
  const tomb = tombstoneMap(job);
  const parts = new Map<number, Column[]>();
  let fieldKey: string | null = null;
  let numRows = 0;
  let removedRows = 0;
  for (const file of job.sourcePaths) {
    const seg = await readSegmentFile(fs, file);
    const key = seg.cols.map((c) => c.fieldId).sort((a, b) => a - b).join(',');
    if (fieldKey !== null && key !== fieldKey) return { kind: 'skipped', why: `${file} has fields ${key}, others ${fieldKey}` };
    fieldKey = key;
    const rows = keptRows(seg.cols, seg.numRows, job.pkFieldId, tomb);
    removedRows += rows === null ? 0 : seg.numRows - rows.length;
    numRows += rows === null ? seg.numRows : rows.length;
    for (const { fieldId, column } of seg.cols) {
      const list = parts.get(fieldId) ?? [];
      list.push(rows === null ? column : takeRows(column, rows));
      parts.set(fieldId, list);
    }
  }
  if (job.sourcePaths.length === 1 && removedRows === 0) return { kind: 'unchanged' };
  if (numRows === 0) return { kind: 'empty', removedRows };
  const cols: FieldColumn[] = [];
  for (const [fieldId, list] of parts) cols.push({ fieldId, column: list.length === 1 ? list[0]! : concatColumns(list) });
  const ts = cols.find((c) => c.fieldId === TS_FIELD)?.column;
  if (!ts || ts.kind !== 'int64') throw new Error('merged segment lacks its timestamp column');
  let minTs = ts.data[0]!;
  let maxTs = minTs;
  for (let i = 1; i < numRows; i++) {
    const t = ts.data[i]!;
    if (t < minTs) minTs = t;
    if (t > maxTs) maxTs = t;
  }
  const sizeBytes = await writeSegmentFile(fs, job.dir, job.targetFile, { meta: job.meta, numRows, cols });
  return { kind: 'written', numRows, sizeBytes, minTs, maxTs, removedRows };
}
