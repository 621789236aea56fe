/**
 * The table of commands and how a line finds its command: `verb [object] flags...`. Old
 * milvus_cli forms without the object word (`release -c book`, `load -c book -p novel`) reach the
 * command marked `defaultForVerb`. `drop` is `delete`, `describe` is `show`; plural objects
 * (`list collections`) are accepted.
 */
import { Args, parseFlags, UsageError, type FlagSpec } from './args.js';
import type { Command } from './command.js';
import { aliasCommands } from './commands/aliases.js';
import { analyzerCommands } from './commands/analyzer.js';
import { collectionCommands } from './commands/collections.js';
import { dataCommands } from './commands/data.js';
import { databaseCommands } from './commands/databases.js';
import { functionCommands } from './commands/functions.js';
import { grantCommands } from './commands/grants.js';
import { importCommands } from './commands/import.js';
import { indexCommands } from './commands/indexes.js';
import { insertCommands } from './commands/insert.js';
import { loadCommands } from './commands/load.js';
import { partitionCommands } from './commands/partitions.js';
import { resourceGroupCommands } from './commands/resource-groups.js';
import { sessionCommands } from './commands/session.js';
import { snapshotCommands } from './commands/snapshots.js';
import { userCommands } from './commands/users.js';
import { message } from './output.js';

const VERB_SYNONYMS: Record<string, string> = { drop: 'delete', describe: 'show', quit: 'exit' };
const OBJECT_SYNONYMS: Record<string, string> = {
  databases: 'database', db: 'database', collections: 'collection', partitions: 'partition', indexes: 'index',
  indices: 'index', aliases: 'alias', entity: 'entities', users: 'user', roles: 'role', grants: 'grant',
  privileges: 'privilege', privilege_groups: 'privilege_group', analyzers: 'analyzer',
  functions: 'function', resource_groups: 'resource_group', replicas: 'replica', snapshots: 'snapshot', restore_jobs: 'restore_job', refresh_jobs: 'refresh_job',
};

const helpCommand: Command = {
  verb: 'help', usage: 'help [verb]', summary: 'list commands', flags: [],
  run: async (_ctx, a) => message(helpText(a.positionals[0])),
};

export const COMMANDS: readonly Command[] = [
  ...databaseCommands, ...collectionCommands, ...functionCommands, ...partitionCommands, ...indexCommands, ...aliasCommands,
  ...loadCommands, ...insertCommands, ...importCommands, ...dataCommands, ...analyzerCommands, ...userCommands, ...grantCommands, ...resourceGroupCommands,
  ...snapshotCommands, ...sessionCommands, helpCommand,
];

export const VERBS: readonly string[] = [...new Set([...COMMANDS.map((c) => c.verb), ...Object.keys(VERB_SYNONYMS)])].sort();

export function normalizeVerb(w: string): string {
  const l = w.toLowerCase();
  return VERB_SYNONYMS[l] ?? l;
}

export function normalizeObject(w: string): string {
  const l = w.toLowerCase();
  return OBJECT_SYNONYMS[l] ?? l;
}

/** The objects a verb takes (for completion and messages). */
export function objectsOf(verb: string): string[] {
  return COMMANDS.filter((c) => c.verb === normalizeVerb(verb) && c.object !== undefined).map((c) => c.object ?? '');
}

export interface Resolved { command: Command; args: Args }

export function resolve(tokens: readonly string[]): Resolved {
  const [first, second, ...rest] = tokens;
  if (first === undefined) throw new UsageError('no command');
  const verb = normalizeVerb(first);
  const candidates = COMMANDS.filter((c) => c.verb === verb);
  if (candidates.length === 0) throw new UsageError(`unknown command "${first}" (try: help)`);
  const obj = second !== undefined ? normalizeObject(second) : undefined;
  let command = candidates.find((c) => c.object !== undefined && c.object === obj);
  let argTokens = command !== undefined ? rest : tokens.slice(1);
  if (command === undefined) {
    command = candidates.find((c) => c.object === undefined || c.defaultForVerb === true);
    argTokens = tokens.slice(1);
  }
  if (command === undefined) {
    const objs = candidates.map((c) => c.object).join(', ');
    throw new UsageError(second === undefined ? `"${first}" needs one of: ${objs}` : `unknown "${first} ${second}" (one of: ${objs})`);
  }
  const name = command.object !== undefined ? `${command.verb} ${command.object}` : command.verb;
  return { command, args: new Args(parseFlags(argTokens, command.flags), name) };
}

const MASK = '****';

/**
 * The words of a command line with every secret flag's value (passwords, tokens) masked, for
 * anything that keeps lines (shell history). A line that does not resolve is masked with every
 * command's secret flags, so nothing typed by mistake is kept either.
 */
export function redact(tokens: readonly string[]): string[] {
  let specs: readonly FlagSpec[];
  try {
    specs = resolve(tokens).command.flags;
  } catch {
    specs = COMMANDS.flatMap((c) => c.flags);
  }
  const secret = new Set(specs.filter((f) => f.secret === true).flatMap((f) => f.names));
  const out = [...tokens];
  for (let i = 0; i < out.length; i++) {
    const tok = out[i] ?? '';
    const eq = tok.indexOf('=');
    if (eq > 0 && secret.has(tok.slice(0, eq))) out[i] = `${tok.slice(0, eq)}=${MASK}`;
    else if (secret.has(tok) && i + 1 < out.length) out[++i] = MASK;
  }
  return out;
}

export function helpText(verb?: string): string {
  const wanted = verb === undefined ? COMMANDS : COMMANDS.filter((c) => c.verb === normalizeVerb(verb));
  if (wanted.length === 0) return `unknown command "${verb ?? ''}"`;
  const lines = wanted.map((c) => `  ${c.usage}\n      ${c.summary}`);
  const flags = verb === undefined ? [] : wanted.flatMap((c) => c.flags.map((f) => `      ${f.names.join(', ')}${f.kind === 'bool' ? '' : ' VALUE'}${f.kind === 'multi' ? ' (repeatable)' : ''}: ${f.help}`));
  return [...lines, ...flags].join('\n');
}
