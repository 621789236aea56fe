/** The shape of one CLI command, and the flag specs most commands share. */
import type { Args, FlagSpec } from './args.js';
import type { Context } from './context.js';
import type { Output } from './output.js';

export interface Command {
  /** Canonical verb and object, e.g. `release` + `collection`; object absent for `query`, `flush`, ... */
  verb: string;
  object?: string;
  /** The old milvus_cli form: `release -c book -p novel` reaches this command with no object word. */
  defaultForVerb?: boolean;
  usage: string;
  summary: string;
  flags: FlagSpec[];
  run(ctx: Context, a: Args): Promise<Output>;
}

const v = (names: string[], key: string, help: string): FlagSpec => ({ names, key, kind: 'value', help });
const m = (names: string[], key: string, help: string): FlagSpec => ({ names, key, kind: 'multi', help });
const b = (names: string[], key: string, help: string): FlagSpec => ({ names, key, kind: 'bool', help });
const s = (names: string[], key: string, help: string): FlagSpec => ({ names, key, kind: 'value', help, secret: true });

export const F = {
  collection: v(['-c', '--collection', '--collection-name'], 'collection', 'collection name'),
  partitions: m(['-p', '--partition', '--partitions'], 'partitions', 'partition name (repeatable, or comma-separated)'),
  partition: v(['-p', '--partition'], 'partition', 'partition name'),
  database: v(['-db', '--database', '-d'], 'database', 'database name'),
  indexName: v(['-in', '--index-name'], 'indexName', 'index name'),
  alias: v(['-a', '--alias'], 'alias', 'alias name'),
  expr: v(['-e', '--expr', '--filter'], 'expr', 'filter expression'),
  output: v(['-o', '--output-fields'], 'outputFields', 'output fields, comma-separated'),
  limit: v(['-l', '--limit'], 'limit', 'maximum rows'),
  yes: b(['-y', '--yes'], 'yes', 'do not ask for confirmation'),
  timeout: v(['-t', '--timeout'], 'timeout', 'ignored (accepted for milvus_cli compatibility)'),
  token: s(['-t', '--token'], 'token', 'user:password (never echoed; kept out of history)'),
  value: v,
  multi: m,
  bool: b,
  secret: s,
};
