/** One analyzer = one tokenizer + filters; converts offsets to UTF-8 bytes only for `analyze`. */
import type { Analyzer, RawToken, Token, TokenFilter, Tokenizer } from './types.js';

export class Pipeline implements Analyzer {
  constructor(private readonly tokenizer: Tokenizer, private readonly filters: readonly TokenFilter[]) {}

  private run(text: string): RawToken[] {
    let tokens = this.tokenizer(text);
    for (const f of this.filters) tokens = f(tokens);
    return tokens;
  }

  analyze(text: string): Token[] {
    const tokens = this.run(text);
    const bytes = utf8OffsetsOf(text);
    return tokens.map((t) => ({
      token: t.text,
      startOffset: bytes === null ? t.start : bytes[t.start] ?? 0,
      endOffset: bytes === null ? t.end : bytes[t.end] ?? 0,
      position: t.position,
      positionLength: t.positionLength,
    }));
  }

  tokens(text: string): string[] {
    return this.run(text).map((t) => t.text);
  }
}

/**
 * UTF-8 byte offset of every UTF-16 index of `text` (length + 1 entries), or null for ASCII text
 * (where they are equal). A lone surrogate counts 3 bytes, as Buffer encodes it (U+FFFD).
 */
export function utf8OffsetsOf(text: string): Uint32Array | null {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return null;
  const out = new Uint32Array(text.length + 1);
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    out[i] = bytes;
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && isLow(text.charCodeAt(i + 1))) {
      out[i + 1] = bytes;
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  out[text.length] = bytes;
  return out;
}

function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
