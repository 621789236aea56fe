/**
 * Worker-thread entry of WasmPool. Every task names the shared WebAssembly.Memory it reads (a posted
 * shared memory is the same bytes, never a copy) with a small id; the worker instantiates the kernels
 * once per memory and keeps the instance in a bounded map, evicted on a `forget` message (the memory
 * was released), when unused for MEMORY_IDLE_MS, or least recently used past MAX_MEMORIES. Answers
 * `{ id, ok }` or `{ id, ok: false, message }`; a failing task (a wasm trap, a bad pointer) is
 * reported and the worker keeps serving.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { instantiateKernels, type WasmMemory, type WasmModule } from './loader.js';
import type { ReplyMessage, WorkerInit, WorkerMessage } from './messages.js';
import { configureWasm } from './settings.js';
import { runPoolTask, type KernelHost } from './tasks.js';
// Every index's task runners, registered (the worker knows no index type itself).
import '../impl/pool-tasks.js';

/** Memories a worker keeps kernels instantiated for. */
export const MAX_MEMORIES = 32;
/** An instance unused this long is dropped (so the worker does not keep a dead memory alive). */
export const MEMORY_IDLE_MS = 30_000;

interface Cached {
  host: KernelHost;
  lastUsedMs: number;
}

/** Kernel instances by memory id, least recently used first (Map keeps insertion order). */
export class HostCache {
  private readonly hosts = new Map<number, Cached>();

  constructor(private readonly module: WasmModule, private readonly max = MAX_MEMORIES, private readonly idleMs = MEMORY_IDLE_MS) {}

  get size(): number {
    return this.hosts.size;
  }

  /** The kernels over `memory`, instantiated on first sight. */
  host(memoryId: number, memory: WasmMemory, nowMs: number): KernelHost {
    let c = this.hosts.get(memoryId);
    if (c !== undefined) this.hosts.delete(memoryId);
    else c = { host: { k: instantiateKernels(this.module, memory), memory }, lastUsedMs: nowMs };
    c.lastUsedMs = nowMs;
    this.hosts.set(memoryId, c);
    this.sweep(nowMs);
    return c.host;
  }

  forget(memoryId: number): void {
    this.hosts.delete(memoryId);
  }

  /** Drop idle instances, then the least recently used past the bound. */
  sweep(nowMs: number): void {
    for (const [id, c] of this.hosts) if (nowMs - c.lastUsedMs > this.idleMs) this.hosts.delete(id);
    for (const id of this.hosts.keys()) {
      if (this.hosts.size <= this.max) break;
      this.hosts.delete(id);
    }
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
  setInterval(() => cache.sweep(Date.now()), MEMORY_IDLE_MS).unref();
  port.on('message', (msg: WorkerMessage) => {
    if (msg.type === 'forget') {
      cache.forget(msg.memoryId);
      collect();
      return;
    }
    let reply: ReplyMessage;
    try {
      const host = cache.host(msg.memoryId, msg.memory, Date.now());
      runPoolTask(host, msg.task);
      reply = { id: msg.id, ok: true };
    } catch (e) {
      reply = { id: msg.id, ok: false, message: e instanceof Error ? e.message : String(e) };
    }
    port.postMessage(reply);
  });
}

// Imported by tests (for HostCache) on the main thread too: start only inside a worker.
if (parentPort !== null) start();
