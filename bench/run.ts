/**
 * `npm run bench`: runs the ann, engine, grpc and embedded suites, prints one table per suite, and writes every
 * number as JSON to bench/results/<timestamp>.json (or --json). Nothing is compared to a time limit.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_ANN, runAnn, type AnnOptions, type AnnResult } from './ann.js';
import { fashionMnist, fashionMnistInstalled, synthetic, vectorFiles, type Dataset } from './data.js';
import { DEFAULT_EMBEDDED, runEmbedded, type EmbeddedResult } from './embedded.js';
import { DEFAULT_ENGINE, runEngine, type EngineResult } from './engine.js';
import { DEFAULT_FULLTEXT, runFulltext, type FulltextResult } from './fulltext.js';
import { DEFAULT_GRPC, runGrpc, type GrpcResult } from './grpc.js';
import { DEFAULT_SCALAR, runScalarIndexBench, type ScalarBenchResult } from './scalar-index.js';
import { runScalarQueryBench, type ScalarQueryResult } from './scalar-query.js';
import { DEFAULT_SERVER, runServerSuite, type ServerBenchOptions, type ServerResult } from './server.js';
import { DEFAULT_SCALE, ENGINE_INDEXES, runScale, SCALE_CASES, type ScaleCase, type ScaleOptions, type ScaleResult } from './scale.js';
import { formatTable } from './table.js';

export type Suite = 'ann' | 'engine' | 'grpc' | 'server' | 'embedded' | 'fulltext' | 'scalar' | 'scalar-query' | 'scale';
/** `all`: every suite but scale (1M rows by default: run it on its own with --suite scale). */
const SUITES: readonly Suite[] = ['ann', 'engine', 'grpc', 'server', 'embedded', 'fulltext', 'scalar'];
const KNOWN_SUITES: readonly Suite[] = [...SUITES, 'scalar-query', 'scale'];
/** Suites that run on the vector data set (the full-text suite makes its own corpus). */
const VECTOR_SUITES: readonly Suite[] = ['ann', 'engine', 'grpc', 'server', 'embedded'];
export type DataChoice = 'synthetic' | 'fashion-mnist' | 'files';

export interface BenchOptions {
  suites: readonly Suite[];
  n: number;
  dim: number;
  queries: number;
  seed: number;
  /** Data sets the ann suite runs on; engine and grpc use the first. */
  data: readonly DataChoice[];
  baseFile: string | null;
  queryFile: string | null;
  ann: Omit<AnnOptions, 'log'>;
  engine: typeof DEFAULT_ENGINE;
  grpc: typeof DEFAULT_GRPC;
  server: Omit<ServerBenchOptions, 'log'>;
  embedded: typeof DEFAULT_EMBEDDED;
  fulltext: typeof DEFAULT_FULLTEXT;
  scale: Omit<ScaleOptions, 'log'>;
  /** Where the JSON goes; null = bench/results/<timestamp>.json. */
  jsonPath: string | null;
}

export interface BenchReport {
  startedAt: string;
  totalMs: number;
  machine: { cpus: number; cpuModel: string; totalMemBytes: number; node: string; platform: string };
  options: Omit<BenchOptions, 'ann'> & { ann: Omit<AnnOptions, 'log'> };
  ann: AnnResult[];
  engine: EngineResult | null;
  grpc: GrpcResult | null;
  server: ServerResult | null;
  embedded: EmbeddedResult | null;
  fulltext: FulltextResult | null;
  scalar: ScalarBenchResult | null;
  scalarQuery: ScalarQueryResult | null;
  scale: ScaleResult | null;
  /** Requested data sets that could not be used, and why. */
  notes: string[];
}

export const DEFAULT_OPTIONS: BenchOptions = {
  suites: SUITES, n: 100_000, dim: 128, queries: 1000, seed: 42, data: ['synthetic'],
  baseFile: null, queryFile: null, ann: DEFAULT_ANN, engine: DEFAULT_ENGINE, grpc: DEFAULT_GRPC, server: DEFAULT_SERVER, embedded: DEFAULT_EMBEDDED, fulltext: DEFAULT_FULLTEXT, scale: DEFAULT_SCALE, jsonPath: null,
};

const RESULTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../bench/results');

function loadDataset(choice: DataChoice, o: BenchOptions, explicitN: boolean): Dataset {
  switch (choice) {
    case 'synthetic': return synthetic({ n: o.n, dim: o.dim, nq: o.queries, seed: o.seed });
    case 'fashion-mnist': return fashionMnist(o.queries, explicitN ? o.n : Infinity);
    case 'files': return vectorFiles(o.baseFile ?? '', o.queryFile ?? '', explicitN ? o.n : Infinity, o.queries);
  }
}

