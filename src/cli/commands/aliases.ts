/** create / list / show / delete alias. */
import type { Command } from '../command.js';
import { F } from '../command.js';
import { list, message, record } from '../output.js';

export const aliasCommands: Command[] = [
  {
    verb: 'create', object: 'alias', usage: 'create alias -c COLL -a ALIAS [-A]', summary: 'create an alias (-A: move an existing one)',
    flags: [F.collection, F.alias, F.bool(['-A', '--alter'], 'alter', 'alter an existing alias')],
    run: async (ctx, a) => {
      const c = a.req('collection', '-c COLLECTION');
      const alias = a.req('alias', '-a ALIAS');
      await ctx.backend.createAlias(c, alias, a.flag('alter'));
      return message(`alias ${alias} -> ${c}`);
    },
  },
  {
    verb: 'list', object: 'alias', usage: 'list aliases [-c COLL]', summary: 'list aliases', flags: [F.collection],
    run: async (ctx, a) => list('alias', await ctx.backend.listAliases(a.opt('collection'))),
  },
  {
    verb: 'show', object: 'alias', usage: 'show alias -a ALIAS', summary: 'show the collection behind an alias', flags: [F.alias],
    run: async (ctx, a) => record(await ctx.backend.describeAlias(a.req('alias', '-a ALIAS'))),
  },
  {
    verb: 'delete', object: 'alias', usage: 'delete alias -a ALIAS', summary: 'drop an alias', flags: [F.alias, F.yes],
    run: async (ctx, a) => {
      const alias = a.req('alias', '-a ALIAS');
      await ctx.backend.dropAlias(alias);
      return message(`alias ${alias} dropped`);
    },
  },
];
