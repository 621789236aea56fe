/**
 * insert / upsert from a file, in batches. Each batch is converted and validated whole
 * (`rowsToBatch`) before it is sent, so a bad row stops the command with nothing of its batch
 * written. Ctrl-C stops between batches. Progress: bytes (or Parquet rows) read, rows/s, ETA.
 */
import { rowsToBatch } from '../../schema/rows.js';
import { UsageError, type Args } from '../args.js';
import type { Row } from '../backend.js';
import { Cancelled } from '../cancel.js';
import type { Command } from '../command.js';
import { F } from '../command.js';
import type { Context } from '../context.js';
import { locateBatchError } from '../files/convert.js';
import { openRows } from '../files/source.js';
import { message, type Output } from '../output.js';
import { Progress } from '../progress.js';

const DEFAULT_BATCH_ROWS = 1000;
const FLAGS = [F.collection, F.partition, F.value(['-f', '--file', '-t'], 'file', 'CSV, JSON lines or Parquet file'),
  F.value(['-b', '--batch-size'], 'batch', `rows per request (default ${DEFAULT_BATCH_ROWS})`)];

/** Thrown when Ctrl-C stopped an insert; says how much was written. */
export class InsertCancelled extends Cancelled {
  constructor(readonly rows: number) {
    super();
    this.message = `cancelled after ${rows} rows (whole batches only)`;
  }
}

function fileOf(a: Args): string {
  const f = a.opt('file') ?? a.positionals[0];
  if (f === undefined) throw new UsageError('missing -f FILE');
  return f;
}

async function writeFile(ctx: Context, a: Args, isUpsert: boolean): Promise<Output> {
  const b = ctx.backend;
  const collection = a.req('collection', '-c COLLECTION');
  const partition = a.opt('partition');
  const batchRows = a.int('batch', '-b', DEFAULT_BATCH_ROWS) ?? DEFAULT_BATCH_ROWS;
  if (batchRows < 1) throw new UsageError('-b must be at least 1');
  const { schema } = await b.describeCollection(collection);
  const src = await openRows(fileOf(a), schema);
  const verb = isUpsert ? 'upsert' : 'insert';
  const bar = new Progress(verb, src.total, 'rows', ctx.tty);
  let written = 0;
  let rows: Row[] = [];
  let lines: number[] = [];
  const send = async (): Promise<void> => {
    if (ctx.cancel.isCancelled) throw new InsertCancelled(written);
    let batch;
    try {
      batch = rowsToBatch(schema, rows, { isUpsert });
    } catch (e) {
      throw locateBatchError(e, src.name, lines, src.unit);
    }
    const data = { collection, partition, rows, batch };
    written += isUpsert ? await b.upsert(data) : await b.insert(data);
    rows = [];
    lines = [];
    bar.update(src.done(), written);
  };
  try {
    for await (const r of src.rows()) {
      rows.push(r.row);
      lines.push(r.line);
      if (rows.length >= batchRows) await send();
    }
    if (rows.length > 0) await send();
  } catch (e) {
    bar.abort();
    if (written > 0 && !(e instanceof Cancelled) && e instanceof Error) e.message += ` (${written} rows of earlier batches were written)`;
    throw e;
  }
  bar.finish(src.total, written);
  return message(`${verb}ed ${written} rows into ${collection}${partition !== undefined ? `/${partition}` : ''}`);
}

export const insertCommands: Command[] = [
  {
    verb: 'insert', object: 'file', defaultForVerb: true, usage: 'insert [file] -c COLL [-p PART] -f rows.csv|rows.jsonl|rows.parquet [-b N]',
    summary: 'insert rows from a file', flags: FLAGS, run: async (ctx, a) => writeFile(ctx, a, false),
  },
  {
    verb: 'upsert', object: 'file', defaultForVerb: true, usage: 'upsert [file] -c COLL [-p PART] -f FILE [-b N]',
    summary: 'upsert rows from a file (primary keys required)', flags: FLAGS, run: async (ctx, a) => writeFile(ctx, a, true),
  },
];
