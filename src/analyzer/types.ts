/** The analyzer vocabulary shared by the contract (analyzer.ts) and the pipeline parts. */

/** One token as RunAnalyzer reports it: UTF-8 byte offsets, ordinal position. */
export interface Token {
  token: string;
  /** Byte offset of the token's first byte in the UTF-8 input. */
  startOffset: number;
  /** Byte offset just past the token's last byte. */
  endOffset: number;
  /** Position as the tokenizer gives it (standard, whitespace: ordinal; jieba, icu: char index); filters that drop tokens leave gaps. */
  position: number;
  positionLength: number;
}

export interface Analyzer {
  /** Tokens with offsets and positions (RunAnalyzer, PHRASE_MATCH). */
  analyze(text: string): Token[];
  /** Token texts only, in order (the BM25 function, TEXT_MATCH): no offset bookkeeping. */
  tokens(text: string): string[];
}

/**
 * A token inside the pipeline: offsets are UTF-16 indexes into the JS string (converted to UTF-8
 * bytes only when `analyze` returns), position as the tokenizer set it.
 */
export interface RawToken {
  text: string;
  start: number;
  end: number;
  position: number;
  positionLength: number;
}

export type Tokenizer = (text: string) => RawToken[];

/** A filter rewrites or drops tokens; it never renumbers positions (Tantivy keeps the gaps). */
export type TokenFilter = (tokens: RawToken[]) => RawToken[];