export async function runBench(
  o: BenchOptions, print: (text: string) => void, log: (line: string) => void, explicitN = true,
): Promise<BenchReport> {
  const t0 = performance.now();
  const notes: string[] = [];
  const datasets: Dataset[] = [];
  for (const choice of o.suites.some((x) => VECTOR_SUITES.includes(x)) ? o.data : []) {
    if (choice === 'fashion-mnist' && !fashionMnistInstalled()) {
      notes.push('fashion-mnist requested but not installed (apt-get install dataset-fashion-mnist); skipped');
      continue;
    }
    log(`[data] ${choice}: generating / reading and computing exact ground truth`);
    datasets.push(loadDataset(choice, o, explicitN));
  }
  for (const n of notes) print(`note: ${n}`);
  const report: BenchReport = {
    startedAt: new Date().toISOString(), totalMs: 0,
    machine: { cpus: availableParallelism(), cpuModel: cpus()[0]?.model ?? 'unknown', totalMemBytes: totalmem(), node: process.version, platform: process.platform },
    options: o, ann: [], engine: null, grpc: null, server: null, embedded: null, fulltext: null, scalar: null, scalarQuery: null, scale: null, notes,
  };
  const first = datasets[0];
  if (o.suites.includes('ann')) {
    for (const ds of datasets) {
      const r = await runAnn(ds, { ...o.ann, log });
      report.ann.push(r);
      for (const t of r.tables) print(`${formatTable(t)}\n`);
    }
  }
  if (first !== undefined && o.suites.includes('engine')) {
    report.engine = await runEngine(first, { ...o.engine, log });
    for (const t of report.engine.tables) print(`${formatTable(t)}\n`);
  }
  if (first !== undefined && o.suites.includes('grpc')) {
    report.grpc = await runGrpc(first, { ...o.grpc, log });
    for (const t of report.grpc.tables) print(`${formatTable(t)}\n`);
  }
  if (first !== undefined && o.suites.includes('server')) {
    report.server = await runServerSuite(first, { ...o.server, log });
    for (const t of report.server.tables) print(`${formatTable(t)}\n`);
  }
  if (first !== undefined && o.suites.includes('embedded')) {
    report.embedded = await runEmbedded(first, { ...o.embedded, graph: o.ann.graph, log });
    for (const t of report.embedded.tables) print(`${formatTable(t)}\n`);
  }
  if (o.suites.includes('fulltext')) {
    report.fulltext = await runFulltext({ ...o.fulltext, rows: o.n, seed: o.seed, log });
    for (const t of report.fulltext.tables) print(`${formatTable(t)}\n`);
  }
  if (o.suites.includes('scalar')) {
    report.scalar = runScalarIndexBench({ rows: explicitN ? o.n : 1_000_000, seed: o.seed, passes: DEFAULT_SCALAR.passes, indexes: o.ann.indexes, log });
    for (const t of report.scalar.tables) print(`${formatTable(t)}\n`);
  }
  if (o.suites.includes('scalar-query')) {
    report.scalarQuery = await runScalarQueryBench({ rows: explicitN ? o.n : 1_000_000, seed: o.seed, passes: DEFAULT_SCALAR.passes, indexes: o.ann.indexes, log });
    for (const t of report.scalarQuery.tables) print(`${formatTable(t)}\n`);
  }
  if (o.suites.includes('scale')) {
    report.scale = await runScale({ ...o.scale, log });
    for (const t of report.scale.tables) print(`${formatTable(t)}\n`);
  }
  report.totalMs = performance.now() - t0;
  return report;
}

