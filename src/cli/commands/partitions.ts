/** create / list / show / delete partition. */
import type { Command } from '../command.js';
import { F } from '../command.js';
import { list, message, record } from '../output.js';

export const partitionCommands: Command[] = [
  {
    verb: 'create', object: 'partition', usage: 'create partition -c COLL -p PART', summary: 'create a partition',
    flags: [F.collection, F.partition, F.value(['-d', '--description'], 'description', 'ignored')],
    run: async (ctx, a) => {
      const c = a.req('collection', '-c COLLECTION');
      const p = a.req('partition', '-p PARTITION');
      await ctx.backend.createPartition(c, p);
      return message(`partition ${p} created in ${c}`);
    },
  },
  {
    verb: 'list', object: 'partition', usage: 'list partitions -c COLL', summary: 'list the partitions of a collection', flags: [F.collection],
    run: async (ctx, a) => list('partition', await ctx.backend.listPartitions(a.req('collection', '-c COLLECTION'))),
  },
  {
    verb: 'show', object: 'partition', usage: 'show partition -c COLL -p PART', summary: 'describe a partition (row count, load state)',
    flags: [F.collection, F.partition],
    run: async (ctx, a) => {
      const c = a.req('collection', '-c COLLECTION');
      const p = a.req('partition', '-p PARTITION');
      const rows = await ctx.backend.partitionRowCount(c, p);
      return record({ collection: c, partition: p, row_count: rows, load_state: await ctx.backend.loadState(c, [p]) });
    },
  },
  {
    verb: 'delete', object: 'partition', usage: 'delete partition -c COLL -p PART', summary: 'drop a partition',
    flags: [F.collection, F.partition, F.yes],
    run: async (ctx, a) => {
      const c = a.req('collection', '-c COLLECTION');
      const p = a.req('partition', '-p PARTITION');
      await ctx.backend.dropPartition(c, p);
      return message(`partition ${p} dropped from ${c}`);
    },
  },
];
