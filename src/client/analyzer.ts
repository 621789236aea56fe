/**
 * `runAnalyzer` with the SDK's shapes: `analyzer_params` an object (serialised as the SDK does; absent
 * = the standard analyzer), `text` one string or a list, tokens with snake_case members.
 */
import type { RunAnalyzerRequest } from '@zilliz/milvus2-sdk-node';
import { type ClientContext, dbOf } from './context.js';
import { answer } from './status.js';
import type { RunAnalyzerResponse } from './types.js';

export async function runAnalyzer(ctx: ClientContext, req: RunAnalyzerRequest): Promise<RunAnalyzerResponse> {
  const texts = (Array.isArray(req.text) ? req.text : [req.text]).map((t) => String(t));
  return answer(async () => {
    const results = await ctx.service.runAnalyzer({
      dbName: dbOf(ctx, req),
      texts,
      analyzerParams: req.analyzer_params ? JSON.stringify(req.analyzer_params) : '',
      withDetail: req.with_detail === true,
      withHash: req.with_hash === true,
      ...(req.collection_name ? { collectionName: req.collection_name } : {}),
      ...(req.field_name ? { fieldName: req.field_name } : {}),
      analyzerNames: req.analyzer_names ?? [],
    });
    return {
      results: results.map((r) => ({
        tokens: r.tokens.map((t) => ({
          token: t.token, start_offset: t.startOffset, end_offset: t.endOffset, position: t.position,
          position_length: t.positionLength, hash: t.hash,
        })),
      })),
    };
  }, () => ({ results: [] }));
}
