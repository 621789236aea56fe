/**
 * The n-th I/O error loop (SQLite's io-error tests): a full workload (create collection, inserts,
 * upserts, deletes, flush, create index + build, load, search, release, create / fill / drop a
 * partition, more inserts, close) runs on the fault-injecting file system with its n-th I/O
 * operation failing, for n = 1, 2, 3 ... until the workload completes without reaching the fault.
 * For every n: no crash, no unhandled rejection, every error a coded MilvusError; then a "restart"
 * on what the disk kept (unsynced data lost) opens cleanly and holds every acknowledged write
 * exactly; a write that failed may or may not be there.
 *
 * CI: every n with EIO on any operation. SEXTANT_SOAK=long: every n for each fault kind (EIO on
 * any operation, EIO on writes only, EIO on fsyncs only, ENOSPC on writes), the restart also run
 * with a crash that keeps part of the unsynced bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MilvusError } from '../../src/core/errors.js';
import type { Column } from '../../src/schema/column.js';
import { FaultyFileSystem } from '../../src/storage/fs/faulty.js';
import { MemoryFileSystem } from '../../src/storage/fs/memory.js';
import { fsError } from '../../src/storage/fs/types.js';
import { SextantService } from '../../src/service/service.js';
import { batch, rng, vectorCollection } from '../support/fixtures.js';

const LONG = process.env['SEXTANT_SOAK'] === 'long';
const dim = 4;
const DIR = '/data';

type FaultKind = 'eio-any' | 'eio-write' | 'eio-fsync' | 'enospc-write';
const OPS_OF: Record<FaultKind, ((op: string) => boolean) | null> = {
  'eio-any': null,
  'eio-write': (op) => op === 'write',
  'eio-fsync': (op) => op === 'sync' || op === 'fsyncDir',
  'enospc-write': (op) => op === 'write',
};

/** What a row may look like after recovery: absent, or present with one of these scores. */
type RowState = 'absent' | number;

class Model {
  readonly rows = new Map<number, Set<RowState>>();
  failures = 0;

  private set(id: number, state: RowState, acked: boolean): void {
    const prev = this.rows.get(id) ?? new Set<RowState>(['absent']);
    this.rows.set(id, acked ? new Set([state]) : new Set([...prev, state]));
  }

  /** Runs one write; acknowledged -> the rows' states are exactly `state`, failed -> either. */
  async write(ids: number[], state: (id: number) => RowState, op: () => Promise<unknown>): Promise<void> {
    const acked = await this.attempt(op);
    for (const id of ids) this.set(id, state(id), acked);
  }

  /** Runs an operation; returns whether it succeeded. Every failure must be a coded MilvusError. */
  async attempt(op: () => Promise<unknown>): Promise<boolean> {
    try {
      await op();
      return true;
    } catch (e) {
      if (!(e instanceof MilvusError)) throw new Error(`an uncoded error escaped: ${String((e as Error).stack ?? e)}`);
      this.failures++;
      return false;
    }
  }
}

function rowsOf(first: number, n: number, scoreBase: number): Map<string, Column> {
  const cols = batch(first, n, dim, rng(first + 1));
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) score[i] = scoreBase + first + i;
  cols.set('score', { kind: 'double', data: score, valid: null });
  return cols;
}

const range = (first: number, n: number): number[] => Array.from({ length: n }, (_, i) => first + i);

/** The workload; every outcome is recorded in the model. */
async function workload(svc: SextantService, m: Model): Promise<void> {
  const c = 'c';
  await m.attempt(() => svc.createCollection(vectorCollection(c, dim)));
  for (let b = 0; b < 3; b++) {
    await m.write(range(b * 20, 20), (id) => id, () => svc.insert({ collectionName: c, numRows: 20, columns: rowsOf(b * 20, 20, 0) }));
  }
  await m.write(range(0, 10), (id) => 1000 + id, () => svc.upsert({ collectionName: c, numRows: 10, columns: rowsOf(0, 10, 1000) }));
  await m.write(range(10, 5), () => 'absent', () => svc.delete({ collectionName: c, filter: 'id in [10, 11, 12, 13, 14]' }));
  await m.attempt(() => svc.flush({ collectionNames: [c] }));
  await m.attempt(() => svc.createIndex({ collectionName: c, fieldName: 'vec', params: { index_type: 'HNSW', metric_type: 'L2', M: '8', efConstruction: '32' } }));
  await m.attempt(() => svc.loadCollection({ collectionName: c }));
  await m.attempt(() => svc.search({ collectionName: c, vectors: { kind: 'floatVector', dim, data: new Float32Array(dim), valid: null }, nq: 1, topK: 5 }));
  await m.attempt(() => svc.releaseCollection({ collectionName: c }));
  await m.attempt(() => svc.createPartition({ collectionName: c, partitionName: 'p2' }));
  await m.write(range(500, 10), (id) => id, () => svc.insert({ collectionName: c, partitionName: 'p2', numRows: 10, columns: rowsOf(500, 10, 0) }));
  await m.write(range(500, 10), () => 'absent', () => svc.dropPartition({ collectionName: c, partitionName: 'p2' }));
  await m.write(range(100, 30), (id) => id, () => svc.insert({ collectionName: c, numRows: 30, columns: rowsOf(100, 30, 0) }));
  await m.write(range(20, 5), (id) => 2000 + id, () => svc.upsert({ collectionName: c, numRows: 5, columns: rowsOf(20, 5, 2000) }));
  await m.attempt(() => svc.close());
}

