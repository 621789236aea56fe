/**
 * Analyzers: text -> tokens, as Milvus's Tantivy-based analyzers produce them. A pure module (no I/O,
 * no engine): schema validates `analyzer_params` with it, the BM25 function and TEXT_MATCH index with
 * it, RunAnalyzer returns its tokens.
 *
 * This file is the contract the rest of Sextant uses; the catalogue of tokenizers and filters grows
 * behind `buildAnalyzer`. Today: the `standard` analyzer (Tantivy's SimpleTokenizer, i.e. maximal runs
 * of alphabetic or numeric code points, then lowercase), which is Milvus's default.
 */
import { crc32 } from 'node:zlib';
import { errors } from '../core/errors.js';

/** One token as RunAnalyzer reports it: UTF-8 byte offsets, ordinal position. */
export interface Token {
  token: string;
  /** Byte offset of the token's first byte in the UTF-8 input. */
  startOffset: number;
  /** Byte offset just past the token's last byte. */
  endOffset: number;
  /** Ordinal of the token in the stream (gaps where a filter removed tokens, as Tantivy keeps them). */
  position: number;
  positionLength: number;
}

export interface Analyzer {
  /** Tokens with offsets and positions (RunAnalyzer, PHRASE_MATCH). */
  analyze(text: string): Token[];
  /** Token texts only, in order (the BM25 function, TEXT_MATCH): no offset bookkeeping. */
  tokens(text: string): string[];
}

/** Longest prefix of a token, in UTF-8 bytes, that Milvus hashes. */
export const TOKEN_HASH_PREFIX_BYTES = 100;

/** Milvus's token hash: crc32 (IEEE) of the token's first 100 UTF-8 bytes, modulo 2^32 - 1. */
export function tokenHash(token: string): number {
  let bytes = Buffer.from(token, 'utf8');
  if (bytes.length > TOKEN_HASH_PREFIX_BYTES) bytes = bytes.subarray(0, TOKEN_HASH_PREFIX_BYTES);
  return crc32(bytes) % 4294967295;
}

const WORD = /[\p{Alphabetic}\p{N}]+/gu;

class StandardAnalyzer implements Analyzer {
  analyze(text: string): Token[] {
    const out: Token[] = [];
    let bytesBefore = 0;
    let charsCounted = 0;
    for (const m of text.matchAll(WORD)) {
      bytesBefore += Buffer.byteLength(text.slice(charsCounted, m.index), 'utf8');
      const len = Buffer.byteLength(m[0], 'utf8');
      out.push({ token: m[0].toLowerCase(), startOffset: bytesBefore, endOffset: bytesBefore + len, position: out.length, positionLength: 1 });
      bytesBefore += len;
      charsCounted = m.index + m[0].length;
    }
    return out;
  }

  tokens(text: string): string[] {
    return Array.from(text.matchAll(WORD), (m) => m[0].toLowerCase());
  }
}

/**
 * The analyzer `analyzer_params` describes (parsed JSON, or undefined for the default). Bad params are
 * refused with code 1100 naming what was wrong.
 */
export function buildAnalyzer(params: unknown): Analyzer {
  if (params === undefined || params === null) return new StandardAnalyzer();
  if (typeof params !== 'object' || Array.isArray(params)) throw errors.invalidParameter('analyzer params should be json map');
  const type = (params as Record<string, unknown>)['type'];
  if (type === 'standard' && Object.keys(params).length === 1) return new StandardAnalyzer();
  throw errors.invalidParameter(`analyzer params not supported yet: ${JSON.stringify(params)}`);
}
