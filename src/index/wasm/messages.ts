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

export interface TaskMessage {
  type: 'task';
  id: number;
  /** The pool's id of `memory` (stable for the memory's life, unique per process). */
  memoryId: number;
  memory: WasmMemory;
  task: PoolTask;
}

/** Drop the instance over a memory (sent when the memory was released). */
export interface ForgetMessage {
  type: 'forget';
  memoryId: number;
}

export type WorkerMessage = TaskMessage | ForgetMessage;

export type ReplyMessage = { id: number; ok: true } | { id: number; ok: false; message: string };
