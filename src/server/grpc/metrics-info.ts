/**
 * GetMetrics `system_info` in the shape of Milvus' metricsinfo.SystemTopology, as a standalone
 * answers it: one topology node per component of the one process (proxy, coordinators, the query
 * node and the data node), each with BaseComponentInfos (`has_error`, `error_reason`, `name` =
 * role + node id, `hardware_infos`, `system_info`, `created_time`, `updated_time`, `type`, `id`)
 * and its `system_configurations`. Hardware values are this machine's: CPU cores and load,
 * total memory and this process's resident memory. Other metric types are refused as Milvus does.
 */
import { cpus, loadavg, networkInterfaces, totalmem } from 'node:os';
import { errors } from '../../core/errors.js';
import { isWire, type Wire } from './codec/wire.js';

const NODE_ID = 1;

/** Go's time.Time.String() without the monotonic reading: `2006-01-02 15:04:05.999999999 +0000 UTC`. */
export function goTime(d: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const ms = d.getUTCMilliseconds();
  const frac = ms === 0 ? '' : `.${p(ms, 3).replace(/0+$/, '')}`;
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}${frac} +0000 UTC`;
}

function hostIp(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

function hardware(): Wire {
  const cores = cpus().length;
  const load = loadavg()[0] ?? 0;
  return {
    ip: hostIp(), cpu_core_count: cores, cpu_core_usage: cores > 0 ? Math.min(100, (100 * load) / cores) : 0,
    memory: totalmem(), memory_usage: process.memoryUsage().rss, disk: 0, disk_usage: 0, io_wait_percentage: 0,
  };
}

interface Component { role: string; configurations: Wire; connectsTo: string[] }

const COMPONENTS: readonly Component[] = [
  { role: 'proxy', configurations: { default_partition_name: '_default', default_index_name: '_default_idx' }, connectsTo: ['rootcoord', 'querycoord', 'datacoord'] },
  { role: 'rootcoord', configurations: { min_segment_size_to_enable_index: 1024 }, connectsTo: [] },
  { role: 'querycoord', configurations: { search_channel_prefix: '', search_result_channel_prefix: '' }, connectsTo: ['querynode'] },
  { role: 'querynode', configurations: { simd_type: 'wasm-simd128' }, connectsTo: [] },
  { role: 'datacoord', configurations: { segment_max_size: 1024 }, connectsTo: ['datanode'] },
  { role: 'datanode', configurations: { minio_bucket_name: '', simd_type: 'wasm-simd128', flush_insert_buffer_size: 16_777_216 }, connectsTo: [] },
];

/** The `response` JSON of GetMetrics(system_info). */
export function systemInfo(version: string, startedAt: Date, now: Date): string {
  const identifier = (role: string): number => COMPONENTS.findIndex((c) => c.role === role) + 1;
  const hw = hardware();
  const nodes = COMPONENTS.map((c) => ({
    identifier: identifier(c.role),
    connected: c.connectsTo.map((t) => ({ connected_identifier: identifier(t), type: c.role === 'proxy' ? 'forward' : 'manage', target_type: t })),
    infos: {
      has_error: false, error_reason: '', name: `${c.role}${NODE_ID}`, hardware_infos: hw,
      system_info: { system_version: version, deploy_mode: 'STANDALONE', build_version: version, build_time: '', used_go_version: `node ${process.version}` },
      created_time: goTime(startedAt), updated_time: goTime(now), type: c.role, id: NODE_ID,
      system_configurations: c.configurations,
    },
  }));
  return JSON.stringify({ nodes_info: nodes });
}

/** The metric type a GetMetrics request asks for (its `request` is JSON `{"metric_type": ...}`). */
export function metricTypeOf(req: Wire): string {
  const text = typeof req['request'] === 'string' ? req['request'] : '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw errors.unexpected(`failed to decode the request: ${e instanceof Error ? e.message : String(e)}`);
  }
  const t = isWire(parsed) ? parsed['metric_type'] : undefined;
  if (typeof t !== 'string') throw errors.unexpected('metric_type not found in request');
  return t;
}

export function getMetrics(req: Wire, version: string, startedAt: Date): Wire {
  const type = metricTypeOf(req);
  if (type !== 'system_info') throw errors.unexpected(`unsupported metric type: ${type}`);
  return { component_name: `proxy${NODE_ID}`, response: systemInfo(version, startedAt, new Date()) };
}
