/** REST v2 `users/*` and `roles/*` over the (unenforced) RbacStore. */
import type { Grant } from '../../auth/rbac.js';
import { empty, ok, type RestCall, type V2Table } from '../route.js';

function grantOf(call: RestCall): Grant {
  const a = call.args;
  return {
    objectType: a.str('objectType'),
    objectName: a.str('objectName'),
    privilege: a.str('privilege'),
    dbName: call.dbName || 'default',
    grantor: 'root',
  };
}

export const rbacRoutes: V2Table = {
  'users/list': async (call) => ok(call.rbac.listUsers()),
  'users/describe': async (call) => ok(call.rbac.userRoles(call.args.str('userName'))),
  'users/create': async (call) => { await call.rbac.createUser(call.args.str('userName'), call.args.str('password')); return empty(); },
  'users/update_password': async (call) => {
    await call.rbac.updatePassword(call.args.str('userName'), call.args.str('password'), call.args.str('newPassword'));
    return empty();
  },
  'users/drop': async (call) => { await call.rbac.dropUser(call.args.str('userName')); return empty(); },
  'users/grant_role': async (call) => { await call.rbac.grantRole(call.args.str('userName'), call.args.str('roleName')); return empty(); },
  'users/revoke_role': async (call) => { await call.rbac.revokeRole(call.args.str('userName'), call.args.str('roleName')); return empty(); },
  'roles/list': async (call) => ok(call.rbac.listRoles()),
  'roles/describe': async (call) => ok(call.rbac.roleGrants(call.args.str('roleName')).map((g) => ({
    objectType: g.objectType, objectName: g.objectName, privilege: g.privilege, dbName: g.dbName, grantor: g.grantor,
  }))),
  'roles/create': async (call) => { await call.rbac.createRole(call.args.str('roleName')); return empty(); },
  'roles/drop': async (call) => { await call.rbac.dropRole(call.args.str('roleName')); return empty(); },
  'roles/grant_privilege': async (call) => { await call.rbac.grantPrivilege(call.args.str('roleName'), grantOf(call)); return empty(); },
  'roles/revoke_privilege': async (call) => { await call.rbac.revokePrivilege(call.args.str('roleName'), grantOf(call)); return empty(); },
};
