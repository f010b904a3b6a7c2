import { Resvg } from '@resvg/resvg-js';

export interface ChartSeries {
  label: string;
  color: string;
  /** Per operation: [p50, p95, p99] in ms. */
  values: Map<string, [number, number, number]>;
}

const escape = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Grouped bars: one group per operation, one bar per series showing p95, with p50 as a darker inner bar
 * and p99 as a tick. Returns the SVG text; `toPng` renders it.
 */
/**
 * The chart of a bench section: one series per phase (or server), one group per operation, from the
 * measured percentiles `results[operation][phase key]`.
 */
export function percentileChartSvg<K>(
  title: string,
  results: Map<string, Map<K, { p50: number; p95: number; p99: number }>>,
  phases: readonly { key: K; label: string; color: string }[],
): string {
  const series: ChartSeries[] = phases.map((phase) => ({
    label: phase.label,
    color: phase.color,
    values: new Map(
      [...results].map(([operation, byPhase]) => {
        const m = byPhase.get(phase.key)!;
        return [operation, [m.p50, m.p95, m.p99] as [number, number, number]];
      }),
    ),
  }));
  return latencyChartSvg(title, [...results.keys()], series);
}

export function latencyChartSvg(title: string, operations: string[], series: ChartSeries[]): string {
  const width = 960;
  const height = 480;
  const plot = { left: 70, right: 20, top: 60, bottom: 70 };
  const innerWidth = width - plot.left - plot.right;
  const innerHeight = height - plot.top - plot.bottom;
  const max = Math.max(1, ...series.flatMap((s) => [...s.values.values()].map((v) => v[2])));
  const step = niceStep(max / 5);
  const top = Math.ceil(max / step) * step;
  const y = (ms: number) => plot.top + innerHeight - (ms / top) * innerHeight;
  const group = innerWidth / operations.length;
  const bar = (group * 0.8) / series.length;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="28" text-anchor="middle" font-size="18">${escape(title)}</text>`,
  ];
  for (let tick = 0; tick <= top; tick += step) {
    parts.push(`<line x1="${plot.left}" x2="${width - plot.right}" y1="${y(tick)}" y2="${y(tick)}" stroke="#ddd"/>`);
    parts.push(`<text x="${plot.left - 8}" y="${y(tick) + 4}" text-anchor="end" font-size="12">${tick}</text>`);
  }
  parts.push(
    `<text transform="translate(18 ${plot.top + innerHeight / 2}) rotate(-90)" text-anchor="middle" font-size="13">latency (ms)</text>`,
  );
  operations.forEach((operation, i) => {
    const x0 = plot.left + i * group + group * 0.1;
    series.forEach((s, j) => {
      const v = s.values.get(operation);
      if (!v) return;
      const x = x0 + j * bar;
      parts.push(
        `<rect x="${x}" y="${y(v[1])}" width="${bar - 4}" height="${y(0) - y(v[1])}" fill="${s.color}" fill-opacity="0.45"/>`,
      );
      parts.push(`<rect x="${x}" y="${y(v[0])}" width="${bar - 4}" height="${y(0) - y(v[0])}" fill="${s.color}"/>`);
      parts.push(
        `<line x1="${x}" x2="${x + bar - 4}" y1="${y(v[2])}" y2="${y(v[2])}" stroke="${s.color}" stroke-width="3"/>`,
      );
    });
    parts.push(
      `<text x="${plot.left + i * group + group / 2}" y="${plot.top + innerHeight + 20}" text-anchor="middle" font-size="13">${escape(operation)}</text>`,
    );
  });
  const legendY = height - 22;
  series.forEach((s, j) => {
    const x = plot.left + j * 230;
    parts.push(`<rect x="${x}" y="${legendY - 11}" width="14" height="14" fill="${s.color}"/>`);
    parts.push(`<text x="${x + 20}" y="${legendY}" font-size="13">${escape(s.label)}</text>`);
  });
  parts.push(
    `<text x="${width - plot.right}" y="${legendY}" text-anchor="end" font-size="11" fill="#555">solid p50 · light p95 · line p99</text>`,
  );
  parts.push('</svg>');
  return parts.join('\n');
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= raw) ?? 10 * power;
}

export function toPng(svg: string): Buffer {
  return new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
}
