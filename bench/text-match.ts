/**
 * TEXT_MATCH (positional index) vs `like '%word%'` (a scan of the text) on fortunes-like documents.
 * Standalone: `npx tsc -p . && node dist/bench/text-match.js [--rows 100000] [--queries 50]`.
 * Documents are lines drawn (seeded) from Debian's `fortunes` files, joined to 1-3 lines each; the
 * query words are drawn from the documents' vocabulary by frequency rank. Reports CPU time
 * (process.cpuUsage, user + system) per query: the machine may be shared, CPU time is steadier.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Chunk } from '../src/engine/chunk.js';
import { compileFilter, evaluateFilter } from '../src/expr/index.js';
import { DataType } from '../src/core/enums.js';
import type { Column } from '../src/schema/column.js';
import type { CollectionSchema, FieldSchema } from '../src/schema/types.js';

const FORTUNES = '/usr/share/games/fortunes';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function fortuneLines(): string[] {
  const lines: string[] = [];
  for (const f of fs.readdirSync(FORTUNES)) {
    if (f.includes('.') || f === 'chinese') continue;
    const p = path.join(FORTUNES, f);
    if (!fs.statSync(p).isFile()) continue;
    for (const l of fs.readFileSync(p, 'latin1').split('\n')) if (/[a-z]{3}/i.test(l) && l !== '%') lines.push(l.trim());
  }
  return lines;
}

function field(fieldId: number, name: string, dataType: DataType, typeParams: Record<string, string> = {}): FieldSchema {
  return {
    fieldId, name, description: '', dataType, isPrimaryKey: fieldId === 100, autoId: false, isPartitionKey: false,
    isClusteringKey: false, isDynamic: false, nullable: false, defaultValue: null, dim: null,
    maxLength: dataType === DataType.VarChar ? 65535 : null, maxCapacity: null, elementType: null, typeParams,
  };
}

function cpuMs(f: () => void): number {
  const t0 = process.cpuUsage();
  f();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

function main(): void {
  const rows = arg('--rows', 100_000);
  const queries = arg('--queries', 50);
  const r = rng(42);
  const lines = fortuneLines();
  const docs = Array.from({ length: rows }, () => {
    const k = 1 + Math.floor(r() * 3);
    return Array.from({ length: k }, () => lines[Math.floor(r() * lines.length)]!).join(' ');
  });
  const schema: CollectionSchema = {
    name: 'bench', description: '', enableDynamicField: false, functions: [],
    fields: [field(100, 'id', DataType.Int64), field(101, 'doc', DataType.VarChar, { enable_match: 'true', enable_analyzer: 'true' })],
  };
  const cols = new Map<string, Column>([
    ['id', { kind: 'int64', data: BigInt64Array.from({ length: rows }, (_, i) => BigInt(i)), valid: null }],
    ['doc', { kind: 'varchar', data: docs, valid: null }],
  ]);
  const chunk = new Chunk(0, rows, cols, new BigInt64Array(rows), 'id');
  const buildMs = cpuMs(() => chunk.buildTextIndexes(schema));
  const freq = new Map<string, number>();
  for (const d of docs.slice(0, 5000)) for (const w of d.toLowerCase().match(/[a-z]{4,}/g) ?? []) freq.set(w, (freq.get(w) ?? 0) + 1);
  const ranked = [...freq.entries()].sort((a, b) => b[1] - a[1]).map(([w]) => w);
  const words = Array.from({ length: queries }, (_, i) => ranked[Math.floor((i / queries) * Math.min(2000, ranked.length))]!);
  let matchMs = 0;
  let likeMs = 0;
  let hitsMatch = 0;
  let hitsLike = 0;
  for (const w of words) {
    const tm = compileFilter(`text_match(doc, '${w}')`, schema);
    const lk = compileFilter(`doc like '%${w}%'`, schema);
    matchMs += cpuMs(() => { hitsMatch += evaluateFilter(tm, chunk).reduce((a, b) => a + b, 0); });
    likeMs += cpuMs(() => { hitsLike += evaluateFilter(lk, chunk).reduce((a, b) => a + b, 0); });
  }
  const idx = [...chunk.textIndexes.values()][0]!.index;
  console.log(`rows=${rows} queries=${queries} (one word each, frequency ranks 0..2000 of the corpus)`);
  console.log(`index build (analyse + postings): ${buildMs.toFixed(0)} ms CPU, ~${(idx.sizeBytes / 2 ** 20).toFixed(1)} MiB`);
  console.log(`text_match: ${(matchMs / queries).toFixed(2)} ms CPU/query, ${hitsMatch} rows matched in total`);
  console.log(`like '%w%': ${(likeMs / queries).toFixed(2)} ms CPU/query, ${hitsLike} rows matched in total (substring but case-sensitive, so the counts differ)`);
  console.log(`speed-up: ${(likeMs / matchMs).toFixed(1)}x`);
}

main();
