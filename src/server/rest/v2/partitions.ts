/** REST v2 `partitions/*`. */
import { collectionOf, empty, ok, type V2Table } from '../route.js';

export const partitionRoutes: V2Table = {
  'partitions/list': async (call) => ok((await call.api.listPartitions(collectionOf(call))).map((p) => p.name)),
  'partitions/has': async (call) => ok({ has: await call.api.hasPartition({ ...collectionOf(call), partitionName: call.args.str('partitionName') }) }),
  'partitions/create': async (call) => {
    await call.api.createPartition({ ...collectionOf(call), partitionName: call.args.str('partitionName') });
    return empty();
  },
  'partitions/drop': async (call) => {
    await call.api.dropPartition({ ...collectionOf(call), partitionName: call.args.str('partitionName') });
    return empty();
  },
  'partitions/load': async (call) => {
    await call.api.loadPartitions({ ...collectionOf(call), partitionNames: call.args.requiredStrList('partitionNames') });
    return empty();
  },
  'partitions/release': async (call) => {
    await call.api.releasePartitions({ ...collectionOf(call), partitionNames: call.args.requiredStrList('partitionNames') });
    return empty();
  },
  'partitions/get_stats': async (call) => {
    const s = await call.api.getPartitionStatistics({ ...collectionOf(call), partitionName: call.args.str('partitionName') });
    return ok({ rowCount: s.rowCount });
  },
};
