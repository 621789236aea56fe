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
/** Field order of the types sent packed (packPoolTask), by type. */
const layouts = new Map<string, readonly string[]>();

/** The type a task is registered under: its `type` field, or 'topk' without one. */
export function poolTaskType(task: PoolTask): string {
  const type = (task as { type?: unknown }).type;
  return typeof type === 'string' ? type : TOPK;
}

/**
 * Register the runner of tasks of `type` ('topk' for tasks without a type). `fields`, when given, are
 * every field of such a task but `type`, all numbers: the pool then posts the task as one
 * Float64Array in that order (packPoolTask) instead of an object, which halves a message's cost
 * (structured clone writes every property name; a round trip on this VM: ~33 us against ~17 us).
 */
export function registerPoolTask<T extends PoolTask>(type: string, run: (host: KernelHost, task: T) => void, fields?: readonly (keyof T & string)[]): void {
  runners.set(type, run as Runner);
  if (fields !== undefined) layouts.set(type, fields);
}

/**
 * `task`'s numbers in its type's registered field order, or null when the type has no layout on this
 * thread (the task is then posted as an object). A field that is not a number is a bug: it throws.
 */
export function packPoolTask(task: PoolTask): { type: string; values: Float64Array } | null {
  const type = poolTaskType(task);
  const fields = layouts.get(type);
  if (fields === undefined) return null;
  const values = new Float64Array(fields.length);
  const t = task as Record<string, unknown>;
  for (let i = 0; i < fields.length; i++) {
    const v = t[fields[i]!];
    if (typeof v !== 'number') throw new Error(`pool task '${type}': field ${fields[i]} is ${typeof v}, not a number`);
    values[i] = v;
  }
  return { type, values };
}

/** The task packPoolTask packed (this thread must have the type's layout: its module registered it). */
export function unpackPoolTask(type: string, values: Float64Array): PoolTask {
  const fields = layouts.get(type);
  if (fields === undefined || fields.length !== values.length) throw new Error(`no packed layout of ${values.length} fields for pool task type '${type}'`);
  const task: Record<string, unknown> = { type };
  for (let i = 0; i < fields.length; i++) task[fields[i]!] = values[i];
  return task;
}

/** Run a task with its registered runner; an unknown type is an error the pool reports. */
export function runPoolTask(host: KernelHost, task: PoolTask): void {
  const type = poolTaskType(task);
  const run = runners.get(type);
  if (run === undefined) throw new Error(`no pool task runner registered for type '${type}'`);
  run(host, task);
}
