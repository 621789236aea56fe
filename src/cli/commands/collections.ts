/** create / list / show / delete / rename collection, show collection_stats, flush, compact. */
import { readFile } from 'node:fs/promises';
import { dataTypeName } from '../../core/enums.js';
import type { FieldSchema } from '../../schema/types.js';
import { UsageError, type Args } from '../args.js';
import type { CollectionSpec } from '../backend.js';
import type { Command } from '../command.js';
import { F } from '../command.js';
import { list, message, record, table, type Output } from '../output.js';
import { parseFieldFlag, parseSchemaJson } from '../schema-spec.js';

const FIELDS = F.multi(['-f', '--field'], 'fields', 'field name:TYPE[:N][:option...] (repeatable), or a schema .json file');
const SCHEMA_FILE = F.value(['--schema-file', '-sf'], 'schemaFile', 'JSON schema file');

async function specOf(a: Args): Promise<CollectionSpec> {
  const fieldArgs = a.raw('fields');
  const file = a.opt('schemaFile') ?? (fieldArgs.length === 1 && !(fieldArgs[0] ?? '').includes(':') ? fieldArgs[0] : undefined);
  const spec: CollectionSpec = { name: a.opt('collection') ?? '', fields: [] };
  if (file !== undefined) {
    const s = parseSchemaJson(await readFile(file, 'utf8').catch((e: Error) => { throw new UsageError(`cannot read ${file}: ${e.message}`); }), file);
    spec.fields = s.fields;
    if (spec.name === '' && s.name !== undefined) spec.name = s.name;
    if (s.description !== undefined) spec.description = s.description;
    if (s.enableDynamicField === true) spec.enableDynamicField = true;
    if (s.externalSource !== undefined) spec.externalSource = s.externalSource;
    if (s.externalSpec !== undefined) spec.externalSpec = s.externalSpec;
  } else {
    spec.fields = fieldArgs.map(parseFieldFlag);
  }
  if (spec.name === '') throw new UsageError('create collection: missing -c COLLECTION');
  if (spec.fields.length === 0) throw new UsageError('create collection: give fields with -f name:TYPE[:N][:option...] or a schema file');
  const primary = a.opt('primary');
  for (const f of spec.fields) {
    if (primary !== undefined && f.name === primary) f.isPrimaryKey = true;
    if (a.flag('autoId') && f.isPrimaryKey === true) f.autoId = true;
  }
  const desc = a.opt('description'); if (desc !== undefined) spec.description = desc;
  if (a.flag('dynamic')) spec.enableDynamicField = true;
  const shards = a.int('shards', '-s'); if (shards !== undefined) spec.shardsNum = shards;
  const level = a.opt('level'); if (level !== undefined) spec.consistencyLevel = level;
  const source = a.opt('externalSource'); if (source !== undefined) spec.externalSource = source;
  const extSpec = a.opt('externalSpec'); if (extSpec !== undefined) spec.externalSpec = extSpec;
  if (spec.externalSpec !== undefined && spec.externalSource === undefined) throw new UsageError('create collection: --external-spec needs --external-source');
  return spec;
}

function fieldRow(f: FieldSchema): unknown[] {
  const flags = [f.isPrimaryKey ? 'primary' : '', f.autoId ? 'auto_id' : '', f.nullable ? 'nullable' : '', f.isPartitionKey ? 'partition_key' : '',
    f.externalField !== undefined ? `external=${f.externalField}` : '']
    .filter((x) => x !== '').join(' ');
  const params = f.dim !== null ? `dim=${f.dim}` : f.maxLength !== null ? `max_length=${f.maxLength}` : '';
  const elem = f.elementType !== null ? `<${dataTypeName(f.elementType) ?? f.elementType}>` : '';
  return [f.name, `${dataTypeName(f.dataType) ?? f.dataType}${elem}`, params, flags, f.defaultValue ?? '', f.description];
}

