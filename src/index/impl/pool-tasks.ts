/**
 * Every kind of pool task, registered: the exact top-k scan, HNSW queries, IVF queries, DISKANN queries. The pool's
 * worker entry (wasm/worker.ts) imports this list and nothing index-specific; a new kind of task
 * registers itself in its own module (registerPoolTask) and is added here.
 */
import '../wasm/task.js';
import '../wasm/hnsw-task.js';
import './ivf/task.js';
import './diskann/task.js';
