import { For, Show } from 'solid-js';

const W = 640;
const H = 180;
const PAD = { left: 40, right: 8, top: 8, bottom: 22 };

export interface Series {
  name: string;
  color: string;
  values: (number | null)[];
}

/** A round axis top; at least 4 so small counts get whole-number ticks (0, 2, 4). */
const niceMax = (max: number) => {
  if (max <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  return Math.ceil(max / magnitude) * magnitude;
};

function Axes(props: { labels: string[]; max: number; unit?: string }) {
  const ticks = () => [0, 0.5, 1].map((f) => f * props.max);
  const every = () => Math.max(1, Math.ceil(props.labels.length / 8));
  const x = (i: number) =>
    PAD.left + ((i + 0.5) / Math.max(1, props.labels.length)) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / props.max) * (H - PAD.top - PAD.bottom);
  return (
    <g class="axes">
      <For each={ticks()}>
        {(t) => (
          <>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} class="grid" />
            <text x={PAD.left - 4} y={y(t) + 4} text-anchor="end">
              {Math.round(t)}
              {props.unit ?? ''}
            </text>
          </>
        )}
      </For>
      <For each={props.labels}>
        {(label, i) => (
          <Show when={i() % every() === 0}>
            <text x={x(i())} y={H - 6} text-anchor="middle">
              {label}
            </text>
          </Show>
        )}
      </For>
    </g>
  );
}

/** Stacked bars per bucket (e.g. completed and failed calls per day). */
export function StackedBars(props: { labels: string[]; series: Series[]; title: string }) {
  const totals = () =>
    props.labels.map((_, i) => props.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const max = () => niceMax(Math.max(0, ...totals()));
  const band = () => (W - PAD.left - PAD.right) / Math.max(1, props.labels.length);
  const barWidth = () => Math.min(48, band() * 0.7);
  const y = (v: number) => (v / max()) * (H - PAD.top - PAD.bottom);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={props.title}>
        <Axes labels={props.labels} max={max()} />
        <For each={props.labels}>
          {(label, i) => {
            let base = 0;
            return (
              <g>
                <For each={props.series}>
                  {(s) => {
                    const v = s.values[i()] ?? 0;
                    const bottom = base;
                    base += v;
                    return (
                      <rect
                        x={PAD.left + i() * band() + (band() - barWidth()) / 2}
                        width={barWidth()}
                        y={H - PAD.bottom - y(bottom + v)}
                        height={y(v)}
                        fill={s.color}
                      >
                        <title>
                          {label}: {v} {s.name}
                        </title>
                      </rect>
                    );
                  }}
                </For>
              </g>
            );
          }}
        </For>
      </svg>
      <Legend series={props.series} />
    </figure>
  );
}

/** Lines per series over buckets (e.g. latency percentiles); gaps where a bucket has no data. */
export function Lines(props: { labels: string[]; series: Series[]; title: string; unit?: string }) {
  const max = () => niceMax(Math.max(0, ...props.series.flatMap((s) => s.values.map((v) => v ?? 0))));
  const x = (i: number) =>
    PAD.left + ((i + 0.5) / Math.max(1, props.labels.length)) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / max()) * (H - PAD.top - PAD.bottom);
  const path = (values: (number | null)[]) => {
    let d = '';
    let pen = false;
    values.forEach((v, i) => {
      if (v === null) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)} `;
      pen = true;
    });
    return d;
  };
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={props.title}>
        <Axes labels={props.labels} max={max()} unit={props.unit} />
        <For each={props.series}>
          {(s) => (
            <>
              <path d={path(s.values)} fill="none" stroke={s.color} stroke-width="2" />
              <For each={s.values}>
                {(v, i) => (
                  <Show when={v !== null}>
                    <circle cx={x(i())} cy={y(v ?? 0)} r="2.5" fill={s.color}>
                      <title>
                        {props.labels[i()]}: {s.name} {Math.round(v ?? 0)}
                        {props.unit ?? ''}
                      </title>
                    </circle>
                  </Show>
                )}
              </For>
            </>
          )}
        </For>
      </svg>
      <Legend series={props.series} />
    </figure>
  );
}

function Legend(props: { series: Series[] }) {
  return (
    <figcaption class="legend">
      <For each={props.series}>
        {(s) => (
          <span>
            <span class="swatch" style={{ background: s.color }} /> {s.name}
          </span>
        )}
      </For>
    </figcaption>
  );
}

/** Horizontal bars with their counts (e.g. how calls ended). */
export function RankedBars(props: { rows: { label: string; value: number }[] }) {
  const max = () => Math.max(1, ...props.rows.map((r) => r.value));
  return (
    <ul class="ranked">
      <For each={props.rows}>
        {(row) => (
          <li>
            <span class="ranked-label truncate">{row.label}</span>
            <span class="ranked-track">
              <span class="ranked-bar" style={{ width: `${(row.value / max()) * 100}%` }} />
            </span>
            <span class="ranked-value">{row.value}</span>
          </li>
        )}
      </For>
    </ul>
  );
}