/** Write the report as JSON; returns the path written. */
export function writeReport(report: BenchReport, path: string | null): string {
  const out = path ?? resolve(RESULTS_DIR, `${report.startedAt.replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  return out;
}

// ---------- command line ----------

const USAGE = `usage: npm run bench -- [options]
  --suite ann|engine|grpc|server|embedded|fulltext|scalar|scalar-query|scale|all
                                  suites to run, comma-separated (default all = every suite but scalar-query and scale)
  --n N, --rows N                 base rows (default 100000; with --data fashion-mnist/--fvecs: first N rows;
                                  fulltext: generated documents; scalar, scalar-query: generated rows, default 1000000)
  --dim D                         dimensions of the synthetic data (default 128)
  --queries N|FILE                query count (default 1000; fulltext: per query length, default 200), or a .fvecs/.fbin query file with --fvecs
  --passes N                      fulltext suite: timed passes over the queries, median per query (default 3)
  --fvecs FILE                    base vectors from a .fvecs or .fbin file (needs --queries FILE)
  --data LIST                     synthetic, fashion-mnist, auto (= synthetic + fashion-mnist if installed)
  --seed S                        synthetic data seed (default 42)
  --m M --ef-construction E       graph build params for Sextant's HNSW* and both peers (default 16 / 200)
  --ef LIST --nprobe LIST         search settings (default 16,32,64,128,256 and 8,16,32,64)
  --index LIST                    only these Sextant index types (default: every registered one; scalar suite: its cases' types)
  --build-param KEY=VALUE         extra build param for every index type that declares KEY (repeatable)
  --no-peers                      skip usearch and hnswlib-node
  --measure-ms MS                 repeat each timed pass until MS were spent (default 1000): the fastest pass counts,
                                  scale suite: searches a second over all of them
  --duration-ms MS                server suite: length of each timed scenario (default 3000)
  --concurrency LIST              server suite: requests in flight (default 1,8,32)
  --clients LIST                  server suite: bare,sdk,http (default all three)
  --ops LIST                      server suite: unary,search,insert (default all three)
  --server-node-arg FLAG          server suite: node flag for the server process, e.g. --cpu-prof (repeatable)
  --scale-cases LIST              scale suite: hnsw,engine,disk (default all three; --rows scales them, default 1000000)
  --scale-indexes LIST            scale suite: the engine case's indexes (default HNSW,IVF_FLAT,IVF_SQ8; also HNSW_SQ: SQ8 + refine FP32, refine_k 2; none: ingest and compaction only; --ef LIST / --nprobe LIST sweep HNSW's ef / IVF's nprobe, default 64 / 32)
  --engine-parts N                scale suite: the engine case inserts its rows in N parts, each flushed and compacted before the next (default 1)
  --engine-segment-mb MB          scale suite: those compactions force-merge to MB (e.g. --rows 10000000 --engine-parts 2 --engine-segment-mb 2600: two 5M segments)
  --keep-dirs                     scale suite: keep the engine and disk cases' data directories (paths logged), the last index of each built and loaded, to reopen later
  --disk-rows N                   scale suite: rows of the 768-d disk case (default: --rows)
  --disk-indexes LIST             scale suite: the disk case's indexes (default DISKANN,IVF_FLAT; IVF_FLAT with mmap.enabled)
  --budget-mb MB                  scale suite: memory budget of the disk case (default 1024)
  --disk-segment-mb MB            scale suite: force-merge the disk case's segments to MB before its builds (default 2048, Milvus's DISKANN segment size; 0: an ordinary compaction, 1 GiB)
  --search-list LIST              scale suite: DISKANN search_list values (default 64,100)
  --peer-index FILE               scale suite: the engine case searches this saved usearch index (same --rows, --seed,
                                  --m, --ef-construction) between its HNSW passes, without the hnsw case building one
  --peer-ef LIST                  scale suite: usearch's ef in the engine case, one per --ef value (default: the same),
                                  e.g. its fastest setting at recall >= 0.95 beside ours
  --json FILE                     write the JSON report here instead of bench/results/<timestamp>.json`;

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer, got ${raw}`);
  return v;
}

function intList(name: string, raw: string | undefined, fallback: readonly number[]): readonly number[] {
  return raw === undefined ? fallback : raw.split(',').map((x) => positiveInt(name, x.trim(), 0));
}

function suitesFrom(raw: string | undefined): Suite[] {
  if (raw === undefined || raw === 'all') return [...SUITES];
  return raw.split(',').map((s) => {
    const suite = KNOWN_SUITES.find((x) => x === s);
    if (suite === undefined) throw new Error(`unknown suite ${s}`);
    return suite;
  });
}

function dataFrom(raw: string | undefined, hasFiles: boolean): DataChoice[] {
  if (hasFiles) return ['files'];
  const out: DataChoice[] = [];
  for (const d of (raw ?? 'synthetic').split(',')) {
    if (d === 'auto') out.push('synthetic', ...(fashionMnistInstalled() ? ['fashion-mnist' as const] : []));
    else if (d === 'synthetic' || d === 'fashion-mnist') out.push(d);
    else throw new Error(`unknown data set ${d}`);
  }
  return [...new Set(out)];
}

function buildParamsFrom(raw: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of raw ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new Error(`--build-param expects KEY=VALUE, got ${kv}`);
    out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}

