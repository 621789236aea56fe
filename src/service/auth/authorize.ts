/**
 * Milvus' authorization model over the catalog (privilege_interceptor.go + casbin matcher +
 * ListPolicy's group expansion): root and role admin pass; every user holds `public`; a grant
 * covers a request when one of its member privileges (itself, a built-in / custom / legacy
 * group's members, or all for `*` / `All`) is the one needed, on the same object type, with the
 * grant's database and name equal or `*` (Global members are always named `*`).
 */
import type { GrantRecord, RbacCatalog } from './catalog.js';
import { BUILTIN_GROUPS, LEGACY_GROUPS, objectTypeOf, ROOT_USER, type ObjectType } from './privileges.js';

export interface RequestObject { objectType: ObjectType; db: string; name: string }

const ALL_PRIVILEGES = new Set(['*', 'All']);

/** The privileges a stored grant stands for ('*' = all of them). */
export function membersOf(catalog: RbacCatalog, privilege: string): readonly string[] {
  if (ALL_PRIVILEGES.has(privilege)) return ['*'];
  const builtin = BUILTIN_GROUPS.get(privilege) ?? LEGACY_GROUPS.get(privilege);
  if (builtin !== undefined) return builtin.members;
  const custom = catalog.group(privilege);
  return custom !== undefined ? custom.privileges : [privilege];
}

const matches = (granted: string, wanted: string): boolean => granted === '*' || granted === wanted;

function grantCovers(catalog: RbacCatalog, g: GrantRecord, obj: RequestObject, privilege: string): boolean {
  if (!matches(g.dbName, obj.db)) return false;
  for (const m of membersOf(catalog, g.privilege)) {
    if (m === '*') {
      if (g.objectType === 'Global' || obj.objectType === 'Global' || matches(g.objectName, obj.name)) return true;
      continue;
    }
    if (m !== privilege) continue;
    const type = objectTypeOf(m);
    if (type !== obj.objectType) continue;
    if (type === 'Global' || matches(g.objectName, obj.name)) return true;
  }
  return false;
}

/** Root and holders of role admin pass every check. */
export function isSuperuser(catalog: RbacCatalog, user: string): boolean {
  return user === ROOT_USER || catalog.rolesOf(user).includes('admin');
}

export function isAllowed(catalog: RbacCatalog, user: string, obj: RequestObject, privilege: string): boolean {
  if (isSuperuser(catalog, user)) return true;
  if (obj.objectType === 'User' && obj.name === user) return true; // a user acting on itself
  const roles = new Set(catalog.rolesOf(user));
  for (const g of catalog.grants) {
    if (roles.has(g.role) && grantCovers(catalog, g, obj, privilege)) return true;
  }
  return false;
}

/** The caller's own grants (public's defaults excluded), which decide what lists show. */
function ownGrants(catalog: RbacCatalog, user: string): GrantRecord[] {
  const roles = new Set(catalog.rolesOf(user).filter((r) => r !== 'public'));
  return catalog.grants.filter((g) => roles.has(g.role));
}

/** Databases the caller may see in ListDatabases: 'all', or the databases its grants name. */
export function visibleDatabases(catalog: RbacCatalog, user: string): 'all' | Set<string> {
  if (isSuperuser(catalog, user)) return 'all';
  const out = new Set<string>();
  for (const g of ownGrants(catalog, user)) {
    if (g.dbName === '*') return 'all';
    out.add(g.dbName);
  }
  return out;
}

/** Collections of `db` the caller may see in ShowCollections / DescribeCollection. */
export function visibleCollections(catalog: RbacCatalog, user: string, db: string): 'all' | Set<string> {
  if (isSuperuser(catalog, user)) return 'all';
  const out = new Set<string>();
  for (const g of ownGrants(catalog, user)) {
    if (!matches(g.dbName, db)) continue;
    if (g.objectType === 'Collection') {
      if (g.objectName === '*') return 'all';
      out.add(g.objectName);
    } else if (ALL_PRIVILEGES.has(g.privilege) || catalog.group(g.privilege) !== undefined) {
      return 'all';
    }
  }
  return out;
}
