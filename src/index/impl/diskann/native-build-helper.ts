/**
 * Helper thread of a native Vamana build (native-build.ts): instantiate the kernels over the build's
 * shared memory, run the phase from its counter until none is left, and say so in the context block
 * (`started` first, `failed` on an error, `finished` last, with a notify).
 */
import { workerData } from 'node:worker_threads';
import { instantiateKernels, type WasmMemory, type WasmModule } from '../../wasm/loader.js';
import { buildKernels, FAILED, FINISHED, PHASE_SLOTS, STARTED, type HelperData } from './native-build-ctx.js';

const data = workerData as HelperData;
const memory = data.memory as WasmMemory;
const c = new Int32Array(memory.buffer, data.ctx + PHASE_SLOTS[data.phase] * 4, 3);
Atomics.add(c, STARTED, 1);
try {
  const k = buildKernels(instantiateKernels(data.module as WasmModule, memory));
  if (k === null) throw new Error('kernels.wasm lacks vamanaBuildRun');
  k[data.phase](data.ctx, data.scratch);
} catch {
  Atomics.store(c, FAILED, 1);
} finally {
  Atomics.add(c, FINISHED, 1);
  Atomics.notify(c, FINISHED);
}
