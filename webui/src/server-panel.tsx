/**
 * The Server view: health, version and uptime, and live charts from /metrics (scraped every few
 * seconds by the app): insert and search rates, search latency percentiles, WAL fsync latency, memory.
 */
import { LineChart } from './chart.js';
import { formatBytes } from './model.js';
import { isInsert, isSearch, quantileBetween, sampleValue, sumOf, type Samples } from './prom.js';

export interface Scrape { atMs: number; samples: Samples }

export interface Point {
  insertRps?: number; searchRps?: number; rowsPerS?: number;
  searchP50?: number; searchP99?: number; fsyncP50?: number; fsyncP99?: number;
  rss?: number; heap?: number; loaded?: number;
}

/** The figures between two consecutive scrapes. */
export function pointOf(prev: Scrape | undefined, cur: Scrape): Point {
  const s = cur.samples;
  const p: Point = {
    rss: sampleValue(s, 'sextant_process_resident_memory_bytes'),
    heap: sampleValue(s, 'sextant_nodejs_heap_size_used_bytes'),
    loaded: sampleValue(s, 'sextant_loaded_bytes'),
  };
  if (prev === undefined) return p;
  const dt = (cur.atMs - prev.atMs) / 1000;
  if (dt <= 0) return p;
  const rate = (name: string, pick: (l: Record<string, string>) => boolean): number => Math.max(0, (sumOf(s, name, pick) - sumOf(prev.samples, name, pick)) / dt);
  p.insertRps = rate('sextant_requests_total', isInsert);
  p.searchRps = rate('sextant_requests_total', isSearch);
  p.rowsPerS = rate('sextant_collection_rows', () => true);
  p.searchP50 = quantileBetween(prev.samples, s, 'sextant_request_duration_seconds', 0.5, isSearch);
  p.searchP99 = quantileBetween(prev.samples, s, 'sextant_request_duration_seconds', 0.99, isSearch);
  p.fsyncP50 = quantileBetween(prev.samples, s, 'sextant_wal_fsync_seconds', 0.5);
  p.fsyncP99 = quantileBetween(prev.samples, s, 'sextant_wal_fsync_seconds', 0.99);
  return p;
}

const perS = (v: number): string => `${v < 10 ? v.toFixed(1) : Math.round(v)}/s`;
const ms = (v: number): string => `${(v * 1000).toFixed(v < 0.01 ? 2 : 1)} ms`;

function uptime(samples: Samples, nowMs: number): string {
  const start = sampleValue(samples, 'sextant_process_start_time_seconds');
  if (start === undefined) return 'unknown';
  let s = Math.max(0, Math.round(nowMs / 1000 - start));
  const d = Math.floor(s / 86400); s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  return `${d > 0 ? `${d}d ` : ''}${h}h ${m}m ${s}s`;
}

function versionOf(samples: Samples): string {
  return samples.find((x) => x.name === 'sextant_build_info')?.labels['version'] ?? 'unknown';
}

export function ServerPanel(props: { health: string; scrape: Scrape | null; points: readonly Point[]; metricsError: string }) {
  const { scrape, points } = props;
  const col = (k: keyof Point): (number | undefined)[] => points.map((p) => p[k]);
  return (
    <section class="panel" aria-labelledby="server-title">
      <h2 id="server-title">Server</h2>
      <dl class="facts">
        <dt>Health</dt><dd id="server-health" class={props.health === 'OK' ? 'ok' : 'error'}>{props.health}</dd>
        <dt>Version</dt><dd id="server-version">{scrape === null ? '–' : versionOf(scrape.samples)}</dd>
        <dt>Uptime</dt><dd id="server-uptime">{scrape === null ? '–' : uptime(scrape.samples, scrape.atMs)}</dd>
        <dt>Resident memory</dt><dd>{scrape === null ? '–' : formatBytes(sampleValue(scrape.samples, 'sextant_process_resident_memory_bytes') ?? 0)}</dd>
      </dl>
      {props.metricsError !== '' && <p role="alert" class="error">{props.metricsError}</p>}
      <div class="charts">
        <LineChart id="chart-rates" title="Requests" unit={perS} series={[
          { label: 'insert', values: col('insertRps'), className: 's1' }, { label: 'search', values: col('searchRps'), className: 's2' },
        ]} />
        <LineChart id="chart-rows" title="Rows written" unit={perS} series={[{ label: 'rows', values: col('rowsPerS'), className: 's1' }]} />
        <LineChart id="chart-search-latency" title="Search latency" unit={ms} series={[
          { label: 'p50', values: col('searchP50'), className: 's1' }, { label: 'p99', values: col('searchP99'), className: 's2' },
        ]} />
        <LineChart id="chart-fsync" title="WAL fsync latency" unit={ms} series={[
          { label: 'p50', values: col('fsyncP50'), className: 's1' }, { label: 'p99', values: col('fsyncP99'), className: 's2' },
        ]} />
        <LineChart id="chart-memory" title="Memory" unit={formatBytes} series={[
          { label: 'resident', values: col('rss'), className: 's1' }, { label: 'heap', values: col('heap'), className: 's2' },
          { label: 'loaded', values: col('loaded'), className: 's3' },
        ]} />
      </div>
    </section>
  );
}
