/** REST v2 `databases/*`; here `dbName` names the database operated on (required except for list). */
import type { DatabaseInfo } from '../../../service/types.js';
import { empty, ok, type V2Table } from '../route.js';

function describeData(d: DatabaseInfo): Record<string, unknown> {
  return {
    dbName: d.dbName,
    dbID: Number(d.dbId),
    properties: Object.entries(d.properties).map(([key, value]) => ({ key, value })),
  };
}

export const databaseRoutes: V2Table = {
  'databases/list': async (call) => ok((await call.api.listDatabases()).map((d) => d.dbName)),
  'databases/create': async (call) => {
    await call.api.createDatabase({ dbName: call.args.str('dbName'), properties: call.args.stringRecord('properties') });
    return empty();
  },
  'databases/describe': async (call) => ok(describeData(await call.api.describeDatabase({ dbName: call.args.str('dbName') }))),
  'databases/alter': async (call) => {
    await call.api.alterDatabase({ dbName: call.args.str('dbName'), properties: call.args.stringRecord('properties') });
    return empty();
  },
  'databases/drop_properties': async (call) => {
    await call.api.alterDatabase({ dbName: call.args.str('dbName'), deleteKeys: call.args.requiredStrList('propertyKeys') });
    return empty();
  },
  'databases/drop': async (call) => { await call.api.dropDatabase({ dbName: call.args.str('dbName') }); return empty(); },
};
