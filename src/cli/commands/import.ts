/**
 * `import -c COLL [-p PART] -f FILE [-f FILE ...] [--sep ,] [--nullkey X]`: Milvus bulk import
 * (the service's Import job: Parquet, row-based JSON, CSV, or .npy column files, all rows or
 * none), waiting for the job to finish. On a data directory, local paths are resolved from the
 * current folder; on a server, paths are the server's (its --import-root or bucket keys).
 * Several .npy files make one group (one file per field); a folder ending in `/` is one group.
 */
import * as path from 'node:path';
import type { Args } from '../args.js';
import { UsageError } from '../args.js';
import { sleep } from '../backend.js';
import type { Command } from '../command.js';
import { F } from '../command.js';
import type { Context } from '../context.js';
import { message } from '../output.js';

const POLL_MS = 100;
const FLAGS = [F.collection, F.partition, F.multi(['-f', '--file'], 'files', 'file to import (repeatable)'),
  F.value(['--sep'], 'sep', 'CSV separator (default ,)'), F.value(['--nullkey'], 'nullkey', 'CSV text that means NULL (default empty)')];

function groupsOf(ctx: Context, files: string[]): string[][] {
  const local = ctx.backend.mode === 'embedded';
  const named = files.map((f) => (local ? path.resolve(f) + (f.endsWith('/') ? '/' : '') : f));
  if (named.length > 0 && named.every((f) => f.toLowerCase().endsWith('.npy'))) return [named];
  return named.map((f) => [f]);
}

async function runImport(ctx: Context, a: Args): Promise<ReturnType<typeof message>> {
  const collection = a.req('collection', '-c COLLECTION');
  const files = a.list('files');
  if (files.length === 0) throw new UsageError('missing -f FILE');
  const options: Record<string, string> = {};
  const sep = a.opt('sep');
  const nullkey = a.opt('nullkey');
  if (sep !== undefined) options['sep'] = sep;
  if (nullkey !== undefined) options['nullkey'] = nullkey;
  const jobId = await ctx.backend.startImport(collection, a.opt('partition'), groupsOf(ctx, files), options);
  for (;;) {
    const s = await ctx.backend.importState(jobId);
    if (s.state === 'Completed') return message(`imported ${s.rows} rows into ${collection} (job ${jobId})`);
    if (s.state === 'Failed') throw new UsageError(`import job ${jobId} failed: ${s.reason}`);
    await sleep(POLL_MS);
  }
}

export const importCommands: Command[] = [
  {
    verb: 'import', usage: 'import -c COLL [-p PART] -f FILE [-f FILE ...] [--sep ,] [--nullkey X]',
    summary: 'bulk import Parquet, JSON, CSV or .npy files (one job: all rows or none)', flags: FLAGS, run: runImport,
  },
];
