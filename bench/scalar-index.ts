/**
 * Scalar suite (`npm run bench -- --suite scalar [--rows N]`): 0.1%-selective filters over generated
 * columns, answered by the column scan and by the filter planner's index step (STL_SORT, BITMAP,
 * INVERTED, TRIE, NGRAM built over the same columns as a loaded segment holds them), CPU time per
 * filter (process.cpuUsage, median of `passes`), with the results compared bit for bit. The index
 * answers twice: as the bitset `evaluateFilter` returns (a byte per row) and as the sparse row ids
 * `filterRowIds` returns (what a query's count and ids take, engine/read.ts). A full GC runs before
 * each timed call, then a 200 ms pause for its background sweeping (`settle`, default on):
 * process.cpuUsage counts the GC threads too, and without it one call's garbage (a 10M-byte bitset
 * beside 20M strings) is collected during the next one's time.
 * Nothing is compared to a time limit here; the speed-up column is the figure.
 */
import { DataType } from '../src/core/enums.js';
import { compileFilter, evaluateFilter, filterRowIds } from '../src/expr/index.js';
import type { ScalarIndexEntry, ScalarIndexSource } from '../src/expr/scalar-index.js';
import { buildScalarIndex, scalarIndexSpec } from '../src/index/scalar/build.js';
import { memoryOf } from '../src/index/memory.js';
import type { Column, RowSource } from '../src/schema/column.js';
import type { CollectionSchema, FieldSchema } from '../src/schema/types.js';
import { collectGarbage } from './measure.js';
import { table, type Table } from './table.js';

export interface ScalarBenchOptions {
  rows: number; seed: number; passes: number; log: (line: string) => void;
  /** Only the cases of these index types (`--index`); all when null. */
  indexes?: readonly string[] | null;
  /** A full GC before each timed call (default true). */
  settle?: boolean;
}
export const DEFAULT_SCALAR = { passes: 7 };

export interface ScalarBenchRow {
  case: string; filter: string; index: string; matched: number; scanCpuMs: number; indexCpuMs: number; speedup: number;
  /** The index's answer as row ids (filterRowIds). */
  idsCpuMs: number; idsSpeedup: number; identical: boolean;
  /** Elapsed ms of the scan and of the row-id answer (process CPU also counts the GC's threads). */
  scanWallMs: number; idsWallMs: number; idsWallSpeedup: number;
}
export interface ScalarBenchResult { rows: ScalarBenchRow[]; builds: { index: string; field: string; cpuMs: number; bytes: number }[]; tables: Table[] }

function fieldOf(fieldId: number, name: string, dataType: DataType): FieldSchema {
  return {
    fieldId, name, description: '', dataType, isPrimaryKey: name === 'id', autoId: false, isPartitionKey: false, isClusteringKey: false,
    isDynamic: false, nullable: false, defaultValue: null, dim: null, maxLength: dataType === DataType.VarChar ? 64 : null,
    maxCapacity: null, elementType: null, typeParams: {},
  };
}

const SCHEMA: CollectionSchema = {
  name: 'scalar', description: '', enableDynamicField: false, functions: [],
  fields: [fieldOf(100, 'id', DataType.Int64), fieldOf(101, 'k', DataType.Int64), fieldOf(102, 'x', DataType.Double), fieldOf(103, 's', DataType.VarChar), fieldOf(104, 't', DataType.VarChar)],
};

/** k: 1,000 values; x: uniform [0, 1); s: `key0417-<id>`; t: two random hex words around `tag0417x`. */
export function columns(n: number, seed: number): Map<string, Column> {
  let st = seed >>> 0;
  const next = (): number => {
    st = (st + 0x6d2b79f5) >>> 0;
    let t = st;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const id = new BigInt64Array(n), k = new BigInt64Array(n), x = new Float64Array(n);
  const s = new Array<string>(n), t = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    id[i] = BigInt(i);
    const code = Math.floor(next() * 1000);
    k[i] = BigInt(code);
    x[i] = next();
    s[i] = `key${String(Math.floor(next() * 1000)).padStart(4, '0')}-${i}`;
    const hex = (): string => Math.floor(next() * 0x100000000).toString(16);
    t[i] = `${hex()} tag${String(Math.floor(next() * 1000)).padStart(4, '0')}x ${hex()}`;
  }
  return new Map<string, Column>([
    ['id', { kind: 'int64', data: id, valid: null }], ['k', { kind: 'int64', data: k, valid: null }],
    ['x', { kind: 'double', data: x, valid: null }], ['s', { kind: 'varchar', data: s, valid: null }], ['t', { kind: 'varchar', data: t, valid: null }],
  ]);
}

