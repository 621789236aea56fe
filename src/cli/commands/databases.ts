/** create / list / show / delete / use database. */
import type { Command } from '../command.js';
import { F } from '../command.js';
import { list, message, record } from '../output.js';

export const databaseCommands: Command[] = [
  {
    verb: 'create', object: 'database', usage: 'create database -db NAME', summary: 'create a database', flags: [F.database],
    run: async (ctx, a) => {
      const name = a.req('database', '-db NAME');
      await ctx.backend.createDatabase(name);
      return message(`database ${name} created`);
    },
  },
  {
    verb: 'list', object: 'database', usage: 'list databases', summary: 'list databases', flags: [],
    run: async (ctx) => list('database', await ctx.backend.listDatabases()),
  },
  {
    verb: 'show', object: 'database', usage: 'show database [-db NAME]', summary: 'describe a database', flags: [F.database],
    run: async (ctx, a) => {
      const d = await ctx.backend.describeDatabase(a.opt('database') ?? ctx.backend.database);
      return record({ name: d.name, id: d.id, properties: d.properties });
    },
  },
  {
    verb: 'delete', object: 'database', usage: 'delete database -db NAME', summary: 'drop a database', flags: [F.database, F.yes],
    run: async (ctx, a) => {
      const name = a.req('database', '-db NAME');
      await ctx.backend.dropDatabase(name);
      return message(`database ${name} dropped`);
    },
  },
  {
    verb: 'use', object: 'database', defaultForVerb: true, usage: 'use database -db NAME', summary: 'switch the current database',
    flags: [F.database],
    run: async (ctx, a) => {
      const name = a.req('database', '-db NAME');
      await ctx.backend.useDatabase(name);
      return message(`using database ${name}`);
    },
  },
];
