/** create / list / show / update / delete resource_group, transfer replica (milvus_cli's resource group commands). */
import { UsageError, type Args } from '../args.js';
import type { ResourceGroupNodes } from '../backend.js';
import type { Command } from '../command.js';
import { F } from '../command.js';
import { list, message, record } from '../output.js';

const name = F.value(['-n', '--name'], 'name', 'resource group name');
const requests = F.value(['--requests'], 'requests', 'node_num the group requests');
const limits = F.value(['--limits'], 'limits', 'node_num the group accepts at most');

function count(a: Args, key: string, flag: string): number {
  const text = a.req(key, flag);
  const n = Number(text);
  if (!Number.isInteger(n)) throw new UsageError(`${flag} must be an integer, got ${text}`);
  return n;
}

function nodesOf(a: Args): ResourceGroupNodes | undefined {
  if (a.opt('requests') === undefined && a.opt('limits') === undefined) return undefined;
  return { requests: count(a, 'requests', '--requests N'), limits: count(a, 'limits', '--limits N') };
}

export const resourceGroupCommands: Command[] = [
  {
    verb: 'create', object: 'resource_group', usage: 'create resource_group -n NAME [--requests N --limits N]', summary: 'create a resource group',
    flags: [name, requests, limits],
    run: async (ctx, a) => {
      const n = a.req('name', '-n NAME');
      await ctx.backend.createResourceGroup(n, nodesOf(a));
      return message(`resource group ${n} created`);
    },
  },
  {
    verb: 'list', object: 'resource_group', usage: 'list resource_groups', summary: 'list resource groups', flags: [],
    run: async (ctx) => list('resource_group', await ctx.backend.listResourceGroups()),
  },
  {
    verb: 'show', object: 'resource_group', usage: 'show resource_group -n NAME', summary: 'describe a resource group', flags: [name],
    run: async (ctx, a) => record({ ...(await ctx.backend.describeResourceGroup(a.req('name', '-n NAME'))) }),
  },
  {
    verb: 'update', object: 'resource_group', usage: 'update resource_group -n NAME --requests N --limits N', summary: 'change how many nodes a group requests and accepts',
    flags: [name, requests, limits],
    run: async (ctx, a) => {
      const n = a.req('name', '-n NAME');
      await ctx.backend.updateResourceGroup(n, { requests: count(a, 'requests', '--requests N'), limits: count(a, 'limits', '--limits N') });
      return message(`resource group ${n} updated`);
    },
  },
  {
    verb: 'delete', object: 'resource_group', usage: 'delete resource_group -n NAME', summary: 'drop a resource group', flags: [name, F.yes],
    run: async (ctx, a) => {
      const n = a.req('name', '-n NAME');
      await ctx.backend.dropResourceGroup(n);
      return message(`resource group ${n} dropped`);
    },
  },
  {
    verb: 'transfer', object: 'replica', usage: 'transfer replica -s SOURCE -t TARGET -c COLL [-r N]', summary: 'move replicas of a loaded collection to another group',
    flags: [F.value(['-s', '--source'], 'source', 'source resource group'), F.value(['-t', '--target'], 'target', 'target resource group'),
      F.collection, F.value(['-r', '--num-replica'], 'replicas', 'number of replicas (default 1)')],
    run: async (ctx, a) => {
      const collection = a.req('collection', '-c COLLECTION');
      const replicas = a.opt('replicas') === undefined ? 1 : count(a, 'replicas', '-r N');
      await ctx.backend.transferReplica({ source: a.req('source', '-s SOURCE'), target: a.req('target', '-t TARGET'), collection, replicas });
      return message(`${replicas} replica(s) of ${collection} moved to ${a.req('target', '-t TARGET')}`);
    },
  },
];
