/**
 * Helper thread of a k-means build (kmeans-threads.ts): instantiate the kernels over the build's
 * memory, enrol, then run each job (`gen` bumped) until `stop`, counting itself in `done` after each
 * (with `failed` set first when the kernel threw).
 */
import { workerData } from 'node:worker_threads';
import { instantiateKernels, type WasmMemory, type WasmModule } from '../../wasm/loader.js';
import { KM, KM_CTX_BYTES, kmeansKernels, type KMeansHelperData } from './kmeans-ctx.js';

const data = workerData as KMeansHelperData;
const memory = data.memory as WasmMemory;
const c = new Int32Array(memory.buffer, data.ctx, KM_CTX_BYTES / 4);
const k = kmeansKernels(instantiateKernels(data.module as WasmModule, memory));
let seen = Atomics.load(c, KM.gen);
if (k !== null && Atomics.add(c, KM.ready, 1) >= 0) {
  Atomics.notify(c, KM.ready);
  for (;;) {
    Atomics.wait(c, KM.gen, seen);
    const gen = Atomics.load(c, KM.gen);
    if (gen === seen) continue;
    seen = gen;
    if (Atomics.load(c, KM.stop) !== 0) break;
    try {
      k.kmeansRun(data.ctx);
    } catch {
      Atomics.store(c, KM.failed, 1);
    }
    Atomics.add(c, KM.done, 1);
    Atomics.notify(c, KM.done);
  }
}
