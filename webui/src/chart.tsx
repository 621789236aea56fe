/** A small line chart drawn as inline SVG: one or more series over the last points scraped. */
export interface Series { label: string; values: readonly (number | undefined)[]; className: string }

const W = 320;
const H = 110;
const PAD_LEFT = 60;
const PAD_BOTTOM = 6;

/** Each defined value as a dot, so an isolated point (a window with one observation) shows too. */
function dots(values: readonly (number | undefined)[], max: number, n: number, className: string) {
  return values.map((v, i) => {
    if (v === undefined) return null;
    const x = PAD_LEFT + ((W - PAD_LEFT - 4) * i) / Math.max(1, n - 1);
    const y = H - PAD_BOTTOM - ((H - PAD_BOTTOM - 8) * v) / max;
    return <circle key={i} cx={x.toFixed(1)} cy={y.toFixed(1)} r={1.8} class={`dot ${className}`} />;
  });
}

function path(values: readonly (number | undefined)[], max: number, n: number): string {
  let d = '';
  let pen = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === undefined) { pen = false; continue; }
    const x = PAD_LEFT + ((W - PAD_LEFT - 4) * i) / Math.max(1, n - 1);
    const y = H - PAD_BOTTOM - ((H - PAD_BOTTOM - 8) * v) / max;
    d += `${pen ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)} `;
    pen = true;
  }
  return d.trim();
}

export function LineChart(props: { title: string; series: readonly Series[]; unit: (v: number) => string; id: string }) {
  let max = 0;
  let n = 0;
  for (const s of props.series) {
    n = Math.max(n, s.values.length);
    for (const v of s.values) if (v !== undefined && v > max) max = v;
  }
  const top = max > 0 ? max * 1.1 : 1;
  const last = props.series.map((s) => {
    const v = [...s.values].reverse().find((x) => x !== undefined);
    return `${s.label} ${v === undefined ? '–' : props.unit(v)}`;
  }).join(', ');
  return (
    <figure class="chart" id={props.id}>
      <figcaption>{props.title}: <span class="muted">{last}</span></figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${props.title}: ${last}`}>
        <line x1={PAD_LEFT} y1={H - PAD_BOTTOM} x2={W} y2={H - PAD_BOTTOM} class="axis" />
        <line x1={PAD_LEFT} y1={8} x2={PAD_LEFT} y2={H - PAD_BOTTOM} class="axis" />
        {max > 0 && <text x={PAD_LEFT - 4} y={14} class="tick" text-anchor="end">{props.unit(top)}</text>}
        <text x={PAD_LEFT - 4} y={H - PAD_BOTTOM} class="tick" text-anchor="end">0</text>
        {props.series.map((s) => <path key={s.label} d={path(s.values, top, n)} class={`line ${s.className}`} />)}
        {props.series.map((s) => <g key={`${s.label}-dots`}>{dots(s.values, top, n, s.className)}</g>)}
      </svg>
    </figure>
  );
}
