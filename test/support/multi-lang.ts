/**
 * A multi-language BM25 corpus for the analyzer_name tests of every door: four rows, the tokens each
 * row's analyzer makes written by hand, and the reference formula (§1.5, k1 1.2, b 0.75) in float64.
 */
import assert from 'node:assert/strict';
import type { Column } from '../../src/schema/column.js';

export const MULTI = JSON.stringify({
  by_field: 'lang',
  analyzers: { english: { type: 'english' }, default: { tokenizer: 'whitespace' } },
  alias: { en: 'english' },
});
export const DOCS: { id: bigint; lang: string | null; text: string; tokens: string[] }[] = [
  { id: 1n, lang: 'en', text: 'Running dogs run', tokens: ['run', 'dog', 'run'] }, // english via the alias
  { id: 2n, lang: 'xx', text: 'Running dogs', tokens: ['Running', 'dogs'] }, // unknown name -> default (whitespace)
  { id: 3n, lang: null, text: 'running fast', tokens: ['running', 'fast'] }, // NULL -> default
  { id: 4n, lang: 'english', text: 'The dog sleeps', tokens: ['dog', 'sleep'] }, // stop word dropped, stemmed
];

/** §1.5 in float64 with k1 1.2, b 0.75 over DOCS' hand-written tokens. */
export function expectedHits(queryTokens: string[]): [string, number][] {
  const n = DOCS.length;
  const avgdl = DOCS.reduce((a, d) => a + d.tokens.length, 0) / n;
  const out: [string, number][] = [];
  for (const d of DOCS) {
    let score = 0;
    for (const q of queryTokens) {
      const df = DOCS.filter((x) => x.tokens.includes(q)).length;
      const tf = d.tokens.filter((t) => t === q).length;
      if (tf === 0) continue;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      score += idf * (tf * 2.2) / (tf + 1.2 * (1 - 0.75 + 0.75 * d.tokens.length / avgdl));
    }
    if (score > 0) out.push([String(d.id), score]);
  }
  return out.sort((a, b) => b[1] - a[1]);
}

export function docColumns(): Map<string, Column> {
  return new Map<string, Column>([
    ['id', { kind: 'int64', data: BigInt64Array.from(DOCS.map((d) => d.id)), valid: null }],
    ['lang', { kind: 'varchar', data: DOCS.map((d) => d.lang ?? ''), valid: Uint8Array.from(DOCS.map((d) => (d.lang === null ? 0 : 1))) }],
    ['text', { kind: 'varchar', data: DOCS.map((d) => d.text), valid: null }],
  ]);
}

export function assertHits(got: [string, number][], want: [string, number][], label: string): void {
  assert.deepEqual(got.map((h) => h[0]), want.map((h) => h[0]), label);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i]![1] - want[i]![1]) <= 1e-5 * Math.max(1, want[i]![1]), `${label}: score ${got[i]![1]} vs ${want[i]![1]}`);
  }
}
