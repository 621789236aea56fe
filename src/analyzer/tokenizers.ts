/**
 * The tokenizers Milvus's analyzers start from (tantivy-binding `tokenizers/`). Each returns tokens
 * with UTF-16 offsets into the JS string and the position Milvus reports:
 * - `standard`: Tantivy's SimpleTokenizer, maximal runs of Rust `char::is_alphanumeric` code points
 *   (Unicode Alphabetic or Numeric); positions 0, 1, 2 ... Not UAX #29: "32.3" is `32`, `3`.
 * - `whitespace`: Tantivy's WhitespaceTokenizer, runs of non-ASCII-whitespace (punctuation kept).
 * - `icu`: word boundaries (Intl.Segmenter here, ICU4X in Milvus), every segment kept (spaces and
 *   punctuation too); position = char index of the segment.
 * - `jieba`: jieba-rs (jieba-wasm) `tokenize` in `search` or `exact` (jieba Default) mode; position =
 *   char index of the token start, position length = its char length (Milvus's jieba wrapper).
 */
import { createRequire } from 'node:module';
import type * as JiebaModule from 'jieba-wasm';
import type { RawToken, Tokenizer } from './types.js';

const WORD = /[\p{Alphabetic}\p{N}]+/gu;
const NON_WHITESPACE = /[^\t\n\f\r ]+/g;

export const standardTokenizer: Tokenizer = (text) => runs(text, WORD);

export const whitespaceTokenizer: Tokenizer = (text) => runs(text, NON_WHITESPACE);

function runs(text: string, pattern: RegExp): RawToken[] {
  const out: RawToken[] = [];
  for (const m of text.matchAll(pattern)) {
    out.push({ text: m[0], start: m.index, end: m.index + m[0].length, position: out.length, positionLength: 1 });
  }
  return out;
}

/** Texts of the standard tokenizer's tokens, lowercased: the default analyzer's fast path. */
export function standardLowercaseTexts(text: string): string[] {
  return Array.from(text.matchAll(WORD), (m) => m[0].toLowerCase());
}

let wordSegmenter: Intl.Segmenter | undefined;

export const icuTokenizer: Tokenizer = (text) => {
  wordSegmenter ??= new Intl.Segmenter(undefined, { granularity: 'word' });
  const out: RawToken[] = [];
  const chars = new CharIndex(text);
  for (const s of wordSegmenter.segment(text)) {
    const end = s.index + s.segment.length;
    const from = chars.charAt(s.index);
    out.push({ text: s.segment, start: s.index, end, position: from, positionLength: chars.charAt(end) - from });
  }
  return out;
};

export type JiebaMode = 'search' | 'exact';

let jieba: typeof JiebaModule | undefined;

/** jieba-wasm, loaded on first use (its dictionary costs ~1 s and ~70 MB; most collections never need it). */
function jiebaModule(): typeof JiebaModule {
  jieba ??= createRequire(import.meta.url)('jieba-wasm') as typeof JiebaModule;
  return jieba;
}

export function jiebaTokenizer(mode: JiebaMode, hmm: boolean): Tokenizer {
  const jiebaMode = mode === 'search' ? 'search' : 'default';
  return (text) => {
    const words = jiebaModule().tokenize(text, jiebaMode, hmm);
    const chars = new CharIndex(text);
    const out: RawToken[] = [];
    for (const w of words) {
      const start = chars.utf16At(w.start);
      const end = chars.utf16At(w.end);
      out.push({ text: text.slice(start, end), start, end, position: w.start, positionLength: w.end - w.start });
    }
    return out;
  };
}

/** Char (Unicode scalar) index <-> UTF-16 index of one text; identity when it has no surrogate pairs. */
class CharIndex {
  private readonly utf16OfChar: Uint32Array | null = null;
  private readonly charOfUtf16: Uint32Array | null = null;

  constructor(text: string) {
    if (!/[\uD800-\uDFFF]/.test(text)) return;
    const utf16OfChar: number[] = [];
    const charOfUtf16 = new Uint32Array(text.length + 1);
    let c = 0;
    for (let i = 0; i < text.length; i++) {
      charOfUtf16[i] = c;
      const code = text.charCodeAt(i);
      if (code >= 0xdc00 && code <= 0xdfff && i > 0 && isHigh(text.charCodeAt(i - 1))) continue;
      utf16OfChar.push(i);
      c++;
    }
    charOfUtf16[text.length] = c;
    utf16OfChar.push(text.length);
    this.utf16OfChar = Uint32Array.from(utf16OfChar);
    this.charOfUtf16 = charOfUtf16;
  }

  charAt(utf16: number): number {
    return this.charOfUtf16 === null ? utf16 : this.charOfUtf16[utf16] ?? utf16;
  }

  utf16At(char: number): number {
    return this.utf16OfChar === null ? char : this.utf16OfChar[char] ?? char;
  }
}

function isHigh(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
