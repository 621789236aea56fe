/** Which sealed segments one compaction merges, and the record GetCompactionState reports. */
import { limits } from '../core/limits.js';
import type { SealedSegmentMeta } from './meta.js';

export type CompactionState = 'Executing' | 'Completed' | 'Failed';

export interface CompactionPlan {
  /** Source segment ids. */
  sources: number[];
  /** The merged segment's id; null while executing, or when every source row was deleted. */
  target: number | null;
  state: CompactionState;
  removedRows: number;
}

export interface CompactionJob {
  id: bigint;
  collectionId: number;
  manual: boolean;
  /** Largest segment this job writes (a force merge's target size, else the engine's maximum). */
  maxSegmentBytes: number;
  state: CompactionState;
  plans: CompactionPlan[];
  error: string | null;
}

/**
 * Groups of a partition's sealed segments to merge, each up to `maxSegmentBytes` and
 * `compactionMaxSegmentsPerPlan` sources, smallest first. Automatic: only small segments
 * (below `smallSegmentRatio` of the maximum), and only once there are more than
 * `compactionMinSmallSegments` of them; groups of one are left alone. Manual: every segment,
 * a group of one is rewritten only when it has deleted rows.
 */
export function planPartition(segments: readonly SealedSegmentMeta[], maxSegmentBytes: number, manual: boolean): SealedSegmentMeta[][] {
  const smallBytes = maxSegmentBytes * limits.smallSegmentRatio;
  const candidates = (manual ? segments.slice() : segments.filter((s) => s.sizeBytes < smallBytes))
    .sort((a, b) => a.sizeBytes - b.sizeBytes || a.id - b.id);
  if (!manual && candidates.length <= limits.compactionMinSmallSegments) return [];
  const groups: SealedSegmentMeta[][] = [];
  let group: SealedSegmentMeta[] = [];
  let bytes = 0;
  for (const s of candidates) {
    if (group.length > 0 && (bytes + s.sizeBytes > maxSegmentBytes || group.length >= limits.compactionMaxSegmentsPerPlan)) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(s);
    bytes += s.sizeBytes;
  }
  if (group.length > 0) groups.push(group);
  return manual ? groups : groups.filter((g) => g.length > 1);
}
