/**
 * RPCs the server answers itself, without the service: connection, version, component states,
 * metrics. CheckHealth and AllocTimestamp come from the service (rpc-table.ts): health is the
 * engine's storage health, timestamps come from the engine's hybrid clock.
 */
import type { Wire } from './codec/wire.js';
import { getMetrics } from './metrics-info.js';

export const SERVER_VERSION = 'v2.6.0-sextant';

export type LocalHandler = (req: Wire) => Wire;

export function localRpcs(): Record<string, LocalHandler> {
  let nextIdentifier = BigInt(Date.now());
  const startedAt = new Date();
  return {
    Connect: () => {
      nextIdentifier += 1n;
      return {
        server_info: {
          build_tags: SERVER_VERSION,
          build_time: '',
          git_commit: '',
          go_version: `node ${process.version}`,
          deploy_mode: 'STANDALONE',
          reserved: {},
        },
        identifier: String(nextIdentifier),
      };
    },
    GetVersion: () => ({ version: SERVER_VERSION }),
    GetComponentStates: () => ({
      state: { nodeID: '1', role: 'proxy', state_code: 1, extra_info: [] },
      subcomponent_states: [],
    }),
    /** `system_info` in Milvus' SystemTopology shape (metrics-info.ts). */
    GetMetrics: (req) => getMetrics(req, SERVER_VERSION, startedAt),
  };
}
