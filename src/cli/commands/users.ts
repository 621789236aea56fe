/**
 * Users and roles, milvus_cli style: create / delete / list / show user, update password,
 * create / delete / list role, grant / revoke role. Every rule (name syntax, password length, who
 * may) is the service's; these only read flags and print.
 */
import type { Command } from '../command.js';
import { F } from '../command.js';
import { list, message, table } from '../output.js';

export const USER = F.value(['-u', '--username', '--user'], 'user', 'user name');
export const ROLE = F.value(['-r', '--roleName', '--role'], 'role', 'role name');
const PASSWORD = F.secret(['-p', '--password'], 'password', 'password (6-72 bytes; kept out of history)');
const OLD = F.secret(['-old', '--old-password'], 'old', 'current password');
const NEW = F.secret(['-new', '--new-password'], 'new', 'new password');

export const userCommands: Command[] = [
  {
    verb: 'create', object: 'user', usage: 'create user -u USER -p PASSWORD', summary: 'create a user', flags: [USER, PASSWORD],
    run: async (ctx, a) => {
      const user = a.req('user', '-u USER');
      await ctx.backend.createUser(user, a.req('password', '-p PASSWORD'));
      return message(`user ${user} created`);
    },
  },
  {
    verb: 'delete', object: 'user', usage: 'delete user -u USER', summary: 'drop a user', flags: [USER, F.yes],
    run: async (ctx, a) => {
      const user = a.req('user', '-u USER');
      await ctx.backend.deleteUser(user);
      return message(`user ${user} deleted`);
    },
  },
  {
    verb: 'list', object: 'user', usage: 'list users', summary: 'list users', flags: [],
    run: async (ctx) => list('user', await ctx.backend.listUsers()),
  },
  {
    verb: 'show', object: 'user', usage: 'show user -u USER', summary: 'a user and its roles', flags: [USER],
    run: async (ctx, a) => {
      const found = await ctx.backend.describeUser(a.req('user', '-u USER'));
      return table(['user', 'roles'], found.map((u) => [u.user, u.roles.join(', ')]));
    },
  },
  {
    verb: 'update', object: 'password', usage: 'update password -u USER -old OLD_PASSWORD -new NEW_PASSWORD',
    summary: 'change a password (the old one is checked)', flags: [USER, OLD, NEW],
    run: async (ctx, a) => {
      const user = a.req('user', '-u USER');
      await ctx.backend.updatePassword(user, a.req('old', '-old OLD_PASSWORD'), a.req('new', '-new NEW_PASSWORD'));
      return message(`password of ${user} updated`);
    },
  },
  {
    verb: 'create', object: 'role', usage: 'create role -r ROLE', summary: 'create a role', flags: [ROLE],
    run: async (ctx, a) => {
      const role = a.req('role', '-r ROLE');
      await ctx.backend.createRole(role);
      return message(`role ${role} created`);
    },
  },
  {
    verb: 'delete', object: 'role', usage: 'delete role -r ROLE', summary: 'drop a role (revoke its privileges first)', flags: [ROLE, F.yes],
    run: async (ctx, a) => {
      const role = a.req('role', '-r ROLE');
      await ctx.backend.dropRole(role);
      return message(`role ${role} deleted`);
    },
  },
  {
    verb: 'list', object: 'role', usage: 'list roles', summary: 'list roles and the users holding them', flags: [],
    run: async (ctx) => table(['role', 'users'], (await ctx.backend.listRoles()).map((r) => [r.role, r.users.join(', ')])),
  },
  {
    verb: 'grant', object: 'role', usage: 'grant role -r ROLE -u USER', summary: 'give a user a role', flags: [ROLE, USER],
    run: async (ctx, a) => {
      const role = a.req('role', '-r ROLE');
      const user = a.req('user', '-u USER');
      await ctx.backend.grantRole(role, user);
      return message(`role ${role} granted to ${user}`);
    },
  },
  {
    verb: 'revoke', object: 'role', usage: 'revoke role -r ROLE -u USER', summary: 'take a role from a user', flags: [ROLE, USER],
    run: async (ctx, a) => {
      const role = a.req('role', '-r ROLE');
      const user = a.req('user', '-u USER');
      await ctx.backend.revokeRole(role, user);
      return message(`role ${role} revoked from ${user}`);
    },
  },
];
