/** Shared test data for the client tests: deterministic rows and an exact search oracle. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const DIM = 8;

export interface Book {
  id: number;
  title: string;
  year: number;
  price: number | null;
  tags: string[];
  meta: { n: number };
  active: boolean;
  vec: number[];
  color?: string;
}

/** A small LCG so every run sees the same data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function makeBooks(n: number, firstId: number, seed: number): Book[] {
  const r = rng(seed);
  const out: Book[] = [];
  for (let i = 0; i < n; i++) {
    const id = firstId + i;
    const vec = Array.from({ length: DIM }, () => Math.round((r() * 2 - 1) * 1000) / 1000);
    const b: Book = {
      id, title: `book-${id}`, year: 1970 + Math.floor(r() * 55), price: i % 5 === 0 ? null : Math.round(r() * 10000) / 100,
      tags: i % 2 === 0 ? ['a', `t${i % 3}`] : [], meta: { n: i }, active: i % 3 === 0, vec,
    };
    if (i % 4 === 0) b.color = i % 8 === 0 ? 'red' : 'blue';
    out.push(b);
  }
  return out;
}

/** Squared L2 in float32, as Milvus reports it. */
export function l2(a: readonly number[], b: readonly number[]): number {
  const fa = Float32Array.from(a);
  const fb = Float32Array.from(b);
  let s = 0;
  for (let i = 0; i < fa.length; i++) {
    const d = fa[i]! - fb[i]!;
    s += d * d;
  }
  return s;
}

/** Exact top-k by L2 (ties by id), the oracle every search result is checked against. */
export function bruteForce(rows: readonly Book[], q: readonly number[], k: number, keep: (b: Book) => boolean = () => true): { id: string; score: number }[] {
  return rows.filter(keep).map((b) => ({ id: String(b.id), score: l2(b.vec, q), n: b.id }))
    .sort((x, y) => x.score - y.score || x.n - y.n).slice(0, k).map(({ id, score }) => ({ id, score }));
}

export async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'sextant-client-'));
}

export async function removeDir(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
}
