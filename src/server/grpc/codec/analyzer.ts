/** RunAnalyzer on the wire: `placeholder` = one UTF-8 text per entry; tokens with int64 offsets and a uint32 hash. */
import type { AnalyzerResult, RunAnalyzerRequest } from '../../../service/types.js';
import { dbNameOf, type CallContext } from './context.js';
import { bool, bytes, list, str, strings, type Wire } from './wire.js';

const utf8 = new TextDecoder();

export function runAnalyzerFromWire(req: Wire, ctx: CallContext): RunAnalyzerRequest {
  const out: RunAnalyzerRequest = {
    texts: list(req['placeholder'], 'placeholder').map((b) => utf8.decode(bytes(b, 'placeholder'))),
    analyzerParams: str(req['analyzer_params'], 'analyzer_params'),
    withDetail: bool(req['with_detail']),
    withHash: bool(req['with_hash']),
    collectionName: str(req['collection_name'], 'collection_name'),
    fieldName: str(req['field_name'], 'field_name'),
    analyzerNames: strings(req['analyzer_names'], 'analyzer_names'),
  };
  const db = dbNameOf(req, ctx);
  if (db !== undefined) out.dbName = db;
  return out;
}

export function analyzerResultsToWire(results: AnalyzerResult[]): Wire {
  return {
    results: results.map((r) => ({
      tokens: r.tokens.map((t) => ({
        token: t.token, start_offset: t.startOffset, end_offset: t.endOffset, position: t.position,
        position_length: t.positionLength, hash: t.hash,
      })),
    })),
  };
}
