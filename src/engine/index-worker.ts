/** Worker thread: builds vector indexes off the event loop. One job at a time, payload transferred back. */
import { parentPort } from 'node:worker_threads';
import { NodeFileSystem } from '../storage/fs/node.js';
import type { BuildJob } from './index-build.js';
import { buildIndexPayload } from './index-build.js';

const fs = new NodeFileSystem();
parentPort?.on('message', (msg: { id: number; job: BuildJob }) => {
  buildIndexPayload(fs, msg.job).then(
    (payload) => {
      // Copy into a standalone buffer so it can be transferred without detaching shared memory.
      const out = new Uint8Array(payload.length);
      out.set(payload);
      parentPort?.postMessage({ id: msg.id, payload: out }, [out.buffer]);
    },
    (e: unknown) => parentPort?.postMessage({ id: msg.id, error: e instanceof Error ? e.message : String(e) }),
  );
});
