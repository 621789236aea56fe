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

/**
 * One task of a TasksMessage, over the memory held under `memoryId`: `task` as an object, or packed
 * (`values` in the registered field order of `taskType`, tasks.ts packPoolTask).
 */
export type TaskEntry =
  | { memoryId: number; task: PoolTask }
  | { memoryId: number; taskType: string; values: Float64Array };

/** Run `tasks` in order, then reply once with `id`. */
export interface TasksMessage {
  type: 'tasks';
  id: number;
  tasks: TaskEntry[];
}

/** Drop the memory and the kernels over it (it was released, or the pool evicted it). */
export interface ForgetMessage {
  type: 'forget';
  memoryId: number;
}

export type WorkerMessage = MemoryMessage | TasksMessage | ForgetMessage;

/** `failures[i]`: why the message's task i failed, or null when it ran (the others run either way). */
export type ReplyMessage = { id: number; ok: true } | { id: number; ok: false; failures: (string | null)[] };
