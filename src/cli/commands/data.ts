/** delete entities / delete ids, query, search. */
import { readFile } from 'node:fs/promises';
import { DataType } from '../../core/enums.js';
import { errors } from '../../core/errors.js';
import type { CollectionSchema } from '../../schema/types.js';
import { UsageError, type Args } from '../args.js';
import type { Command } from '../command.js';
import { F } from '../command.js';
import { message, tableOfRows, type Output } from '../output.js';

function pkFilter(schema: CollectionSchema, ids: string[]): string {
  const pk = schema.fields.find((f) => f.isPrimaryKey);
  if (pk === undefined) throw errors.internal('collection without primary key');
  const list = pk.dataType === DataType.VarChar ? ids.map((x) => JSON.stringify(x)) : ids.map((x) => {
    if (!/^[+-]?\d+$/.test(x)) throw new UsageError(`id "${x}" is not an integer (primary key ${pk.name} is INT64)`);
    return x;
  });
  return `${pk.name} in [${list.join(', ')}]`;
}

function parseJson(text: string, what: string): unknown {
  try { return JSON.parse(text); } catch (e) { throw new UsageError(`${what}: not valid JSON (${(e as Error).message})`); }
}

async function vectorsOf(a: Args): Promise<unknown[]> {
  const inline = a.opt('vectors');
  const file = a.opt('vectorFile');
  const texts = a.list('texts');
  // Full-text search: the queries are texts, on a BM25 function's output field.
  if (texts.length > 0 && inline === undefined && file === undefined) return texts;
  if ((inline === undefined) === (file === undefined)) throw new UsageError('search: give the query vectors with -v JSON or -V FILE, or texts with -t TEXT');
  let v: unknown;
  if (inline !== undefined) v = parseJson(inline, '-v');
  else {
    const text = await readFile(file ?? '', 'utf8').catch((e: Error) => { throw new UsageError(`cannot read ${file ?? ''}: ${e.message}`); });
    const t = text.trim();
    v = t.startsWith('[[') || t.startsWith('[{') ? parseJson(t, file ?? '') : t.split('\n').filter((l) => l.trim() !== '').map((l, i) => parseJson(l, `${file ?? ''} line ${i + 1}`));
  }
  if (!Array.isArray(v) || v.length === 0) throw new UsageError('search: expected a vector or a list of vectors');
  return Array.isArray(v[0]) || (typeof v[0] === 'object' && v[0] !== null) ? v : [v];
}

/** `--params` JSON, with `--analyzer-name` as its `analyzer_name` (how the SDK sends it). */
function searchParams(a: Args): Record<string, unknown> | undefined {
  const p = a.opt('params');
  const analyzerName = a.opt('analyzerName');
  if (p === undefined) return analyzerName === undefined ? undefined : { analyzer_name: analyzerName };
  const v = parseJson(p, '--params');
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UsageError('--params expects a JSON object, e.g. {"ef":64}');
  return analyzerName === undefined ? (v as Record<string, unknown>) : { ...(v as Record<string, unknown>), analyzer_name: analyzerName };
}

const outputFields = (a: Args): string[] | undefined => (a.opt('outputFields') === undefined ? undefined : a.list('outputFields'));

export const dataCommands: Command[] = [
  {
    verb: 'delete', object: 'entities', usage: 'delete entities -c COLL [-p PART] -e EXPR', summary: 'delete the rows matching a filter',
    flags: [F.collection, F.partition, F.expr, F.yes],
    run: async (ctx, a) => {
      const c = a.req('collection', '-c COLLECTION');
      const n = await ctx.backend.delete(c, a.opt('partition'), a.req('expr', '-e EXPR'));
      return message(`deleted ${n} rows from ${c}`);
    },
  },
  {
    verb: 'delete', object: 'ids', usage: 'delete ids -c COLL [-p PART] -i ID[,ID...]', summary: 'delete rows by primary key',
    flags: [F.collection, F.partition, F.multi(['-i', '--ids'], 'ids', 'primary keys (repeatable, or comma-separated)'), F.yes],
    run: async (ctx, a) => {
      const c = a.req('collection', '-c COLLECTION');
      const ids = [...a.list('ids'), ...a.positionals];
      if (ids.length === 0) throw new UsageError('delete ids: missing -i ID');
      const { schema } = await ctx.backend.describeCollection(c);
      const n = await ctx.backend.delete(c, a.opt('partition'), pkFilter(schema, ids));
      return message(`deleted ${n} rows from ${c}`);
    },
  },
  {
    verb: 'query', usage: "query -c COLL -e EXPR [-o f1,f2|'*'] [-l N] [--offset N] [-p PART]", summary: 'rows matching a filter',
    flags: [F.collection, F.expr, F.output, F.limit, F.partitions, F.value(['--offset'], 'offset', 'rows to skip')],
    run: async (ctx, a): Promise<Output> => {
      const ps = a.list('partitions');
      const rows = await ctx.backend.query({
        collection: a.req('collection', '-c COLLECTION'), filter: a.opt('expr') ?? '', outputFields: outputFields(a),
        partitions: ps.length > 0 ? ps : undefined, limit: a.int('limit', '-l'), offset: a.int('offset', '--offset'),
      });
      return tableOfRows(rows);
    },
  },
  {
    verb: 'search', usage: "search -c COLL -v '[0.1,0.2]'|-V FILE|-t TEXT [-a FIELD] [-l N] [-e EXPR] [-o f1,f2] [--params '{\"ef\":64}'] [-m METRIC] [-n ANALYZER]",
    summary: 'nearest neighbours of query vectors',
    flags: [F.collection, F.value(['-v', '--vectors'], 'vectors', 'JSON vector or list of vectors'),
      F.value(['-V', '--vector-file'], 'vectorFile', 'file of vectors (JSON, or one JSON vector per line)'),
      F.multi(['-t', '--text'], 'texts', 'query text for full-text search on a BM25 output field (repeatable)'),
      F.value(['-a', '-f', '--anns-field'], 'anns', 'vector field'), F.limit, F.expr, F.output, F.partitions,
      F.value(['--params'], 'params', 'search params as JSON'), F.value(['-m', '--metric'], 'metric', 'metric type'),
      F.value(['-r', '--round-decimal'], 'round', 'round scores to N decimals'),
      F.value(['-n', '--analyzer-name'], 'analyzerName', 'analyzer of a multi-language field for -t TEXT queries')],
    run: async (ctx, a) => {
      const c = a.req('collection', '-c COLLECTION');
      const vectors = await vectorsOf(a);
      const ps = a.list('partitions');
      const hits = await ctx.backend.search({
        collection: c, annsField: a.opt('anns'), vectors, limit: a.int('limit', '-l', 10) ?? 10, filter: a.opt('expr'),
        outputFields: outputFields(a), partitions: ps.length > 0 ? ps : undefined, params: searchParams(a),
        metricType: a.opt('metric')?.toUpperCase(), roundDecimal: a.int('round', '-r'),
      });
      const rows = hits.flatMap((qs, q) => qs.map((h, rank) => ({ query: q + 1, rank: rank + 1, id: h.id, score: h.score, ...h.fields })));
      return tableOfRows(rows, ['query', 'rank', 'id', 'score']);
    },
  },
];
