/**
 * NGRAM postings built in typed arrays (NgramPostings.build) against a reference written the plain
 * way: a Map from each gram string to its rows. Texts draw on a tiny
 * alphabet (many shared grams, grams repeated within a text) plus lone and paired surrogates.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NgramPostings } from '../../src/index/scalar/ngram.js';
import { deserializeScalarIndex, serializeScalarIndex } from '../../src/index/scalar/codec.js';

function reference(minGram: number, maxGram: number, texts: readonly string[], rowIds: readonly number[]): Map<string, number[]> {
  const m = new Map<string, number[]>();
  texts.forEach((s, t) => {
    for (let len = minGram; len <= maxGram; len++) {
      for (let i = 0; i + len <= s.length; i++) {
        const g = s.substring(i, i + len);
        const rows = m.get(g) ?? [];
        if (!rows.includes(rowIds[t]!)) rows.push(rowIds[t]!);
        m.set(g, rows);
      }
    }
  });
  return m;
}

const unit = fc.constantFrom('a', 'b', 'c', ' ', '\u00e9', '\ud83d', '\ude00', '\ud83d\ude00', '\u0000');
const text = fc.array(unit, { maxLength: 14 }).map((xs) => xs.join(''));

it('the typed-array NGRAM build equals a Map of gram -> rows (each gram once, rows ascending, no repeats)', () => {
  fc.assert(
    fc.property(fc.array(text, { maxLength: 40 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), (texts, minGram, extra, gap) => {
      const maxGram = minGram + extra;
      const rowIds = texts.map((_, i) => i * (gap + 1));
      const ix = NgramPostings.build(minGram, maxGram, texts, rowIds);
      const ref = reference(minGram, maxGram, texts, rowIds);
      assert.deepEqual([...ix.grams].sort(), [...ref.keys()].sort()); // each gram once (the order is the build's)
      assert.equal(ix.offsets.length, ix.grams.length + 1);
      ix.grams.forEach((g, i) => assert.deepEqual([...ix.rows.subarray(ix.offsets[i]!, ix.offsets[i + 1]!)], ref.get(g), `gram ${JSON.stringify(g)}`));
      const back = deserializeScalarIndex(serializeScalarIndex(ix));
      assert.ok(back.shape === 'ngram');
      assert.deepEqual(back.grams, ix.grams);
      assert.deepEqual(back.rows, ix.rows);
    }),
    { numRuns: 400 },
  );
});

it('the NGRAM build keeps grams apart when the gram table grows past its first size', () => {
  const texts: string[] = [];
  for (let i = 0; i < 3000; i++) texts.push(i.toString(36).padStart(4, '0') + (i * 7919).toString(16));
  const rowIds = texts.map((_, i) => i);
  const ix = NgramPostings.build(2, 5, texts, rowIds);
  const ref = reference(2, 5, texts, rowIds);
  assert.equal(ix.grams.length, ref.size);
  assert.ok(ix.grams.length > 5000);
  ix.grams.forEach((g, i) => assert.deepEqual([...ix.rows.subarray(ix.offsets[i]!, ix.offsets[i + 1]!)], ref.get(g)));
});

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));

it('NGRAM payloads carry grams that split a surrogate pair (version 2), and version 1 payloads still read', () => {
  const ix = NgramPostings.build(1, 2, ['a\ud83d\ude00b', 'x\ud83dy'], [0, 3]);
  const back = deserializeScalarIndex(serializeScalarIndex(ix));
  assert.ok(back.shape === 'ngram');
  assert.deepEqual(back.grams, ix.grams);
  assert.deepEqual([...(back.candidates(['\ud83d']) ?? [])], [0, 3]);
  assert.deepEqual([...(back.candidates(['\ud83d\ude00']) ?? [])], [0]);
  // Written by version 1 (grams as UTF-8): NgramPostings.build(2, 3, ['abc', 'bcd', 'été'], [0, 2, 5]).
  const v1 = deserializeScalarIndex(hex('535853430100000002000000020000000300000008000000090000000200000003000000020000000300000002000000030000000500000003000000616261626362636263646364c3a974c3a974c3a974c3a9000000000100000002000000040000000500000006000000070000000800000009000000000000000000000000000000020000000200000002000000050000000500000005000000'));
  assert.ok(v1.shape === 'ngram');
  assert.deepEqual(v1.grams, ['ab', 'abc', 'bc', 'bcd', 'cd', 'ét', 'été', 'té']);
  assert.deepEqual([...(v1.candidates(['bc']) ?? [])], [0, 2]);
  assert.deepEqual([...(v1.candidates(['été']) ?? [])], [5]);
  // Version 1 TRIE over ['b', 'a', 'b'] at rows 0, 1, 3.
  const trie = deserializeScalarIndex(hex('535853430100000001000000020001010400000002000000030000005452494501000000010000006162000000000100000003000000010000000000000003000000'));
  assert.ok(trie.shape === 'sorted');
  assert.deepEqual(trie.keys, ['a', 'b']);
  assert.deepEqual([...trie.rows], [1, 0, 3]);
});
