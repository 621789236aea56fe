/**
 * load / release in both milvus_cli forms: `load -c C [-p P ...]` (old) and `load collection -c C`,
 * `load partition -c C -p P` (current); same for release. Plus `show load_state` and
 * `show loading_progress`.
 */
import type { Args } from '../args.js';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { F } from '../command.js';
import type { Context } from '../context.js';
import { message, record } from '../output.js';
import { watch } from '../watch.js';

const REPLICA = F.value(['-r', '--replica'], 'replica', 'replica number (only 1 is supported by Sextant)');

function target(a: Args, partitionsRequired: boolean): { c: string; ps: string[] } {
  const c = a.req('collection', '-c COLLECTION');
  const ps = a.list('partitions');
  if (partitionsRequired && ps.length === 0) throw new UsageError('missing -p PARTITION');
  return { c, ps };
}

const what = (c: string, ps: string[]): string => (ps.length > 0 ? `partition${ps.length > 1 ? 's' : ''} ${ps.join(', ')} of ${c}` : `collection ${c}`);

async function load(ctx: Context, c: string, ps: string[]): Promise<ReturnType<typeof message>> {
  const b = ctx.backend;
  await watch(ctx, 'load', b.load(c, ps), () => b.loadingProgress(c, ps));
  return message(`loaded ${what(c, ps)}`);
}

async function release(ctx: Context, c: string, ps: string[]): Promise<ReturnType<typeof message>> {
  await ctx.backend.release(c, ps);
  return message(`released ${what(c, ps)}`);
}

export const loadCommands: Command[] = [
  {
    verb: 'load', object: 'collection', defaultForVerb: true, usage: 'load [collection] -c COLL [-p PART ...]',
    summary: 'load a collection (or its partitions) for search and query', flags: [F.collection, F.partitions, REPLICA, F.timeout],
    run: async (ctx, a) => { const t = target(a, false); return load(ctx, t.c, t.ps); },
  },
  {
    verb: 'load', object: 'partition', usage: 'load partition -c COLL -p PART [-p PART ...]', summary: 'load partitions',
    flags: [F.collection, F.partitions, REPLICA, F.timeout],
    run: async (ctx, a) => { const t = target(a, true); return load(ctx, t.c, t.ps); },
  },
  {
    verb: 'release', object: 'collection', defaultForVerb: true, usage: 'release [collection] -c COLL [-p PART ...]',
    summary: 'release a collection (or only some partitions)', flags: [F.collection, F.partitions, F.timeout],
    run: async (ctx, a) => { const t = target(a, false); return release(ctx, t.c, t.ps); },
  },
  {
    verb: 'release', object: 'partition', usage: 'release partition -c COLL -p PART [-p PART ...]', summary: 'release partitions',
    flags: [F.collection, F.partitions, F.timeout],
    run: async (ctx, a) => { const t = target(a, true); return release(ctx, t.c, t.ps); },
  },
  {
    verb: 'show', object: 'load_state', usage: 'show load_state -c COLL [-p PART ...]', summary: 'LoadStateLoaded / NotLoad / Loading / NotExist',
    flags: [F.collection, F.partitions],
    run: async (ctx, a) => { const t = target(a, false); return message(await ctx.backend.loadState(t.c, t.ps)); },
  },
  {
    verb: 'show', object: 'loading_progress', usage: 'show loading_progress -c COLL [-p PART ...]', summary: 'load progress in percent',
    flags: [F.collection, F.partitions],
    run: async (ctx, a) => {
      const t = target(a, false);
      return record({ collection: t.c, ...(t.ps.length > 0 ? { partitions: t.ps.join(',') } : {}), loading_progress: `${await ctx.backend.loadingProgress(t.c, t.ps)}%` });
    },
  },
];
