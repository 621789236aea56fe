/**
 * Load and release at scale: `node dist/bench/load.js --rows 1000000 [--dim 128] [--dir D] [--m 16 --ef-construction 200]`
 * (`--m 0`: FLAT, no index file).
 * Prepares a data directory (streamed synthetic rows, flushed, HNSW built; kept when --dir names one),
 * then measures in a fresh child process run with --expose-gc: RSS before load, at its peak while
 * loading, after load and after release, the load's wall and CPU time, and what the engine accounts. Prints one JSON line per phase.
 * The machine may be shared: CPU time (process.cpuUsage, all threads) is reported next to wall time.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SextantService } from '../src/service/service.js';
import { DataType } from '../src/core/enums.js';
import { seededRandom } from '../src/core/random.js';
import type { Column } from '../src/schema/column.js';

const MB = 1024 * 1024;
const BATCH = 20_000;

export interface LoadFigures {
  rows: number; dim: number; rssBeforeMb: number; rssLoadedMb: number; rssReleasedMb: number;
  /** Highest RSS while loading (VmHWM, reset just before the load; NaN where /proc cannot tell). */
  rssPeakMb: number;
  loadWallMs: number; loadCpuMs: number; accountedMb: number; vectorMb: number;
}

/** m = 0: FLAT (no index file: the vectors alone). */
async function prepare(dir: string, rows: number, dim: number, m: number, efc: number): Promise<void> {
  const svc = await SextantService.open({ dataDir: dir });
  try {
    await svc.createCollection({ collectionName: 'load', fields: [
      { name: 'id', dataType: DataType.Int64, isPrimaryKey: true, autoId: false },
      { name: 'vec', dataType: DataType.FloatVector, dim },
    ] });
    const rand = seededRandom(42);
    for (let first = 0; first < rows; first += BATCH) {
      const n = Math.min(BATCH, rows - first);
      const ids = BigInt64Array.from({ length: n }, (_, i) => BigInt(first + i));
      const vec = new Float32Array(n * dim);
      for (let i = 0; i < vec.length; i++) vec[i] = rand() * 2 - 1;
      await svc.insert({ collectionName: 'load', numRows: n, columns: new Map<string, Column>([['id', { kind: 'int64', data: ids, valid: null }], ['vec', { kind: 'floatVector', dim, data: vec, valid: null }]]) });
    }
    await svc.flush({ collectionNames: ['load'] });
    const params: Record<string, string> = m > 0 ? { index_type: 'HNSW', metric_type: 'L2', M: String(m), efConstruction: String(efc) } : { index_type: 'FLAT', metric_type: 'L2' };
    await svc.createIndex({ collectionName: 'load', fieldName: 'vec', params });
    await svc.engine.indexer.idle();
    await svc.engine.compactor.idle();
    await svc.engine.indexer.idle();
  } finally {
    await svc.close();
  }
}

/** Reset the kernel's peak-RSS mark (VmHWM); false where that is not possible. */
function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

function peakRssBytes(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m === null ? Number.NaN : Number(m[1]) * 1024;
}

function settledRss(gc: () => void): number {
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().rss;
}

/** In the child (run with --expose-gc): open, load, release; returns the figures. */
export async function measure(dir: string, rows: number, dim: number): Promise<LoadFigures> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  const svc = await SextantService.open({ dataDir: dir });
  try {
    await svc.engine.indexer.idle();
    svc.engine.searchThreads.get();
    // The search workers finish starting (their heaps, the compiled kernels) before the baseline is
    // taken; measured without this wait, their start-up showed as ~8 MB kept after release.
    await new Promise((r) => setTimeout(r, 2000));
    const before = settledRss(gc);
    const peakKnown = resetPeakRss();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await svc.loadCollection({ collectionName: 'load' });
    const loadWallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const peak = peakKnown ? peakRssBytes() : Number.NaN;
    const loaded = settledRss(gc);
    const accounted = svc.engine.loader.loadedBytes;
    await svc.releaseCollection({ collectionName: 'load' });
    let released = settledRss(gc);
    // Search workers drop their view of a released memory when they see the release message.
    for (let i = 0; i < 30 && released > before * 1.1; i++) {
      await new Promise((r) => setTimeout(r, 100));
      released = settledRss(gc);
    }
    return {
      rows, dim, rssBeforeMb: before / MB, rssLoadedMb: loaded / MB, rssReleasedMb: released / MB, rssPeakMb: peak / MB,
      loadWallMs, loadCpuMs: (cpu.user + cpu.system) / 1000, accountedMb: accounted / MB, vectorMb: (rows * dim * 4) / MB,
    };
  } finally {
    await svc.close();
  }
}

/** Prepare `dir` (unless `prepared`) and measure in a child process; the figures it printed. */
export async function runLoadBench(opts: { dir: string; rows: number; dim: number; m: number; efc: number; prepared?: boolean }): Promise<LoadFigures> {
  if (opts.prepared !== true) {
    const t0 = performance.now();
    await prepare(opts.dir, opts.rows, opts.dim, opts.m, opts.efc);
    console.log(JSON.stringify({ phase: 'prepare', rows: opts.rows, dim: opts.dim, M: opts.m, efConstruction: opts.efc, wallMs: Math.round(performance.now() - t0) }));
  }
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, ['--expose-gc', self, '--measure', '--dir', opts.dir, '--rows', String(opts.rows), '--dim', String(opts.dim)], { encoding: 'utf8', maxBuffer: 16 * MB });
  if (child.status !== 0) throw new Error(`measuring child failed (${child.status}): ${child.stderr}`);
  const line = child.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as LoadFigures;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    rows: { type: 'string' }, dim: { type: 'string' }, dir: { type: 'string' }, m: { type: 'string' },
    'ef-construction': { type: 'string' }, measure: { type: 'boolean' }, prepared: { type: 'boolean' },
  } });
  const rows = Number(values.rows ?? 1_000_000), dim = Number(values.dim ?? 128);
  if (values.measure === true) {
    console.log(JSON.stringify(await measure(values.dir!, rows, dim)));
    return;
  }
  const dir = values.dir ?? await mkdtemp(join(tmpdir(), 'sextant-load-'));
  try {
    const f = await runLoadBench({ dir, rows, dim, m: Number(values.m ?? 16), efc: Number(values['ef-construction'] ?? 200), prepared: values.prepared === true });
    console.log(JSON.stringify({ phase: 'measure', ...f }));
  } finally {
    if (values.dir === undefined) await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
