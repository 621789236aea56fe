/**
 * RPCs the server answers itself, without the service: connection, version, component states,
 * metrics. CheckHealth and AllocTimestamp come from the service (rpc-table.ts): health is the
 * engine's storage health, timestamps come from the engine's hybrid clock.
 */
import type { Wire } from './codec/wire.js';

export const SERVER_VERSION = 'v2.6.0-sextant';

export type LocalHandler = (req: Wire) => Wire;

export function localRpcs(): Record<string, LocalHandler> {
  let nextIdentifier = BigInt(Date.now());
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
    /** A minimal `system_info` answer: one standalone node (Attu and the SDK parse `response` as JSON). */
    GetMetrics: () => ({
      component_name: 'standalone',
      response: JSON.stringify({
        component_name: 'standalone',
        nodes_info: [{
          identifier: 1,
          infos: { name: 'standalone1', type: 'standalone', system_info: { build_version: SERVER_VERSION, deploy_mode: 'STANDALONE' } },
        }],
      }),
    }),
  };
}
