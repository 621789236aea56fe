/**
 * Analyzers: text -> tokens, as Milvus's Tantivy-based analyzers produce them. A pure module (no I/O,
 * no engine): schema validates `analyzer_params` with it, the BM25 function and TEXT_MATCH index with
 * it, RunAnalyzer returns its tokens.
 *
 * This file is the contract the rest of Sextant uses. Behind it: tokenizers.ts (standard,
 * whitespace, icu, jieba), filters.ts (lowercase, asciifolding, alphanumonly, cnalphanumonly,
 * cncharonly, removepunct, length, stop, decompounder, stemmer, regex), stop-words.ts, stemmers.ts,
 * build.ts (the JSON rules and the built-in analyzers standard / english / chinese), multi.ts
 * (`multi_analyzer_params`), pipeline.ts (UTF-8 byte offsets).
 */
import { crc32 } from 'node:zlib';
import { buildFromParams } from './build.js';
import type { Analyzer } from './types.js';

export type { Analyzer, Token } from './types.js';
export { parseAnalyzerParams } from './build.js';
export { buildMultiAnalyzer, MultiAnalyzer, DEFAULT_ANALYZER_NAME } from './multi.js';
export { STEMMER_LANGUAGES } from './stemmers.js';

/** Longest prefix of a token, in UTF-8 bytes, that Milvus hashes. */
export const TOKEN_HASH_PREFIX_BYTES = 100;

/** Milvus's token hash: crc32 (IEEE) of the token's first 100 UTF-8 bytes, modulo 2^32 - 1. */
export function tokenHash(token: string): number {
  let bytes = Buffer.from(token, 'utf8');
  if (bytes.length > TOKEN_HASH_PREFIX_BYTES) bytes = bytes.subarray(0, TOKEN_HASH_PREFIX_BYTES);
  return crc32(bytes) % 4294967295;
}

/**
 * The analyzer `analyzer_params` describes (parsed JSON, its JSON text, or undefined/"" for the
 * default `standard`). Bad params are refused with code 1100 and Milvus's message.
 */
export function buildAnalyzer(params: unknown): Analyzer {
  return buildFromParams(params);
}

/** Validate `analyzer_params` by building it (throws code 1100 like buildAnalyzer). */
export function validateAnalyzerParams(params: unknown): void {
  buildFromParams(params);
}
