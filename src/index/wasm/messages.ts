/** The messages between WasmPool (pool.ts) and its workers (worker.ts). */
import type { WasmMemory, WasmModule } from './loader.js';
import type { WasmSettings } from './settings.js';
import type { PoolTask } from './tasks.js';

export type { PoolTask } from './tasks.js';

export interface WorkerInit {
  module: WasmModule;
  /** The spawning thread's settings, applied before the first task. */
  settings: WasmSettings;
}

/**
 * Hold `memory` under `memoryId` (the pool's id: stable for the memory's life, unique per process)
 * until told to forget it. Sent once per worker before the first task on it (worker-memories.ts).
 */
export interface MemoryMessage {
  type: 'memory';
  memoryId: number;
  memory: WasmMemory;
}

/** Run `task` over the memory held under `memoryId`. */
export interface TaskMessage {
  type: 'task';
  id: number;
  memoryId: number;
  task: PoolTask;
}

/** Drop the memory and the kernels over it (it was released, or the pool evicted it). */
export interface ForgetMessage {
  type: 'forget';
  memoryId: number;
}

export type WorkerMessage = MemoryMessage | TaskMessage | ForgetMessage;

export type ReplyMessage = { id: number; ok: true } | { id: number; ok: false; message: string };
