/**
 * REST v2 `common/*`: `run_analyzer` (Milvus handler_v2 `runAnalyzer`). `text` is a list of strings
 * (one string is accepted too); `analyzerParams` a JSON string as in Milvus (an object is accepted
 * and serialised). Tokens carry offsets and positions only `withDetail`, `hash` only `withHash`.
 */
import type { AnalyzerResult } from '../../../service/types.js';
import { ok, type V2Table } from '../route.js';

function tokensToRest(results: AnalyzerResult[], withDetail: boolean, withHash: boolean): unknown {
  return results.map((r) => ({
    tokens: r.tokens.map((t) => ({
      token: t.token,
      ...(withDetail ? { startOffset: t.startOffset, endOffset: t.endOffset, position: t.position, positionLength: t.positionLength } : {}),
      ...(withHash ? { hash: t.hash } : {}),
    })),
  }));
}

export const commonRoutes: V2Table = {
  'common/run_analyzer': async (call) => {
    const a = call.args;
    const rawText = a.raw('text');
    const texts = typeof rawText === 'string' ? [rawText] : a.requiredStrList('text');
    const rawParams = a.raw('analyzerParams');
    const analyzerParams = rawParams === undefined || rawParams === null ? ''
      : typeof rawParams === 'string' ? rawParams : JSON.stringify(rawParams);
    const withDetail = a.optBool('withDetail') ?? false;
    const withHash = a.optBool('withHash') ?? false;
    const collectionName = a.optStr('collectionName');
    const fieldName = a.optStr('fieldName');
    const results = await call.api.runAnalyzer({
      dbName: call.dbName, texts, analyzerParams, withDetail, withHash,
      ...(collectionName !== undefined ? { collectionName } : {}),
      ...(fieldName !== undefined ? { fieldName } : {}),
      analyzerNames: a.strList('analyzerNames'),
    });
    return ok({ results: tokensToRest(results, withDetail, withHash) });
  },
};
