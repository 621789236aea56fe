/** WebAssembly SIMD kernels for exact search: arena, vector stores, the worker pool. */
export { WasmArena, ALIGN_BYTES } from './arena.js';
export { VectorStore, QueryBlock, type ScanOptions, type WasmColumn } from './store.js';
export { WasmPool, MIN_PARALLEL_WORK_BYTES, type PoolJob, type PoolOptions } from './pool.js';
export { forgetMemory } from './forget.js';
export { defaultArena, storeForColumn, storeToSearch, residentArena, adoptStore, forgetColumn, CACHE_MIN_BYTES } from './exact.js';
export { kernelModule, wasmLoadError } from './loader.js';
export { KIND, METRIC } from './codes.js';
export { makeResident, type ResidentColumn } from './resident.js';
