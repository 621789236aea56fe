/**
 * DISKANN queries on a WasmPool worker: the index's resident parts and the task's lane are pointers
 * into the index's shared wasm memory (resident.ts), its nodes are read through the index file's
 * descriptor (pinned open by the main thread while the task runs: source.ts), and each query walks
 * exactly as on the main thread (walk.ts), so both give identical hits and scores.
 */
import { registerPoolTask, type KernelHost } from '../../wasm/tasks.js';
import { readImageAt, type ImageFile } from './source.js';
import { diskAnnKernels, Walker, WALK_L2, type Lane, type WalkShape } from './walk.js';

export interface DiskAnnTask {
  type: 'diskann';
  shape: WalkShape;
  lane: Lane;
  /** The index file's open descriptor and the image's region in it. */
  fd: number;
  file: ImageFile;
  /** nq float32 queries of shape.dim at `queries`. */
  queries: number;
  nq: number;
  topK: number;
  L: number;
  maxL: number;
  beamWidth: number;
  /** nq * topK rows (i32) and scores (f32), nq counts (i32), and 2 u32: node reads, cache hits. */
  outRows: number;
  outScores: number;
  outCounts: number;
  outStats: number;
}

export function runDiskAnnTask(host: KernelHost, t: DiskAnnTask): void {
  const k = diskAnnKernels(host.k);
  if (k === null) throw new Error('kernels.wasm lacks the DISKANN kernels');
  const walker = new Walker(k, host.memory, t.shape, t.lane, (into, position) => readImageAt(t.fd, t.file, into, position));
  const buf = host.memory.buffer;
  const dim = t.shape.dim;
  const queries = new Float32Array(buf, t.queries, t.nq * dim);
  const out = {
    nq: t.nq, topK: t.topK, rows: new Int32Array(buf, t.outRows, t.nq * t.topK),
    scores: new Float32Array(buf, t.outScores, t.nq * t.topK), counts: new Int32Array(buf, t.outCounts, t.nq),
  };
  const req = { L: t.L, maxL: t.maxL, beamWidth: t.beamWidth, skipRerank: false, filter: null, valid: null, allEntries: true };
  for (let q = 0; q < t.nq; q++) {
    walker.walk(walker.setQuery(queries, q), req);
    walker.results.drainInto(out, q, t.topK, t.shape.metric === WALK_L2);
  }
  const stats = new Uint32Array(buf, t.outStats, 2);
  stats[0] = walker.nodeReads;
  stats[1] = walker.cacheHits;
}

registerPoolTask('diskann', runDiskAnnTask);
