/** create / list / show / delete index, show index_progress. */
import { UsageError } from '../args.js';
import type { Args } from '../args.js';
import type { Command } from '../command.js';
import { F } from '../command.js';
import { list, message, record, table } from '../output.js';
import { watch } from '../watch.js';

const FIELD = F.value(['-f', '--field'], 'field', 'vector (or scalar) field to index');
const TYPE = F.value(['-t', '--index-type'], 'indexType', 'index type, e.g. FLAT, AUTOINDEX, HNSW');
const METRIC = F.value(['-m', '--metric'], 'metric', 'metric type: L2, IP, COSINE, HAMMING, JACCARD');
const PARAM = F.multi(['--param', '-P'], 'param', 'build parameter k=v (repeatable)');

function indexParams(a: Args): Record<string, string> {
  const params: Record<string, string> = {};
  const t = a.opt('indexType');
  const m = a.opt('metric');
  if (t !== undefined) params['index_type'] = t.toUpperCase();
  if (m !== undefined) params['metric_type'] = m.toUpperCase();
  for (const kv of a.raw('param')) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param expects k=v, got "${kv}"`);
    params[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return params;
}

export const indexCommands: Command[] = [
  {
    verb: 'create', object: 'index', usage: 'create index -c COLL -f FIELD [-in NAME] -t TYPE -m METRIC [--param k=v ...]',
    summary: 'build an index (waits, with progress)', flags: [F.collection, FIELD, F.indexName, TYPE, METRIC, PARAM],
    run: async (ctx, a) => {
      const c = a.req('collection', '-c COLLECTION');
      const field = a.req('field', '-f FIELD');
      const name = a.opt('indexName');
      const b = ctx.backend;
      await watch(ctx, 'index', b.createIndex(c, field, name, indexParams(a)), async () => {
        const ix = (await b.describeIndexes(c, name)).find((d) => d.fieldName === field);
        if (ix === undefined || ix.totalRows === 0 || ix.state === 'Finished') return 100;
        return Math.floor((100 * ix.indexedRows) / ix.totalRows);
      });
      return message(`index created on ${c}.${field}`);
    },
  },
  {
    verb: 'list', object: 'index', usage: 'list indexes -c COLL', summary: 'list the indexes of a collection', flags: [F.collection],
    run: async (ctx, a) => list('index', (await ctx.backend.describeIndexes(a.req('collection', '-c COLLECTION'))).map((d) => d.indexName)),
  },
  {
    verb: 'show', object: 'index', usage: 'show index -c COLL [-in NAME]', summary: 'describe indexes', flags: [F.collection, F.indexName],
    run: async (ctx, a) => {
      const ix = await ctx.backend.describeIndexes(a.req('collection', '-c COLLECTION'), a.opt('indexName'));
      return table(['index_name', 'field', 'index_type', 'metric_type', 'params', 'indexed_rows', 'total_rows', 'state'],
        ix.map((d) => [d.indexName, d.fieldName, d.indexType, d.metricType, d.params, d.indexedRows, d.totalRows, d.state]));
    },
  },
  {
    verb: 'delete', object: 'index', usage: 'delete index -c COLL -in NAME', summary: 'drop an index',
    flags: [F.collection, F.indexName, F.yes],
    run: async (ctx, a) => {
      const c = a.req('collection', '-c COLLECTION');
      const name = a.req('indexName', '-in INDEX_NAME');
      await ctx.backend.dropIndex(c, name);
      return message(`index ${name} dropped from ${c}`);
    },
  },
  {
    verb: 'show', object: 'index_progress', usage: 'show index_progress -c COLL [-in NAME]', summary: 'indexed rows of total rows',
    flags: [F.collection, F.indexName, F.value(['-i'], 'indexName2', 'index name (old form)')],
    run: async (ctx, a) => {
      const ix = await ctx.backend.describeIndexes(a.req('collection', '-c COLLECTION'), a.opt('indexName') ?? a.opt('indexName2'));
      return table(['index_name', 'indexed_rows', 'total_rows', 'state'], ix.map((d) => [d.indexName, d.indexedRows, d.totalRows, d.state]));
    },
  },
];
