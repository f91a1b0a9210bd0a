/**
 * A horizontal bar chart as inline SVG, drawn on the server from numbers: no script, no external
 * font or image, prints as vectors. Labels go through the `html` template's escaping like any text.
 */
import { html, type SafeHtml } from "./markup.js";

/** One bar: its label, its count and its fill colour (a CSS colour written by this program). */
export interface Bar {
  label: string;
  value: number;
  color: string;
}

const WIDTH = 440;
const LABEL = 128;
const ROW = 24;
const BAR = 15;
const TOP = 30;

/**
 * An SVG bar chart (`role="img"`, with a `<title>` and an aria-label listing every value), scaled
 * to the largest value; each bar is labelled with its count. Width 440 user units, height by rows;
 * it scales to its container.
 */
export function barChart(title: string, bars: readonly Bar[]): SafeHtml {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const span = WIDTH - LABEL - 40;
  const height = TOP + bars.length * ROW + 6;
  const summary = `${title}: ${bars.map((b) => `${b.label} ${b.value}`).join(", ")}`;
  const rows = bars.map((b, i) => {
    const y = TOP + i * ROW;
    const w = b.value === 0 ? 0 : Math.max(3, Math.round((b.value / max) * span));
    return html`<g>
      <text x="${LABEL - 8}" y="${y + BAR - 3}" text-anchor="end" class="chart-label">${b.label}</text>
      <rect x="${LABEL}" y="${y}" width="${span}" height="${BAR}" rx="3" class="chart-track"/>
      <rect x="${LABEL}" y="${y}" width="${w}" height="${BAR}" rx="3" fill="${b.color}"/>
      <text x="${LABEL + w + 6}" y="${y + BAR - 3}" class="chart-value">${b.value}</text>
    </g>`;
  });
  return html`<svg class="chart" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${summary}" xmlns="http://www.w3.org/2000/svg">
    <title>${summary}</title>
    <text x="0" y="16" class="chart-title">${title}</text>
    ${rows}
  </svg>`;
}
