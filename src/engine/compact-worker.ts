/** Worker thread: runs compaction merges (compact-merge.ts) off the event loop, one job at a time. */
import { parentPort } from 'node:worker_threads';
import { NodeFileSystem } from '../storage/fs/node.js';
import { runMerge, type MergeJob } from './compact-merge.js';

const fs = new NodeFileSystem();
parentPort?.on('message', (msg: { id: number; job: MergeJob }) => {
  runMerge(fs, msg.job).then(
    (result) => parentPort?.postMessage({ id: msg.id, result }),
    (e: unknown) => parentPort?.postMessage({ id: msg.id, error: e instanceof Error ? e.message : String(e) }),
  );
});
