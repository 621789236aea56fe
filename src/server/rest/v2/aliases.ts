/** REST v2 `aliases/*`. */
import { empty, ok, type V2Table } from '../route.js';

export const aliasRoutes: V2Table = {
  'aliases/list': async (call) => {
    const collectionName = call.args.optStr('collectionName');
    const list = await call.api.listAliases({ dbName: call.dbName, ...(collectionName ? { collectionName } : {}) });
    return ok(list.map((a) => a.alias));
  },
  'aliases/describe': async (call) => {
    const a = await call.api.describeAlias({ dbName: call.dbName, alias: call.args.str('aliasName') });
    return ok({ aliasName: a.alias, collectionName: a.collectionName, dbName: a.dbName });
  },
  'aliases/create': async (call) => {
    await call.api.createAlias({ dbName: call.dbName, alias: call.args.str('aliasName'), collectionName: call.args.str('collectionName') });
    return empty();
  },
  'aliases/alter': async (call) => {
    await call.api.alterAlias({ dbName: call.dbName, alias: call.args.str('aliasName'), collectionName: call.args.str('collectionName') });
    return empty();
  },
  'aliases/drop': async (call) => {
    await call.api.dropAlias({ dbName: call.dbName, alias: call.args.str('aliasName') });
    return empty();
  },
};