function serverOptionsFrom(
  v: { 'duration-ms'?: string; concurrency?: string; clients?: string; ops?: string; 'server-node-arg'?: string[]; m?: string; 'ef-construction'?: string },
  d: Omit<ServerBenchOptions, 'log'>,
): Omit<ServerBenchOptions, 'log'> {
  const kinds = ['bare', 'sdk', 'http'] as const;
  const ops = ['unary', 'search', 'insert'] as const;
  return {
    ...d,
    durationMs: positiveInt('duration-ms', v['duration-ms'], d.durationMs),
    concurrency: intList('concurrency', v.concurrency, d.concurrency),
    clients: v.clients === undefined ? d.clients : v.clients.split(',').map((c) => {
      const k = kinds.find((x) => x === c.trim());
      if (k === undefined) throw new Error(`unknown client ${c} (bare, sdk, http)`);
      return k;
    }),
    ops: v.ops === undefined ? d.ops : v.ops.split(',').map((x) => {
      const k = ops.find((y) => y === x.trim());
      if (k === undefined) throw new Error(`unknown operation ${x} (unary, search, insert)`);
      return k;
    }),
    graph: { m: positiveInt('m', v.m, d.graph.m), efConstruction: positiveInt('ef-construction', v['ef-construction'], d.graph.efConstruction) },
    serverNodeArgs: v['server-node-arg'] ?? d.serverNodeArgs,
  };
}

/** The scale suite's options; `--queries` names a query file for the ann suite when `queryIsFile`. */
function scaleOptionsFrom(v: Record<string, string | boolean | string[] | undefined>, queryIsFile: boolean): Omit<ScaleOptions, 'log'> {
  const d = DEFAULT_SCALE, str = (k: string): string | undefined => (typeof v[k] === 'string' ? v[k] : undefined);
  const rows = positiveInt('rows', str('rows') ?? str('n'), d.rows);
  const raw = str('scale-cases');
  const cases: ScaleCase[] = raw === undefined ? [...SCALE_CASES] : raw.split(',').map((c) => {
    const k = SCALE_CASES.find((x) => x === c.trim());
    if (k === undefined) throw new Error(`unknown scale case ${c} (${SCALE_CASES.join(', ')})`);
    return k;
  });
  return {
    ...d, rows, cases, diskRows: positiveInt('disk-rows', str('disk-rows'), rows),
    queries: positiveInt('queries', queryIsFile ? undefined : str('queries'), d.queries), seed: positiveInt('seed', str('seed'), d.seed),
    m: positiveInt('m', str('m'), d.m), efConstruction: positiveInt('ef-construction', str('ef-construction'), d.efConstruction),
    budgetBytes: positiveInt('budget-mb', str('budget-mb'), d.budgetBytes / 2 ** 20) * 2 ** 20,
    diskSegmentMb: str('disk-segment-mb') === '0' ? null : positiveInt('disk-segment-mb', str('disk-segment-mb'), d.diskSegmentMb ?? 0), peers: v['no-peers'] !== true,
    peerIndex: existingFile('peer-index', str('peer-index')),
    peerEfs: peerEfs(str('peer-ef'), intList('ef', str('ef'), d.efs)),
    searchLists: intList('search-list', str('search-list'), d.searchLists),
    efs: intList('ef', str('ef'), d.efs), nprobes: intList('nprobe', str('nprobe'), d.nprobes), engineIndexes: scaleIndexes(str('scale-indexes'), d.engineIndexes, ENGINE_INDEXES),
    engineParts: positiveInt('engine-parts', str('engine-parts'), d.engineParts),
    engineSegmentMb: str('engine-segment-mb') === undefined ? null : positiveInt('engine-segment-mb', str('engine-segment-mb'), 0),
    keepDirs: v['keep-dirs'] === true,
    diskIndexes: scaleIndexes(str('disk-indexes'), d.diskIndexes), measureMs: positiveInt('measure-ms', str('measure-ms'), d.measureMs),
  };
}

/** `--peer-ef LIST`: one usearch ef per `--ef` value (null when absent). */
function peerEfs(raw: string | undefined, efs: readonly number[]): readonly number[] | null {
  if (raw === undefined) return null;
  const v = intList('peer-ef', raw, []);
  if (v.length !== efs.length) throw new Error(`--peer-ef needs one value per --ef value (${efs.length}), got ${v.length}`);
  return v;
}

/** A file option's value, checked to exist (null when absent). */
function existingFile(name: string, raw: string | undefined): string | null {
  if (raw === undefined) return null;
  if (!existsSync(raw)) throw new Error(`--${name}: no file ${raw}`);
  return raw;
}

