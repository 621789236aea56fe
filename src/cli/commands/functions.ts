/** create / alter / delete function: a collection's functions (Milvus 2.6 Add/Alter/DropCollectionFunction). */
import { functionTypeFromName } from '../../schema/functions.js';
import type { FunctionSchema } from '../../schema/types.js';
import { UsageError, type Args } from '../args.js';
import type { Command } from '../command.js';
import { F } from '../command.js';
import { message } from '../output.js';

const NAME = F.value(['-n', '--name'], 'name', 'function name');
const SPEC_FLAGS = [
  F.collection, NAME, F.value(['-t', '--type'], 'type', 'function type: TextEmbedding, BM25, ... (or its number)'),
  F.multi(['-i', '--input'], 'inputs', 'input field (repeatable, or comma-separated)'),
  F.multi(['-o', '--output'], 'outputs', 'output field (repeatable, or comma-separated)'),
  F.value(['--params'], 'params', 'function params as a JSON object of strings'),
  F.value(['-desc', '--description'], 'description', 'description'),
];

function parseJson(text: string, what: string): unknown {
  try { return JSON.parse(text); } catch (e) { throw new UsageError(`${what}: not valid JSON (${(e as Error).message})`); }
}

function paramsOf(a: Args): Record<string, string> {
  const raw = a.opt('params');
  if (raw === undefined) return {};
  const v = parseJson(raw, '--params');
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UsageError('--params expects a JSON object, e.g. {"provider":"openai"}');
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? x : JSON.stringify(x)]));
}

function functionOf(a: Args, verb: string): FunctionSchema {
  const typeText = a.req('type', '-t TYPE');
  const type = /^\d+$/.test(typeText) ? Number(typeText) : functionTypeFromName(typeText);
  if (type === undefined) throw new UsageError(`${verb} function: unknown function type ${typeText}`);
  return {
    name: a.req('name', '-n NAME'), description: a.opt('description') ?? '', type,
    inputFieldNames: a.list('inputs'), outputFieldNames: a.list('outputs'), params: paramsOf(a),
  };
}

export const functionCommands: Command[] = [
  {
    verb: 'create', object: 'function', usage: 'create function -c COLL -n NAME -t TYPE -i INPUT -o OUTPUT [--params JSON] [-desc TEXT]',
    summary: 'add a function to a collection (its output field must exist)', flags: SPEC_FLAGS,
    run: async (ctx, a) => {
      const c = a.req('collection', '-c COLLECTION');
      const fn = functionOf(a, 'create');
      await ctx.backend.addFunction(c, fn);
      return message(`function ${fn.name} added to ${c}`);
    },
  },
  {
    verb: 'alter', object: 'function', usage: 'alter function -c COLL -n NAME -t TYPE -i INPUT -o OUTPUT [--params JSON] [-desc TEXT]',
    summary: 'replace a function of a collection', flags: SPEC_FLAGS,
    run: async (ctx, a) => {
      const c = a.req('collection', '-c COLLECTION');
      const fn = functionOf(a, 'alter');
      await ctx.backend.alterFunction(c, fn);
      return message(`function ${fn.name} of ${c} altered`);
    },
  },
  {
    verb: 'delete', object: 'function', usage: 'delete function -c COLL -n NAME', summary: 'drop a function of a collection',
    flags: [F.collection, NAME, F.yes],
    run: async (ctx, a) => {
      const c = a.req('collection', '-c COLLECTION');
      const name = a.req('name', '-n NAME');
      await ctx.backend.dropFunction(c, name);
      return message(`function ${name} dropped from ${c}`);
    },
  },
];
