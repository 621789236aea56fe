/**
 * Properties of every tokenizer over arbitrary Unicode text (fast-check): offsets are UTF-8 byte
 * offsets that slice the input to the token's text (before filters change it), the standard
 * tokenizer's slices are themselves single standard tokens, positions strictly increase, and
 * `tokens()` equals `analyze()` without the bookkeeping.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildAnalyzer } from '../../src/analyzer/analyzer.js';

const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.constantFrom('北京', '大学', ' ', 'é', '😀', 'dog\'s', '32.3', 'Ⅻ', '\t', '。', 'ﬁ', 'Σ'), { maxLength: 12 }).map((a) => a.join('')),
);

const slice = (s: string, from: number, to: number): string => Buffer.from(s, 'utf8').subarray(from, to).toString('utf8');

describe('analyzer properties', () => {
  it('standard tokenizer: offsets slice the UTF-8 input to the token, which analyzes to itself; positions 0, 1, 2 ...', () => {
    const raw = buildAnalyzer({ tokenizer: 'standard' });
    fc.assert(fc.property(text, (s) => {
      const tokens = raw.analyze(s);
      tokens.forEach((t, i) => {
        assert.equal(slice(s, t.startOffset, t.endOffset), t.token);
        assert.deepEqual(raw.tokens(t.token), [t.token]);
        assert.equal(t.position, i);
      });
      assert.deepEqual(raw.tokens(s), tokens.map((t) => t.token));
    }), { numRuns: 400 });
  });

  it('default analyzer: same offsets as the raw tokenizer, tokens lowercased', () => {
    const raw = buildAnalyzer({ tokenizer: 'standard' });
    const std = buildAnalyzer(undefined);
    fc.assert(fc.property(text, (s) => {
      const a = raw.analyze(s);
      const b = std.analyze(s);
      assert.deepEqual(b.map((t) => [t.startOffset, t.endOffset, t.position]), a.map((t) => [t.startOffset, t.endOffset, t.position]));
      assert.deepEqual(b.map((t) => t.token), a.map((t) => t.token.toLowerCase()));
    }), { numRuns: 300 });
  });

  for (const tokenizer of ['whitespace', 'icu', 'jieba']) {
    it(`${tokenizer}: offsets slice the input to the token, positions increase, tokens() = analyze()`, () => {
      const a = buildAnalyzer({ tokenizer: tokenizer === 'jieba' ? { type: 'jieba', mode: 'exact' } : tokenizer });
      fc.assert(fc.property(text, (s) => {
        const tokens = a.analyze(s);
        let last = -1;
        for (const t of tokens) {
          assert.equal(slice(s, t.startOffset, t.endOffset), t.token);
          assert.ok(t.position > last, `position ${t.position} after ${last}`);
          last = t.position;
        }
        assert.deepEqual(a.tokens(s), tokens.map((t) => t.token));
        if (tokenizer === 'icu') assert.equal(tokens.map((t) => t.token).join(''), s, 'icu keeps every segment');
      }), { numRuns: 200 });
    });
  }
});