async function describe(ctx: Parameters<Command['run']>[0], a: Args): Promise<Output> {
  const d = await ctx.backend.describeCollection(a.req('collection', '-c COLLECTION'));
  if (ctx.output === 'json') {
    return record({ name: d.name, id: d.id, aliases: d.aliases, consistency_level: d.consistencyLevel, shards: d.shardsNum,
      enable_dynamic_field: d.schema.enableDynamicField, properties: d.properties,
      ...(d.schema.externalSource !== undefined ? { external_source: d.schema.externalSource, external_spec: d.schema.externalSpec ?? '' } : {}),
      fields: d.schema.fields.filter((f) => !f.isDynamic).map((f) => Object.fromEntries(['name', 'type', 'params', 'flags', 'default', 'description'].map((k, i) => [k, fieldRow(f)[i]]))) });
  }
  return table(['field', 'type', 'params', 'flags', 'default', 'description'], d.schema.fields.filter((f) => !f.isDynamic).map(fieldRow));
}

export const collectionCommands: Command[] = [
  {
    verb: 'create', object: 'collection',
    usage: 'create collection -c NAME -f id:INT64:primary -f vec:FLOAT_VECTOR:128 [-a] [-d] [--external-source SRC [--external-spec JSON]] | -f schema.json',
    summary: 'create a collection from field flags or a JSON schema file',
    flags: [F.collection, FIELDS, SCHEMA_FILE, F.value(['-p', '--primary'], 'primary', 'primary field name'),
      F.bool(['-a', '--auto-id'], 'autoId', 'auto id for the primary field'), F.bool(['-d', '--dynamic'], 'dynamic', 'enable the dynamic field'),
      F.value(['-desc', '--description'], 'description', 'description'), F.value(['-level', '--consistency-level'], 'level', 'consistency level'),
      F.value(['-s', '--shards'], 'shards', 'shard number'),
      F.value(['--external-source'], 'externalSource', 'external collection: folder, .parquet file or s3://bucket/prefix/ its rows are read from'),
      F.value(['--external-spec'], 'externalSpec', 'external collection: how to read the source, JSON ({"format":"parquet","extfs":{...}})')],
    run: async (ctx, a) => {
      const spec = await specOf(a);
      await ctx.backend.createCollection(spec);
      return message(`collection ${spec.name} created`);
    },
  },
  {
    verb: 'list', object: 'collection', usage: 'list collections', summary: 'list collections of the current database', flags: [],
    run: async (ctx) => list('collection', await ctx.backend.listCollections()),
  },
  {
    verb: 'show', object: 'collection', usage: 'show collection -c NAME   (also: describe collection -c NAME)', summary: 'describe a collection',
    flags: [F.collection], run: describe,
  },
  {
    verb: 'delete', object: 'collection', usage: 'delete collection -c NAME', summary: 'drop a collection', flags: [F.collection, F.yes],
    run: async (ctx, a) => {
      const c = a.req('collection', '-c COLLECTION');
      await ctx.backend.dropCollection(c);
      return message(`collection ${c} dropped`);
    },
  },
  {
    verb: 'rename', object: 'collection', defaultForVerb: true, usage: 'rename collection -old NAME -new NAME', summary: 'rename a collection',
    flags: [F.value(['-old', '-c', '--old'], 'old', 'current name'), F.value(['-new', '-n', '--new'], 'new', 'new name')],
    run: async (ctx, a) => {
      const oldName = a.req('old', '-old NAME');
      const newName = a.req('new', '-new NAME');
      await ctx.backend.renameCollection(oldName, newName);
      return message(`collection ${oldName} renamed to ${newName}`);
    },
  },
  {
    verb: 'show', object: 'collection_stats', usage: 'show collection_stats -c NAME', summary: 'row count', flags: [F.collection],
    run: async (ctx, a) => {
      const c = a.req('collection', '-c COLLECTION');
      return record({ collection: c, row_count: await ctx.backend.collectionRowCount(c) });
    },
  },
  {
    verb: 'flush', usage: 'flush -c NAME', summary: 'seal growing data into segment files', flags: [F.collection, F.timeout],
    run: async (ctx, a) => {
      const c = a.req('collection', '-c COLLECTION');
      await ctx.backend.flush(c);
      return message(`flushed ${c}`);
    },
  },
  {
    verb: 'compact', usage: 'compact -c NAME', summary: 'compact segments (drop deleted rows)', flags: [F.collection, F.timeout],
    run: async (ctx, a) => {
      const c = a.req('collection', '-c COLLECTION');
      return message(`compaction ${await ctx.backend.compact(c)} of ${c} done`);
    },
  },
];
