/** connect / disconnect, server_version, version, set/show output, exit. */
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { F } from '../command.js';
import { openBackend } from '../connect.js';
import { message, OUTPUT_FORMATS, type OutputFormat } from '../output.js';

export const CLI_VERSION = '0.1.0';

export function outputFormatOf(v: string): OutputFormat {
  const f = OUTPUT_FORMATS.find((x) => x === v.toLowerCase());
  if (f === undefined) throw new UsageError(`output format must be one of ${OUTPUT_FORMATS.join(', ')}, got "${v}"`);
  return f;
}

export const sessionCommands: Command[] = [
  {
    verb: 'connect', usage: 'connect -uri http://host:19530 [-t user:password] [-d DB]   |   connect --data DIR [-t user:password]',
    summary: 'connect to a server, or open a data directory (-t: act as that user; a server without -t: SEXTANT_TOKEN)',
    flags: [F.value(['-uri', '--uri'], 'uri', 'server address'), F.token,
      F.value(['-d', '-db', '--database'], 'database', 'database'), F.value(['--data'], 'data', 'embedded data directory')],
    run: async (ctx, a) => {
      const uri = a.opt('uri');
      const data = a.opt('data');
      if ((uri === undefined) === (data === undefined)) throw new UsageError('connect: give -uri URI or --data DIR');
      const token = a.opt('token');
      // A data directory is opened by one process at a time: close the current one first.
      if (data !== undefined) await ctx.setBackend(null);
      // A refused connection (bad token, unknown database) leaves the current one in place.
      const b = await openBackend(uri !== undefined
        ? { kind: 'remote', uri, token, database: a.opt('database') }
        : { kind: 'embedded', dataDir: data ?? '', token, database: a.opt('database') });
      await ctx.setBackend(b);
      return message(`connected to ${uri ?? data ?? ''} (${b.mode}, database ${b.database})`);
    },
  },
  {
    verb: 'disconnect', usage: 'disconnect', summary: 'close the connection or data directory', flags: [],
    run: async (ctx) => { await ctx.setBackend(null); return message('disconnected'); },
  },
  {
    verb: 'server_version', usage: 'server_version', summary: 'version of the server (or embedded engine)', flags: [],
    run: async (ctx) => message(await ctx.backend.serverVersion()),
  },
  {
    verb: 'version', usage: 'version', summary: 'version of this CLI', flags: [],
    run: async () => message(`sextant cli ${CLI_VERSION}`),
  },
  {
    verb: 'set', object: 'output', usage: 'set output table|json|csv', summary: 'choose the output format', flags: [],
    run: async (ctx, a) => {
      const v = a.positionals[0];
      if (v === undefined) throw new UsageError('set output: give table, json or csv');
      ctx.output = outputFormatOf(v);
      return message(`output: ${ctx.output}`);
    },
  },
  {
    verb: 'show', object: 'output', usage: 'show output', summary: 'the current output format', flags: [],
    run: async (ctx) => message(ctx.output),
  },
  {
    verb: 'exit', usage: 'exit', summary: 'leave the shell', flags: [],
    run: async (ctx) => { ctx.exitRequested = true; return { kind: 'none' }; },
  },
];
