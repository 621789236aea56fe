/**
 * Privileges and privilege groups, milvus_cli style. `grant privilege` / `revoke privilege` take
 * the answers milvus_cli prompts for as flags: `-r ROLE -t TYPE -o NAME -p PRIVILEGE [-db DB]`
 * (OperatePrivilege: object type Global, Collection or User), or `-r ROLE -p PRIVILEGE -c
 * COLLECTION [-db DB]` (OperatePrivilegeV2: `*` for every collection or database, and built-in or
 * custom privilege groups). The service validates names, types and levels.
 */
import { UsageError, type Args } from '../args.js';
import type { GrantEntry, PrivilegeSpec } from '../backend.js';
import type { Command } from '../command.js';
import { F } from '../command.js';
import type { Context } from '../context.js';
import { message, table, type Output } from '../output.js';
import { ROLE } from './users.js';

const OBJECT_TYPE = F.value(['-t', '--objectType', '--object-type'], 'objectType', 'object type: Global, Collection or User (v1 grant)');
const OBJECT_NAME = F.value(['-o', '--objectName', '--object-name'], 'objectName', 'object name (`*` for all)');
const PRIVILEGE = F.value(['-p', '--privilege'], 'privilege', 'privilege or privilege group, e.g. Search, CollectionReadOnly');
const COLLECTION = F.value(['-c', '--collection', '--collection-name'], 'collection', 'collection name, `*` for all (v2 grant)');
const GROUP = F.value(['-n', '--name'], 'group', 'privilege group name');
const PRIVILEGES = F.multi(['-p', '--privileges'], 'privileges', 'privileges, comma-separated (repeatable)');

const GRANT_COLUMNS = ['role', 'object_type', 'object_name', 'db', 'privilege', 'grantor'];
const grantTable = (grants: readonly GrantEntry[]): Output =>
  table(GRANT_COLUMNS, grants.map((g) => [g.role, g.objectType, g.objectName, g.dbName, g.privilege, g.grantor]));

function privilegeSpec(ctx: Context, a: Args, type: PrivilegeSpec['type']): PrivilegeSpec {
  const cmd = `${type.toLowerCase()} privilege`;
  const roleName = a.req('role', '-r ROLE');
  const privilege = a.req('privilege', '-p PRIVILEGE');
  const objectType = a.opt('objectType');
  const collection = a.opt('collection');
  const dbName = a.opt('database') ?? ctx.backend.database;
  if (objectType !== undefined && collection !== undefined) throw new UsageError(`${cmd}: give -t TYPE -o NAME or -c COLLECTION, not both`);
  if (objectType !== undefined) return { type, roleName, privilege, objectType, objectName: a.req('objectName', '-o NAME'), dbName };
  if (collection === undefined) throw new UsageError(`${cmd}: give -t TYPE -o NAME (object) or -c COLLECTION (v2, \`*\` for all)`);
  return { type, roleName, privilege, objectName: collection, dbName };
}

function describe(p: PrivilegeSpec): string {
  const on = p.objectType !== undefined ? `${p.objectType} ${p.objectName}` : `collection ${p.objectName}`;
  return `${p.privilege} on ${on} in database ${p.dbName ?? ''}`;
}

const operate = (type: PrivilegeSpec['type']): Command => ({
  verb: type.toLowerCase(), object: 'privilege',
  usage: `${type.toLowerCase()} privilege -r ROLE -p PRIVILEGE (-t TYPE -o NAME | -c COLLECTION) [-db DB]`,
  summary: type === 'Grant' ? 'grant a role a privilege (or privilege group)' : 'revoke a privilege (or privilege group) from a role',
  flags: [ROLE, PRIVILEGE, OBJECT_TYPE, OBJECT_NAME, COLLECTION, F.database],
  run: async (ctx, a) => {
    const spec = privilegeSpec(ctx, a, type);
    await ctx.backend.operatePrivilege(spec);
    return message(type === 'Grant' ? `granted ${describe(spec)} to role ${spec.roleName}` : `revoked ${describe(spec)} from role ${spec.roleName}`);
  },
});

const operateGroup = (add: boolean): Command => ({
  verb: add ? 'grant' : 'revoke', object: 'privilege_group',
  usage: `${add ? 'grant' : 'revoke'} privilege_group -n GROUP -p PRIVILEGE[,PRIVILEGE...]`,
  summary: add ? 'add privileges to a privilege group' : 'remove privileges from a privilege group',
  flags: [GROUP, PRIVILEGES],
  run: async (ctx, a) => {
    const group = a.req('group', '-n GROUP');
    const privileges = a.list('privileges');
    if (privileges.length === 0) throw new UsageError(`${add ? 'grant' : 'revoke'} privilege_group: missing -p PRIVILEGE[,PRIVILEGE...]`);
    await ctx.backend.operatePrivilegeGroup(group, privileges, add);
    return message(`${add ? 'added' : 'removed'} ${privileges.join(', ')} ${add ? 'to' : 'from'} privilege group ${group}`);
  },
});

export const grantCommands: Command[] = [
  operate('Grant'),
  operate('Revoke'),
  {
    verb: 'list', object: 'grant', usage: 'list grants -r ROLE [-t TYPE -o NAME] [-db DB]',
    summary: 'the grants of a role (every database unless -db or an object is given)',
    flags: [ROLE, OBJECT_TYPE, OBJECT_NAME, F.database],
    run: async (ctx, a) => {
      const objectType = a.opt('objectType');
      const objectName = a.opt('objectName');
      const byObject = objectType !== undefined || objectName !== undefined;
      return grantTable(await ctx.backend.listGrants({
        roleName: a.req('role', '-r ROLE'), objectType, objectName,
        dbName: a.opt('database') ?? (byObject ? ctx.backend.database : '*'),
      }));
    },
  },
  {
    verb: 'show', object: 'role', usage: 'show role -r ROLE', summary: 'the grants of a role in every database', flags: [ROLE],
    run: async (ctx, a) => grantTable(await ctx.backend.listGrants({ roleName: a.req('role', '-r ROLE'), dbName: '*' })),
  },
  {
    verb: 'create', object: 'privilege_group', usage: 'create privilege_group -n GROUP', summary: 'create a custom privilege group', flags: [GROUP],
    run: async (ctx, a) => {
      const group = a.req('group', '-n GROUP');
      await ctx.backend.createPrivilegeGroup(group);
      return message(`privilege group ${group} created`);
    },
  },
  {
    verb: 'delete', object: 'privilege_group', usage: 'delete privilege_group -n GROUP', summary: 'drop a custom privilege group', flags: [GROUP, F.yes],
    run: async (ctx, a) => {
      const group = a.req('group', '-n GROUP');
      await ctx.backend.dropPrivilegeGroup(group);
      return message(`privilege group ${group} deleted`);
    },
  },
  {
    verb: 'list', object: 'privilege_group', usage: 'list privilege_groups', summary: 'custom, then built-in privilege groups', flags: [],
    run: async (ctx) => table(['group', 'privileges'], (await ctx.backend.listPrivilegeGroups()).map((g) => [g.group, g.privileges.join(', ')])),
  },
  operateGroup(true),
  operateGroup(false),
];
