/**
 * Snapshots (create / list / show / delete / restore / pin / unpin snapshot, list / show restore_job)
 * and external collection refreshes (refresh collection, list / show refresh_job). A refresh waits
 * for its job to finish, as `import` does; restores complete inside their call.
 */
import { UsageError, type Args } from '../args.js';
import type { JobSummary } from '../backend.js';
import { sleep } from '../backend.js';
import type { Command } from '../command.js';
import { F } from '../command.js';
import type { Context } from '../context.js';
import { list, message, record, tableOfRows } from '../output.js';

const POLL_MS = 100;
/** A refresh is waited for at most this many polls (~1 hour), then left running with its id printed. */
const MAX_POLLS = 36_000;

const name = F.value(['-n', '--name', '--snapshot'], 'name', 'snapshot name');
const job = F.value(['-j', '--job', '--job-id'], 'job', 'job id');

function idOf(a: Args, key: string, flag: string): string {
  const v = a.req(key, flag);
  if (!/^\d{1,19}$/.test(v)) throw new UsageError(`${flag} expects a positive integer id, got "${v}"`);
  return v;
}

const jobRows = (jobs: readonly JobSummary[]) => tableOfRows(jobs.map((j) => ({ ...j })), ['jobId', 'collection', 'state']);

async function refresh(ctx: Context, a: Args): Promise<ReturnType<typeof message>> {
  const collection = a.req('collection', '-c COLLECTION');
  const jobId = await ctx.backend.refreshExternalCollection(collection, a.opt('source'), a.opt('spec'));
  for (let i = 0; i < MAX_POLLS; i++) {
    const j = await ctx.backend.refreshJob(jobId);
    if (j.state === 'Completed') return message(`refreshed ${collection} from its external source (job ${jobId})`);
    if (j.state === 'Failed') throw new UsageError(`refresh job ${jobId} failed: ${j.reason}`);
    await sleep(POLL_MS);
  }
  return message(`refresh job ${jobId} of ${collection} is still running`);
}

export const snapshotCommands: Command[] = [
  {
    verb: 'create', object: 'snapshot', usage: 'create snapshot -c COLL -n NAME [--description TEXT]', summary: 'flush a collection and record it as a snapshot',
    flags: [F.collection, name, F.value(['--description'], 'description', 'snapshot description')],
    run: async (ctx, a) => {
      const n = a.req('name', '-n NAME');
      await ctx.backend.createSnapshot(a.req('collection', '-c COLLECTION'), n, a.opt('description') ?? '');
      return message(`snapshot ${n} created`);
    },
  },
  {
    verb: 'list', object: 'snapshot', usage: 'list snapshots -c COLL', summary: 'list the snapshots of a collection', flags: [F.collection],
    run: async (ctx, a) => list('snapshot', await ctx.backend.listSnapshots(a.req('collection', '-c COLLECTION'))),
  },
  {
    verb: 'show', object: 'snapshot', usage: 'show snapshot -c COLL -n NAME', summary: 'describe a snapshot', flags: [F.collection, name],
    run: async (ctx, a) => record({ ...(await ctx.backend.describeSnapshot(a.req('collection', '-c COLLECTION'), a.req('name', '-n NAME'))) }),
  },
  {
    verb: 'delete', object: 'snapshot', usage: 'delete snapshot -c COLL -n NAME', summary: 'drop a snapshot (refused while pinned)', flags: [F.collection, name, F.yes],
    run: async (ctx, a) => {
      const n = a.req('name', '-n NAME');
      await ctx.backend.dropSnapshot(a.req('collection', '-c COLLECTION'), n);
      return message(`snapshot ${n} dropped`);
    },
  },
  {
    verb: 'restore', object: 'snapshot', usage: 'restore snapshot -c COLL -n NAME --target NEW_COLL [--target-db DB]', summary: 'restore a snapshot into a new collection',
    flags: [F.collection, name, F.value(['--target', '--target-collection'], 'target', 'new collection name'), F.value(['--target-db'], 'targetDb', 'database of the new collection')],
    run: async (ctx, a) => {
      const target = a.req('target', '--target NEW_COLL');
      const jobId = await ctx.backend.restoreSnapshot(a.req('collection', '-c COLLECTION'), a.req('name', '-n NAME'), target, a.opt('targetDb'));
      const j = await ctx.backend.restoreJob(jobId);
      if (j.state === 'Failed') throw new UsageError(`restore job ${jobId} failed: ${j.reason}`);
      return message(`snapshot restored into ${target} (job ${jobId})`);
    },
  },
  {
    verb: 'pin', object: 'snapshot', usage: 'pin snapshot -c COLL -n NAME --ttl SECONDS', summary: 'keep a snapshot from being dropped for a while (survives restarts)',
    flags: [F.collection, name, F.value(['--ttl', '--ttl-seconds'], 'ttl', 'seconds the pin lasts')],
    run: async (ctx, a) => {
      const ttl = a.int('ttl', '--ttl SECONDS');
      if (ttl === undefined) throw new UsageError('pin snapshot: missing --ttl SECONDS');
      return record({ pinId: await ctx.backend.pinSnapshot(a.req('collection', '-c COLLECTION'), a.req('name', '-n NAME'), ttl) });
    },
  },
  {
    verb: 'unpin', object: 'snapshot', usage: 'unpin snapshot --pin ID', summary: 'release a snapshot pin', flags: [F.value(['--pin', '--pin-id'], 'pin', 'pin id')],
    run: async (ctx, a) => {
      const pin = idOf(a, 'pin', '--pin ID');
      await ctx.backend.unpinSnapshot(pin);
      return message(`pin ${pin} released`);
    },
  },
  {
    verb: 'list', object: 'restore_job', usage: 'list restore_jobs [-c COLL]', summary: 'list snapshot restore jobs', flags: [F.collection],
    run: async (ctx, a) => jobRows(await ctx.backend.restoreJobs(a.opt('collection'))),
  },
  {
    verb: 'show', object: 'restore_job', usage: 'show restore_job -j ID', summary: 'show a snapshot restore job', flags: [job],
    run: async (ctx, a) => record({ ...(await ctx.backend.restoreJob(idOf(a, 'job', '-j ID'))) }),
  },
  {
    verb: 'refresh', object: 'collection', usage: 'refresh collection -c COLL [--source URI] [--spec JSON]', summary: 'reload an external collection from its source',
    flags: [F.collection, F.value(['--source', '--external-source'], 'source', 'external source for this refresh'), F.value(['--spec', '--external-spec'], 'spec', 'external spec (JSON) for this refresh')],
    run: refresh,
  },
  {
    verb: 'list', object: 'refresh_job', usage: 'list refresh_jobs [-c COLL]', summary: 'list external collection refresh jobs', flags: [F.collection],
    run: async (ctx, a) => jobRows(await ctx.backend.refreshJobs(a.opt('collection'))),
  },
  {
    verb: 'show', object: 'refresh_job', usage: 'show refresh_job -j ID', summary: 'show an external collection refresh job', flags: [job],
    run: async (ctx, a) => record({ ...(await ctx.backend.refreshJob(idOf(a, 'job', '-j ID'))) }),
  },
];
