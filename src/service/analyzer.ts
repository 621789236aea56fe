/**
 * RunAnalyzer (Milvus proxy `RunAnalyzer` / querynode `runAnalyzer`): texts -> tokens. Without a
 * collection the analyzer comes from `analyzerParams`; with one, from the field's own type params
 * (collection mode wins when both are given, as in Milvus). Offsets and positions are filled only
 * `withDetail` (else 0), the hash only `withHash` (else 0), as the proto's defaults read.
 */
import { buildAnalyzer, parseAnalyzerParams, tokenHash, type Analyzer } from '../analyzer/analyzer.js';
import { errors } from '../core/errors.js';
import type { Engine } from '../engine/engine.js';
import { enableAnalyzer, fieldAnalyzer } from '../schema/text.js';
import { requireCollection } from './resolve.js';
import type { AnalyzerResult, RunAnalyzerRequest } from './types.js';

export function runAnalyzer(engine: Engine, req: RunAnalyzerRequest): AnalyzerResult[] {
  if (req.texts.length === 0) return [];
  const analyzers = req.collectionName !== undefined && req.collectionName !== ''
    ? fieldAnalyzers(engine, req)
    : Array<Analyzer>(req.texts.length).fill(buildAnalyzer(parseAnalyzerParams(req.analyzerParams ?? '')));
  return req.texts.map((text, i) => {
    const analyzer = analyzers[i] as Analyzer;
    if (req.withDetail === true) {
      return {
        tokens: analyzer.analyze(text).map((t) => ({
          token: t.token, startOffset: t.startOffset, endOffset: t.endOffset, position: t.position,
          positionLength: t.positionLength, hash: req.withHash === true ? tokenHash(t.token) : 0,
        })),
      };
    }
    return {
      tokens: analyzer.tokens(text).map((token) => ({
        token, startOffset: 0, endOffset: 0, position: 0, positionLength: 0, hash: req.withHash === true ? tokenHash(token) : 0,
      })),
    };
  });
}

/** One analyzer per text: the field's, or for a multi-language field the one each analyzer name picks. */
function fieldAnalyzers(engine: Engine, req: RunAnalyzerRequest): Analyzer[] {
  const collection = requireCollection(engine, { dbName: req.dbName, collectionName: req.collectionName ?? '' });
  const fieldName = req.fieldName ?? '';
  if (fieldName === '') throw errors.invalidParameter('field name should not be empty when collection name is set');
  const field = collection.meta.schema.fields.find((f) => f.name === fieldName);
  if (field === undefined) throw errors.fieldNotFound(fieldName);
  if (!enableAnalyzer(field)) {
    throw errors.invalidParameter(`field ${fieldName} does not enable analyzer, run analyzer by field needs enable_analyzer`);
  }
  const built = fieldAnalyzer(field);
  if (built.kind === 'single') return Array<Analyzer>(req.texts.length).fill(built.analyzer);
  const names = req.analyzerNames ?? [];
  if (names.length > 1 && names.length !== req.texts.length) {
    throw errors.invalidParameter(`analyzer names length ${names.length} not equal to input text length ${req.texts.length}`);
  }
  return req.texts.map((_, i) => built.multi.select(names.length === 1 ? names[0] : names[i]));
}
