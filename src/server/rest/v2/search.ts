/**
 * REST v2 `entities/search` and `entities/hybrid_search`. Query vectors arrive as JSON lists and go
 * to the service as they are, with `annsField` if given: the service picks the field (the only
 * vector field when none is named) and converts them for it. Hits of all query vectors are
 * concatenated; `topks` gives the count per query.
 */
import { METRIC_TYPES, type MetricType } from '../../../core/enums.js';
import { errors } from '../../../core/errors.js';
import { functionScoreOf, highlighterOf, rankerOf } from '../../../service/sdk-values.js';
import type { FunctionScore, SearchRequest, SearchResult } from '../../../service/types.js';
import type { Args } from '../args.js';
import { restErrors } from '../errors.js';
import { collectionOf, type RestCall, type V2Result } from '../route.js';
import { searchRows } from '../values.js';
import { consistencyOfName } from './levels.js';

const DEFAULT_LIMIT = 100;

function metricOf(raw: string | undefined): MetricType | '' {
  if (raw === undefined || raw === '') return '';
  const upper = raw.toUpperCase();
  const m = METRIC_TYPES.find((x) => x === upper);
  if (m === undefined) throw errors.invalidParameter('metric type not supported', { expected: METRIC_TYPES.join('|'), actual: raw });
  return m;
}

/** `searchParams` / a hybrid sub-request: metricType, params{...}, ignoreGrowing; other keys join params. */
function searchParamsOf(sp: Args | undefined, own: Args): { metric: MetricType | ''; params: Record<string, unknown>; ignoreGrowing: boolean } {
  const params: Record<string, unknown> = {};
  if (sp !== undefined) {
    for (const [k, v] of Object.entries(sp.body)) if (k !== 'metricType' && k !== 'params' && k !== 'ignoreGrowing' && k !== 'metric_type') params[k] = v;
    Object.assign(params, sp.optObject('params')?.body ?? {});
  }
  Object.assign(params, own.optObject('params')?.body ?? {});
  const metric = metricOf(sp?.optStr('metricType') ?? sp?.optStr('metric_type') ?? own.optStr('metricType'));
  const ignoreGrowing = sp?.optBool('ignoreGrowing') ?? own.optBool('ignoreGrowing') ?? false;
  return { metric, params, ignoreGrowing };
}

/** One search route from `a` (the request itself, or one entry of hybrid `search`). */
function route(call: RestCall, a: Args): SearchRequest {
  const annsField = a.optStr('annsField');
  const { metric, params, ignoreGrowing } = searchParamsOf(a.optObject('searchParams'), a);
  const offset = a.optInt('offset');
  const groupBy = a.optStr('groupingField');
  const groupSize = a.optInt('groupSize');
  const strict = a.optBool('strictGroupSize');
  const exprParams = a.optObject('exprParams') ?? call.args.optObject('exprParams');
  const out: SearchRequest = {
    ...collectionOf(call),
    data: a.list('data'),
    topK: a.optInt('limit') ?? call.args.optInt('limit') ?? DEFAULT_LIMIT,
    metricType: metric,
    params,
    filter: a.optStr('filter') ?? '',
    outputFields: call.args.strList('outputFields'),
    partitionNames: call.args.strList('partitionNames'),
    ...(annsField ? { annsField } : {}),
    ...(offset !== undefined ? { offset } : {}),
    ...(ignoreGrowing ? { ignoreGrowing } : {}),
    ...(groupBy ? { groupByField: groupBy } : {}),
    ...(groupSize !== undefined ? { groupSize } : {}),
    ...(strict !== undefined ? { strictGroupSize: strict } : {}),
    ...(exprParams ? { templateValues: exprParams.body } : {}),
  };
  const level = consistencyOfName(call.args.optStr('consistencyLevel'));
  if (level !== undefined) out.consistencyLevel = level;
  return out;
}

function withFunctionScore(functionScore: FunctionScore | undefined): { functionScore?: FunctionScore } {
  return functionScore === undefined ? {} : { functionScore };
}

function answer(r: SearchResult): V2Result {
  return { data: searchRows(r), topks: r.topks };
}

export async function search(call: RestCall): Promise<V2Result> {
  if (!call.args.has('data')) throw restErrors.missingRequired('data');
  const req = route(call, call.args);
  const functionScore = functionScoreOf(call.args.optObject('functionScore')?.body);
  if (functionScore !== undefined) req.functionScore = functionScore;
  const highlighter = highlighterOf(call.args.optObject('highlighter')?.body);
  if (highlighter !== undefined) req.highlighter = highlighter;
  return answer(await call.api.search(req));
}

export async function hybridSearch(call: RestCall): Promise<V2Result> {
  const s = collectionOf(call);
  const subs = call.args.objects('search', true);
  if (subs.length === 0) throw restErrors.missingRequired('search');
  const requests = subs.map((a) => route(call, a));
  const rerank = call.args.optObject('rerank');
  const offset = call.args.optInt('offset');
  const level = consistencyOfName(call.args.optStr('consistencyLevel'));
  const r = await call.api.hybridSearch({
    ...s,
    requests,
    ranker: rankerOf(rerank?.body),
    ...withFunctionScore(functionScoreOf(call.args.optObject('functionScore')?.body) ?? functionScoreOf(rerank?.body)),
    topK: call.args.optInt('limit') ?? DEFAULT_LIMIT,
    outputFields: call.args.strList('outputFields'),
    partitionNames: call.args.strList('partitionNames'),
    ...(offset !== undefined ? { offset } : {}),
    ...(level !== undefined ? { consistencyLevel: level } : {}),
  });
  return answer(r);
}
