/**
 * Worker-thread entry of WasmPool: instantiates the kernels over the pool's shared memory (posted in
 * workerData, so nothing is copied) and runs TopKTasks, answering `{ id, ok }` or `{ id, ok: false,
 * message }`. A failing task (a wasm trap, a bad pointer) is reported and the worker keeps serving.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { instantiateKernels, type WasmMemory, type WasmModule } from './loader.js';
import { runTopKTask, type KernelHost, type TopKTask } from './task.js';

export interface WorkerInit {
  module: WasmModule;
  memory: WasmMemory;
}

export interface TaskMessage {
  id: number;
  task: TopKTask;
}

export type ReplyMessage = { id: number; ok: true } | { id: number; ok: false; message: string };

function start(): void {
  const port = parentPort;
  if (port === null) throw new Error('worker.ts must run in a worker thread');
  const init = workerData as WorkerInit;
  const host: KernelHost = { k: instantiateKernels(init.module, init.memory), memory: init.memory };
  port.on('message', (msg: TaskMessage) => {
    let reply: ReplyMessage;
    try {
      runTopKTask(host, msg.task);
      reply = { id: msg.id, ok: true };
    } catch (e) {
      reply = { id: msg.id, ok: false, message: e instanceof Error ? e.message : String(e) };
    }
    port.postMessage(reply);
  });
}

start();