/** `--scale-indexes HNSW,IVF_SQ8` / `--disk-indexes IVF_FLAT`: a case's indexes, in its own order. */
function scaleIndexes(raw: string | undefined, defaults: readonly string[], all = defaults): readonly string[] {
  if (raw === undefined) return defaults;
  if (raw.trim().toLowerCase() === 'none') return [];
  const want = raw.split(',').map((x) => x.trim().toUpperCase());
  for (const w of want) if (!all.includes(w)) throw new Error(`unknown scale index ${w} (${all.join(', ')})`);
  return all.filter((x) => want.includes(x));
}

export function parseCli(argv: string[]): { options: BenchOptions; explicitN: boolean } | 'help' {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      suite: { type: 'string' }, n: { type: 'string' }, dim: { type: 'string' }, queries: { type: 'string' },
      fvecs: { type: 'string' }, data: { type: 'string' }, seed: { type: 'string' }, m: { type: 'string' },
      'ef-construction': { type: 'string' }, ef: { type: 'string' }, nprobe: { type: 'string' }, index: { type: 'string' },
      'build-param': { type: 'string', multiple: true }, 'no-peers': { type: 'boolean' }, 'measure-ms': { type: 'string' },
      json: { type: 'string' }, help: { type: 'boolean', short: 'h' }, rows: { type: 'string' },
      'duration-ms': { type: 'string' }, concurrency: { type: 'string' }, clients: { type: 'string' }, ops: { type: 'string' },
      'server-node-arg': { type: 'string', multiple: true }, passes: { type: 'string' },
      'scale-cases': { type: 'string' }, 'scale-indexes': { type: 'string' }, 'disk-indexes': { type: 'string' }, 'disk-rows': { type: 'string' }, 'budget-mb': { type: 'string' }, 'disk-segment-mb': { type: 'string' }, 'search-list': { type: 'string' },
      'engine-parts': { type: 'string' }, 'engine-segment-mb': { type: 'string' }, 'keep-dirs': { type: 'boolean' },
      'peer-index': { type: 'string' }, 'peer-ef': { type: 'string' },
    },
    strict: true,
  });
  if (v.help === true) return 'help';
  const queryIsFile = v.queries !== undefined && !/^\d+$/.test(v.queries);
  if ((v.fvecs !== undefined) !== queryIsFile) throw new Error('--fvecs BASE needs --queries QUERYFILE (and vice versa)');
  const d = DEFAULT_OPTIONS;
  const options: BenchOptions = {
    suites: suitesFrom(v.suite),
    n: positiveInt('n', v.n ?? v.rows, d.n),
    dim: positiveInt('dim', v.dim, d.dim),
    queries: queryIsFile ? Number.MAX_SAFE_INTEGER : positiveInt('queries', v.queries, d.queries),
    seed: positiveInt('seed', v.seed, d.seed),
    data: dataFrom(v.data, v.fvecs !== undefined),
    baseFile: v.fvecs ?? null,
    queryFile: queryIsFile ? v.queries ?? null : null,
    ann: {
      ...d.ann,
      graph: { m: positiveInt('m', v.m, d.ann.graph.m), efConstruction: positiveInt('ef-construction', v['ef-construction'], d.ann.graph.efConstruction) },
      efs: intList('ef', v.ef, d.ann.efs),
      nprobes: intList('nprobe', v.nprobe, d.ann.nprobes),
      indexes: v.index === undefined ? null : v.index.split(',').map((s) => s.trim().toUpperCase()),
      peers: v['no-peers'] !== true,
      seed: positiveInt('seed', v.seed, d.ann.seed),
      buildParams: buildParamsFrom(v['build-param']),
      measureMs: positiveInt('measure-ms', v['measure-ms'], d.ann.measureMs),
    },
    engine: d.engine,
    grpc: d.grpc,
    server: serverOptionsFrom(v, d.server),
    embedded: d.embedded,
    fulltext: { ...d.fulltext, queries: positiveInt('queries', queryIsFile ? undefined : v.queries, d.fulltext.queries), passes: positiveInt('passes', v.passes, d.fulltext.passes) },
    scale: scaleOptionsFrom(v, queryIsFile),
    jsonPath: v.json ?? null,
  };
  return { options, explicitN: v.n !== undefined || v.rows !== undefined };
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseCli>;
  try {
    parsed = parseCli(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (parsed === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const t0 = performance.now();
  const log = (l: string): void => { process.stderr.write(`[+${((performance.now() - t0) / 1000).toFixed(0)}s] ${l}\n`); };
  const report = await runBench(parsed.options, (t) => process.stdout.write(`${t}\n`), log, parsed.explicitN);
  const path = writeReport(report, parsed.options.jsonPath);
  process.stdout.write(`total ${(report.totalMs / 1000).toFixed(0)} s; results written to ${path}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