/** Opens what the disk kept and checks every row against the model; returns the rows found. */
async function verify(fs: MemoryFileSystem, m: Model, label: string): Promise<number> {
  const svc = await SextantService.open({ dataDir: DIR, fs, lock: false });
  try {
    assert.equal(svc.checkHealth().isHealthy, true, `${label}: healthy after restart`);
    const found = new Map<number, number>();
    if (await svc.hasCollection({ collectionName: 'c' })) {
      if ((await svc.describeIndex({ collectionName: 'c' }).catch(() => [])).length === 0) {
        await svc.createIndex({ collectionName: 'c', fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
      }
      await svc.loadCollection({ collectionName: 'c' });
      const r = await svc.query({ collectionName: 'c', filter: 'id >= 0', outputFields: ['id', 'score'] });
      const idCol = r.columns.find((x) => x.field.name === 'id')!.column.data as BigInt64Array;
      const scoreCol = r.columns.find((x) => x.field.name === 'score')!.column.data as Float64Array;
      for (let i = 0; i < r.numRows; i++) {
        const id = Number(idCol[i]);
        assert.ok(!found.has(id), `${label}: row ${id} twice`);
        found.set(id, scoreCol[i]!);
      }
    }
    for (const [id, states] of m.rows) {
      const got: RowState = found.get(id) ?? 'absent';
      assert.ok(states.has(got), `${label}: row ${id} is ${got}, expected one of ${[...states].join('|')}`);
    }
    for (const id of found.keys()) assert.ok(m.rows.has(id), `${label}: row ${id} was never written`);
    return found.size;
  } finally {
    await svc.close();
  }
}

interface LoopFigures { runs: number; faultsHit: number; failedOps: number; rowsChecked: number; cleanRunOps: number }

async function loop(kind: FaultKind, partialCrash: boolean): Promise<LoopFigures> {
  const pick = OPS_OF[kind];
  const code = kind === 'enospc-write' ? 'ENOSPC' : 'EIO';
  const figures: LoopFigures = { runs: 0, faultsHit: 0, failedOps: 0, rowsChecked: 0, cleanRunOps: 0 };
  for (let n = 1; n < 100_000; n++) {
    const mem = new MemoryFileSystem();
    const faulty = new FaultyFileSystem(mem);
    let counted = 0;
    let hit = false;
    faulty.onOp = (op, path) => {
      if (pick !== null && !pick(op)) return;
      if (++counted === n) {
        hit = true;
        throw fsError(code, op === 'sync' || op === 'fsyncDir' ? 'fsync' : op, path);
      }
    };
    const m = new Model();
    const svc = await SextantService.open({ dataDir: DIR, fs: faulty, lock: false, sealRows: 25 }).catch((e: unknown) => {
      if (!(e instanceof MilvusError) && !(e instanceof Error && 'code' in e)) throw e;
      return null; // a fault while opening refuses to open; the restart below must still succeed
    });
    if (svc !== null) await workload(svc, m);
    figures.runs++;
    figures.failedOps += m.failures;
    const label = `${kind} n=${n}`;
    figures.rowsChecked += await verify(mem.crash(partialCrash ? { keepFraction: rng(n) } : {}), m, label);
    if (!hit) {
      assert.equal(m.failures, 0, 'the workload itself succeeds on a disk without faults');
      figures.cleanRunOps = counted;
      return figures;
    }
    figures.faultsHit++;
  }
  throw new Error('the workload never completed without reaching the fault');
}

function trackUnhandled(): { stop: () => unknown[] } {
  const seen: unknown[] = [];
  const on = (e: unknown): void => { seen.push(e); };
  process.on('unhandledRejection', on);
  return { stop: () => { process.off('unhandledRejection', on); return seen; } };
}

const kinds: FaultKind[] = LONG ? ['eio-any', 'eio-write', 'eio-fsync', 'enospc-write'] : ['eio-any'];
for (const kind of kinds) {
  for (const partial of LONG ? [false, true] : [false]) {
    test(`the n-th I/O operation fails (${kind}${partial ? ', partial crash' : ''}) for every n: coded errors, nothing acknowledged lost`, { timeout: LONG ? Infinity : 180_000 }, async (t) => {
      const unhandled = trackUnhandled();
      const f = await loop(kind, partial);
      const stray = unhandled.stop();
      assert.deepEqual(stray, [], 'no unhandled rejections');
      t.diagnostic(`${kind}${partial ? ' partial crash' : ''}: ${f.runs} runs (n = 1..${f.runs}; the clean run makes ${f.cleanRunOps} counted operations), ${f.faultsHit} faults injected, ${f.failedOps} operations refused with coded errors, ${f.rowsChecked} rows checked after restart, acknowledged writes lost: 0`);
    });
  }
}
