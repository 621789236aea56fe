/**
 * Durable ingest through the embedded client (issue 13's 10M row, issue 12's insert cost):
 * `node dist/bench/ingest.js [--rows 1000000] [--dim 128] [--batch 10000] [--mode typed|rows] [--inflight K] [--dir D]`
 * (add node's `--cpu-prof` for a profile). A fresh data directory, one collection (Int64 primary key +
 * a float vector field, no index), then `client.insertTyped` (columns as typed arrays) or `client.insert`
 * (SDK row objects, `vector: number[]`) of `rows` rows in batches; every call returns only once its WAL
 * record is fsync'd; `--inflight K` makes K calls at once (concurrent batches share a WAL write + fsync:
 * group commit). Prints rows/s (wall) and CPU µs per row (process.cpuUsage: every thread; and the
 * main thread alone, from /proc), measured around the insert calls only (the rows are generated
 * outside), then the final flush's wall and CPU time, and the load average.
 * `--fsync-probe` instead times write + fsync of one batch-sized record on the data directory's disk.
 */
import { mkdtemp, open as openFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DataType, open, type SextantClient } from '../src/client/index.js';

const NAME = 'ingest';

/** The main thread's CPU seconds (utime + stime of /proc/self/task/<pid>/stat; NaN where absent). */
function mainThreadCpuS(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Deterministic vectors in [-1, 1) (an LCG: generation must stay cheap next to the insert). */
function fillVectors(out: Float32Array, seed: number): void {
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2147483648 - 1;
  }
}

interface Figures { rows: number; dim: number; mode: string; inflight: number; wallS: number; cpuS: number; mainCpuS: number; flushWallS: number; flushCpuS: number }

async function run(dir: string, rows: number, dim: number, batch: number, mode: 'typed' | 'rows', inflight: number): Promise<Figures> {
  const client: SextantClient = await open(dir);
  try {
    await client.createCollection({ collection_name: NAME, fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
      { name: 'vec', data_type: DataType.FloatVector, dim },
    ] });
    // One vector buffer per call in flight, each reused once its call has resolved.
    const buffers = Array.from({ length: inflight }, () => new Float32Array(batch * dim));
    const calls = (first: number, vec: Float32Array): () => Promise<unknown> => {
      const n = Math.min(batch, rows - first);
      const v = n === batch ? vec : vec.subarray(0, n * dim);
      fillVectors(v, first + 1);
      if (mode === 'typed') {
        const ids = new BigInt64Array(n);
        for (let i = 0; i < n; i++) ids[i] = BigInt(first + i);
        return () => client.insertTyped({ collection_name: NAME, num_rows: n, fields: { id: ids, vec: v } });
      }
      const data: { id: number; vec: number[] }[] = new Array(n);
      for (let i = 0; i < n; i++) data[i] = { id: first + i, vec: Array.from(v.subarray(i * dim, (i + 1) * dim)) };
      return () => client.insert({ collection_name: NAME, data });
    };
    let wallMs = 0, cpuUs = 0, mainS = 0;
    for (let first = 0; first < rows; first += batch * inflight) {
      // Rows are generated outside the measured span; `inflight` calls are then made at once.
      const group: (() => Promise<unknown>)[] = [];
      for (let k = 0; k < inflight && first + k * batch < rows; k++) group.push(calls(first + k * batch, buffers[k]!));
      const c0 = process.cpuUsage(), m0 = mainThreadCpuS(), t0 = performance.now();
      const out = await Promise.all(group.map((call) => call())) as { status?: { error_code?: string | number; reason?: string } }[];
      wallMs += performance.now() - t0;
      const c = process.cpuUsage(c0);
      cpuUs += c.user + c.system;
      mainS += mainThreadCpuS() - m0;
      for (const r of out) if (r.status !== undefined && r.status.error_code !== 'Success' && r.status.error_code !== 0) throw new Error(`insert failed: ${JSON.stringify(r.status)}`);
    }
    const c0 = process.cpuUsage(), t0 = performance.now();
    await client.flush({ collection_names: [NAME] });
    const flushWallS = (performance.now() - t0) / 1000, fc = process.cpuUsage(c0);
    return { rows, dim, mode, inflight, wallS: wallMs / 1000, cpuS: cpuUs / 1e6, mainCpuS: mainS, flushWallS, flushCpuS: (fc.user + fc.system) / 1e6 };
  } finally {
    await client.close();
  }
}

/** write + fsync of `bytes`-sized records appended to one file, `count` times: what one batch's WAL append costs at least. */
async function fsyncProbe(dir: string, bytes: number, count: number): Promise<void> {
  const fh = await openFile(join(dir, 'probe'), 'w');
  const buf = new Uint8Array(bytes).fill(7);
  const writeMs: number[] = [], syncMs: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      let t0 = performance.now();
      await fh.write(buf, 0, bytes, i * bytes);
      writeMs.push(performance.now() - t0);
      t0 = performance.now();
      await fh.sync();
      syncMs.push(performance.now() - t0);
    }
  } finally {
    await fh.close();
  }
  const med = (a: number[]): number => a.slice().sort((x, y) => x - y)[a.length >> 1]!;
  console.log(JSON.stringify({ probe: 'write+fsync', bytes, count, writeMsMedian: +med(writeMs).toFixed(2), fsyncMsMedian: +med(syncMs).toFixed(2), fsyncMsMax: +Math.max(...syncMs).toFixed(2), loadAverage: loadavg().map((x) => +x.toFixed(2)) }));
}

async function main(): Promise<void> {
  const { values: a } = parseArgs({ options: {
    rows: { type: 'string', default: '1000000' }, dim: { type: 'string', default: '128' }, batch: { type: 'string', default: '10000' },
    mode: { type: 'string', default: 'typed' }, inflight: { type: 'string', default: '1' }, dir: { type: 'string' }, 'fsync-probe': { type: 'boolean', default: false },
  } });
  const rows = Number(a.rows), dim = Number(a.dim), batch = Number(a.batch);
  const mode = a.mode === 'rows' ? 'rows' : 'typed';
  const parent = a.dir ?? tmpdir();
  const dir = await mkdtemp(join(parent, 'sextant-ingest-'));
  try {
    if (a['fsync-probe']) return await fsyncProbe(dir, batch * (dim * 4 + 8), 20);
    const load0 = loadavg();
    const f = await run(dir, rows, dim, batch, mode, Math.max(1, Number(a.inflight)));
    console.log(JSON.stringify({
      ...f, rowsPerS: Math.round(f.rows / f.wallS), cpuUsPerRow: +(f.cpuS * 1e6 / f.rows).toFixed(2), mainCpuUsPerRow: +(f.mainCpuS * 1e6 / f.rows).toFixed(2),
      loadAverage: [load0, loadavg()].map((l) => l.map((x) => +x.toFixed(2))),
    }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
