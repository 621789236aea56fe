/** REST v2 `users/*`, `roles/*` and `privilege_groups/*` over the service's access-control operations. */
import type { GrantType } from '../../../service/auth/types.js';
import { empty, ok, type RestCall, type V2Handler, type V2Table } from '../route.js';

function privilegeV1(type: GrantType): V2Handler {
  return async (call: RestCall) => {
    const a = call.args;
    await call.api.operatePrivilege({
      roleName: a.str('roleName'), objectType: a.str('objectType'), objectName: a.str('objectName'),
      privilege: a.str('privilege'), dbName: call.dbName ?? '', type,
    });
    return empty();
  };
}

function privilegeV2(type: GrantType): V2Handler {
  return async (call: RestCall) => {
    const a = call.args;
    await call.api.operatePrivilegeV2({
      roleName: a.str('roleName'), privilege: a.str('privilege'), dbName: call.dbName ?? '', collectionName: a.optStr('collectionName') ?? '', type,
    });
    return empty();
  };
}

function groupPrivileges(type: 'AddPrivilegesToGroup' | 'RemovePrivilegesFromGroup'): V2Handler {
  return async (call: RestCall) => {
    const privileges = call.args.list('privileges').map((p) => String(p));
    await call.api.operatePrivilegeGroup({ groupName: call.args.str('privilegeGroupName'), privileges, type });
    return empty();
  };
}

export const rbacRoutes: V2Table = {
  'users/list': async (call) => ok(await call.api.listCredUsers({})),
  'users/describe': async (call) => {
    const [u] = await call.api.selectUser({ username: call.args.str('userName'), includeRoleInfo: true });
    return ok(u?.roles ?? []);
  },
  'users/create': async (call) => { await call.api.createCredential({ username: call.args.str('userName'), password: call.args.str('password') }); return empty(); },
  'users/update_password': async (call) => {
    await call.api.updateCredential({ username: call.args.str('userName'), oldPassword: call.args.str('password'), newPassword: call.args.str('newPassword') });
    return empty();
  },
  'users/drop': async (call) => { await call.api.deleteCredential({ username: call.args.str('userName') }); return empty(); },
  'users/grant_role': async (call) => {
    await call.api.operateUserRole({ username: call.args.str('userName'), roleName: call.args.str('roleName'), type: 'AddUserToRole' });
    return empty();
  },
  'users/revoke_role': async (call) => {
    await call.api.operateUserRole({ username: call.args.str('userName'), roleName: call.args.str('roleName'), type: 'RemoveUserFromRole' });
    return empty();
  },
  'roles/list': async (call) => ok((await call.api.selectRole({})).map((r) => r.role)),
  'roles/describe': async (call) => ok((await call.api.selectGrant({ roleName: call.args.str('roleName'), dbName: call.dbName ?? '' })).map((g) => ({
    objectType: g.objectType, objectName: g.objectName, privilege: g.privilege, dbName: g.dbName, grantor: g.grantor,
  }))),
  'roles/create': async (call) => { await call.api.createRole({ roleName: call.args.str('roleName') }); return empty(); },
  'roles/drop': async (call) => { await call.api.dropRole({ roleName: call.args.str('roleName'), forceDrop: call.args.optBool('forceDrop') === true }); return empty(); },
  'roles/grant_privilege': privilegeV1('Grant'),
  'roles/revoke_privilege': privilegeV1('Revoke'),
  'roles/grant_privilege_v2': privilegeV2('Grant'),
  'roles/revoke_privilege_v2': privilegeV2('Revoke'),
  'privilege_groups/create': async (call) => { await call.api.createPrivilegeGroup({ groupName: call.args.str('privilegeGroupName') }); return empty(); },
  'privilege_groups/drop': async (call) => { await call.api.dropPrivilegeGroup({ groupName: call.args.str('privilegeGroupName') }); return empty(); },
  'privilege_groups/list': async (call) => ok({
    privilegeGroups: (await call.api.listPrivilegeGroups({})).map((g) => ({ privilegeGroupName: g.groupName, privileges: g.privileges.join(',') })),
  }),
  'privilege_groups/add_privileges_to_group': groupPrivileges('AddPrivilegesToGroup'),
  'privilege_groups/remove_privileges_from_group': groupPrivileges('RemovePrivilegesFromGroup'),
};