/** Blocks this thread for `ms` (the GC's background sweeping finishes meanwhile, outside the timing). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function cpuMs(f: () => void, settle = false, wall?: number[]): number {
  if (settle) { collectGarbage(1); pause(SETTLE_MS); }
  const a = process.cpuUsage();
  const t = performance.now();
  f();
  const w = performance.now() - t;
  const d = process.cpuUsage(a);
  wall?.push(w);
  return (d.user + d.system) / 1000;
}

/** After a forced GC, how long to let its background threads finish before a timing starts. */
const SETTLE_MS = 200;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** [case, index type on the field, field, params, filter per pass (varied so no pass repeats another's work)] */
export const CASES: readonly [string, string, string, Record<string, string>, (p: number) => string][] = [
  ['equality (Int64)', 'STL_SORT', 'k', {}, (p) => `k == ${400 + p}`],
  ['equality (Int64)', 'BITMAP', 'k', {}, (p) => `k == ${400 + p}`],
  ['range (Double)', 'INVERTED', 'x', {}, (p) => `x >= ${(0.5 + p * 0.01).toFixed(3)} and x < ${(0.501 + p * 0.01).toFixed(3)}`],
  ['range (Double)', 'STL_SORT', 'x', {}, (p) => `x >= ${(0.5 + p * 0.01).toFixed(3)} and x < ${(0.501 + p * 0.01).toFixed(3)}`],
  ['prefix like (VarChar)', 'TRIE', 's', {}, (p) => `s like "key${String(400 + p).padStart(4, '0')}-%"`],
  ['prefix like (VarChar)', 'INVERTED', 's', {}, (p) => `s like "key${String(400 + p).padStart(4, '0')}-%"`],
  ['%infix% like (VarChar)', 'NGRAM', 't', { min_gram: '2', max_gram: '4' }, (p) => `t like "%tag${String(400 + p).padStart(4, '0')}x%"`],
];

export function runScalarIndexBench(o: ScalarBenchOptions): ScalarBenchResult {
  o.log(`scalar: generating ${o.rows} rows`);
  const cols = columns(o.rows, o.seed);
  const plain: RowSource = { numRows: o.rows, column: (name) => cols.get(name) };
  const out: ScalarBenchResult = { rows: [], builds: [], tables: [] };
  for (const [label, indexType, fieldName, params, filterAt] of CASES) {
    if (o.indexes && !o.indexes.includes(indexType)) continue;
    const field = SCHEMA.fields.find((f) => f.name === fieldName)!;
    const spec = scalarIndexSpec(indexType, field, params);
    let built: ReturnType<typeof buildScalarIndex> | undefined;
    const buildMs = cpuMs(() => { built = buildScalarIndex(cols.get(fieldName)!, spec); });
    const ix = built!;
    const entry: ScalarIndexEntry = { field: fieldName, jsonPath: null, index: ix };
    const bytes = memoryOf((t) => ix.countMemory(t));
    out.builds.push({ index: indexType, field: fieldName, cpuMs: buildMs, bytes });
    o.log(`scalar: ${indexType} on ${fieldName} built in ${buildMs.toFixed(0)} ms CPU, ${(bytes / 1048576).toFixed(1)} MiB`);
    const indexed: RowSource & ScalarIndexSource = { ...plain, column: plain.column, scalarIndexes: (f) => (f === fieldName ? [entry] : []) };
    const scan: number[] = [];
    const viaIndex: number[] = [];
    const viaIds: number[] = [];
    const scanWall: number[] = [];
    const idsWall: number[] = [];
    let identical = true;
    let matched = 0;
    for (let p = 0; p < o.passes; p++) {
      const plan = compileFilter(filterAt(p), SCHEMA);
      let a: Uint8Array = new Uint8Array(0);
      let b: Uint8Array = new Uint8Array(0);
      let ids: Int32Array = new Int32Array(0);
      const settle = o.settle ?? true;
      scan.push(cpuMs(() => { a = evaluateFilter(plan, plain); }, settle, scanWall));
      viaIndex.push(cpuMs(() => { b = evaluateFilter(plan, indexed); }, settle));
      viaIds.push(cpuMs(() => { ids = filterRowIds(plan, indexed); }, settle, idsWall));
      let m = 0;
      for (let i = 0; i < a.length; i++) {
        if (a[i] !== b[i]) identical = false;
        if (a[i] === 1 && ids[m++] !== i) identical = false;
      }
      if (ids.length !== m) identical = false;
      matched = Math.max(matched, m);
    }
    const row: ScalarBenchRow = { case: label, filter: filterAt(0), index: indexType, matched, scanCpuMs: median(scan), indexCpuMs: median(viaIndex), speedup: median(scan) / median(viaIndex),
      idsCpuMs: median(viaIds), idsSpeedup: median(scan) / median(viaIds), identical,
      scanWallMs: median(scanWall), idsWallMs: median(idsWall), idsWallSpeedup: median(scanWall) / median(idsWall) };
    out.rows.push(row);
    o.log(`scalar: ${label} ${indexType}: scan ${row.scanCpuMs.toFixed(2)} ms, index ${row.indexCpuMs.toFixed(3)} ms, x${row.speedup.toFixed(1)}, ids ${row.idsCpuMs.toFixed(3)} ms, x${row.idsSpeedup.toFixed(1)}; elapsed: scan ${row.scanWallMs.toFixed(2)} ms, ids ${row.idsWallMs.toFixed(3)} ms, x${row.idsWallSpeedup.toFixed(1)}; identical ${identical}`);
  }
  const t = table(`Scalar indexes: ${o.rows} rows, 0.1%-selective filters, CPU ms per filter (median of ${o.passes})`, ['case', 'index', 'filter (first pass)', 'rows matched', 'scan ms', 'index ms (bitset)', 'speed-up', 'index ms (row ids)', 'speed-up (row ids)', 'elapsed ms scan / row ids', 'speed-up (row ids, elapsed)', 'identical']);
  for (const r of out.rows) t.rows.push([r.case, r.index, r.filter, r.matched, r.scanCpuMs, r.indexCpuMs, r.speedup, r.idsCpuMs, r.idsSpeedup, `${r.scanWallMs.toFixed(1)} / ${r.idsWallMs.toFixed(2)}`, r.idsWallSpeedup, r.identical ? 'yes' : 'NO']);
  t.notes.push(`evaluateFilter over the columns a loaded segment holds, without and with the index the planner reads (bitset), and filterRowIds with the index (ascending row ids, no byte per row); process.cpuUsage per call${(o.settle ?? true) ? ', a full GC and a 200 ms pause before each' : ''}.`);
  const b = table('Scalar index builds', ['index', 'field', 'build CPU ms', 'memory MiB']);
  for (const x of out.builds) b.rows.push([x.index, x.field, x.cpuMs, x.bytes / 1048576]);
  out.tables.push(t, b);
  return out;
}
