/**
 * The pool's task registry. A pool task is plain numbers (pointers into a shared wasm memory) and a
 * `type`; the module of each kind of task registers its runner here when it is loaded, and a worker
 * (worker.ts) runs a task by looking its type up. Tasks without a type are exact top-k scans
 * (task.ts). The worker entry loads every runner through one list module (impl/pool-tasks.ts), so
 * the generic worker knows no index type.
 */
import type { KernelExports, WasmMemory } from './loader.js';

/** The kernels plus a way to see the (shared) memory. WasmArena is one; each worker makes its own. */
export interface KernelHost {
  readonly k: KernelExports;
  readonly memory: WasmMemory;
}

/** What a worker runs: any registered task (an object, posted as is). */
export type PoolTask = object;

type Runner = (host: KernelHost, task: object) => void;

const TOPK = 'topk';
const runners = new Map<string, Runner>();

/** The type a task is registered under: its `type` field, or 'topk' without one. */
export function poolTaskType(task: PoolTask): string {
  const type = (task as { type?: unknown }).type;
  return typeof type === 'string' ? type : TOPK;
}

/** Register the runner of tasks of `type` ('topk' for tasks without a type). */
export function registerPoolTask<T extends PoolTask>(type: string, run: (host: KernelHost, task: T) => void): void {
  runners.set(type, run as Runner);
}

/** Run a task with its registered runner; an unknown type is an error the pool reports. */
export function runPoolTask(host: KernelHost, task: PoolTask): void {
  const type = poolTaskType(task);
  const run = runners.get(type);
  if (run === undefined) throw new Error(`no pool task runner registered for type '${type}'`);
  run(host, task);
}
