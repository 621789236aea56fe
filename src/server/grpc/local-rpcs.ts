/** RPCs the server answers itself, without the service: connection, version, health, timestamps. */
import type { Wire } from './codec/wire.js';

export const SERVER_VERSION = 'v2.6.0-sextant';

/** Hybrid timestamp (physical ms << 18 | logical) as Milvus' TSO hands them out. */
export function hybridTimestampNow(): bigint {
  return BigInt(Date.now()) << 18n;
}

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
    CheckHealth: () => ({ isHealthy: true, reasons: [], quota_states: [] }),
    GetComponentStates: () => ({
      state: { nodeID: '1', role: 'proxy', state_code: 1, extra_info: [] },
      subcomponent_states: [],
    }),
    AllocTimestamp: () => ({ timestamp: String(hybridTimestampNow()) }),
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
