/**
 * Helper thread of a native HNSW build (native-build.ts): instantiate the kernels over the build's
 * shared memory, insert rows from its counter until none are left, and say so in the context block
 * (`started` before taking a row, `failed` on an error, `finished` last, with a notify).
 */
import { workerData } from 'node:worker_threads';
import { instantiateKernels, type WasmMemory, type WasmModule } from '../../wasm/loader.js';
import { buildKernels, CTX, type HelperData } from './native-build-ctx.js';

const data = workerData as HelperData;
const memory = data.memory as WasmMemory;
const c = new Int32Array(memory.buffer, data.ctx, 32);
Atomics.add(c, CTX.started, 1);
try {
  const k = buildKernels(instantiateKernels(data.module as WasmModule, memory));
  if (k === null) throw new Error('kernels.wasm lacks hnswBuildRun');
  Atomics.add(c, CTX.helperRows, k.hnswBuildRun(data.ctx, data.scratch));
} catch {
  Atomics.store(c, CTX.failed, 1);
} finally {
  Atomics.add(c, CTX.finished, 1);
  Atomics.notify(c, CTX.finished);
}
