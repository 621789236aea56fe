/**
 * Worker-thread entry of WasmPool. The pool posts each shared WebAssembly.Memory to a worker once
 * (`memory`: the same bytes, never a copy) and then names it by id in every task; the worker holds
 * it, and the kernels instantiated over it on first use, until the pool says `forget` (the memory
 * was released, or the pool evicted it: worker-memories.ts decides, on the pool's side). A message
 * carries one or more tasks, run in order, and gets one answer: `{ id, ok }`, or `{ id, ok: false,
 * failures }` naming each failed task; a failing task (a wasm trap, a bad pointer, an unknown memory
 * id) does not stop the others, and the worker keeps serving.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { instantiateKernels, type WasmMemory, type WasmModule } from './loader.js';
import type { ReplyMessage, WorkerInit, WorkerMessage } from './messages.js';
import { configureWasm } from './settings.js';
import { runPoolTask, unpackPoolTask, type KernelHost } from './tasks.js';
// Every index's task runners, registered (the worker knows no index type itself).
import '../impl/pool-tasks.js';

interface Held {
  memory: WasmMemory;
  /** The kernels over it, instantiated on the first task over the memory. */
  host: KernelHost | null;
}

/** The memories a worker holds, by the pool's id, and the kernels over each. */
export class HostCache {
  private readonly held = new Map<number, Held>();

  constructor(private readonly module: WasmModule) {}

  get size(): number {
    return this.held.size;
  }

  /** Hold `memory` under `memoryId` (a second post of the same id keeps the first object). */
  adopt(memoryId: number, memory: WasmMemory): void {
    if (!this.held.has(memoryId)) this.held.set(memoryId, { memory, host: null });
  }

  /** The kernels over the memory held under `memoryId`, instantiated on first use. */
  host(memoryId: number): KernelHost {
    const h = this.held.get(memoryId);
    if (h === undefined) throw new Error(`memory ${memoryId} was not posted to this worker`);
    if (h.host === null) h.host = { k: instantiateKernels(this.module, h.memory), memory: h.memory };
    return h.host;
  }

  forget(memoryId: number): void {
    this.held.delete(memoryId);
  }
}

/**
 * A full collection of this worker's heap. A released memory's bytes are freed only once every
 * thread's objects over it are collected, and this worker allocates too little to collect soon on
 * its own (gc is not exposed in workers by flags, hence the runtime flag and a fresh context).
 */
function collector(): () => void {
  try {
    setFlagsFromString('--expose_gc');
    const gc: unknown = runInNewContext('gc');
    if (typeof gc === 'function') return () => void gc();
  } catch {
    // Without it the memory is returned at this worker's next natural collection.
  }
  return () => undefined;
}

function start(): void {
  const port = parentPort;
  if (port === null) throw new Error('worker.ts must run in a worker thread');
  const init = workerData as WorkerInit;
  configureWasm(init.settings);
  const cache = new HostCache(init.module);
  const collect = collector();
  port.on('message', (msg: WorkerMessage) => {
    if (msg.type === 'memory') {
      cache.adopt(msg.memoryId, msg.memory);
      return;
    }
    if (msg.type === 'forget') {
      cache.forget(msg.memoryId);
      collect();
      return;
    }
    let failures: (string | null)[] | null = null;
    msg.tasks.forEach((t, i) => {
      try {
        runPoolTask(cache.host(t.memoryId), 'task' in t ? t.task : unpackPoolTask(t.taskType, t.values));
      } catch (e) {
        failures ??= msg.tasks.map(() => null);
        failures[i] = e instanceof Error ? e.message : String(e);
      }
    });
    const reply: ReplyMessage = failures === null ? { id: msg.id, ok: true } : { id: msg.id, ok: false, failures };
    port.postMessage(reply);
  });
}

// Imported by tests (for HostCache) on the main thread too: start only inside a worker.
if (parentPort !== null) start();
