/**
 * The HTML audit report's page shell and style sheet: one self-contained file, inline CSS, no
 * script, no external resource. The Content-Security-Policy meta tag comes first in <head> so it
 * governs everything after it: `default-src 'none'` forbids scripts (inline ones included),
 * frames, fonts, fetches and images except `data:`; only inline styles may apply.
 */
import { html, raw, type SafeHtml } from "./markup.js";

/** The page's Content-Security-Policy: nothing loads and nothing runs. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/** Colours of the EU AI Act classes (also used by the chart and the badges). */
export const TIER_COLORS: Record<string, string> = {
  prohibited: "#7f1d1d",
  high_risk: "#c2410c",
  transparency: "#b7791f",
  gpai: "#2b6cb0",
  minimal: "#2f855a",
  unclassified: "#6b7280",
};

/** Colours of the governance statuses. */
export const STATUS_COLORS: Record<string, string> = {
  unreviewed: "#6b7280",
  suspected: "#6b46c1",
  under_review: "#b7791f",
  unsanctioned: "#c53030",
  blocked: "#7f1d1d",
  tolerated: "#2c7a7b",
  sanctioned: "#2f855a",
};

const tierCss = Object.entries(TIER_COLORS)
  .map(([t, c]) => `.tier-${t}{--tier:${c}}`)
  .join("");
const statusCss = Object.entries(STATUS_COLORS)
  .map(([t, c]) => `.status-${t}{--status:${c}}`)
  .join("");

// "Show only <class>": `#only-<tier>:target` hides the other classes' sections and index rows.
const TIER_ORDER_CSS = Object.keys(TIER_COLORS)
  .map((t) => `#only-${t}:target~main article.system:not(.tier-${t}),#only-${t}:target~main .toc tbody tr:not(.tier-${t}),#only-${t}:target~main .toc-tier:not(.tier-${t}){display:none}`)
  .join("");

const CSS = `
:root{--ink:#1f2933;--muted:#5f6b7a;--line:#dde2e8;--soft:#f3f5f8;--bg:#eef1f5;--card:#fff;--accent:#1e3a5f;--warn:#b45309;--bad:#b91c1c}
${tierCss}${statusCss}
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 "DejaVu Sans","Segoe UI",system-ui,-apple-system,Roboto,"Liberation Sans",sans-serif;overflow-wrap:break-word}
a{color:var(--accent)}
code,.mono{font-family:"DejaVu Sans Mono","Liberation Mono",Consolas,monospace;font-size:12px;overflow-wrap:anywhere}
td{overflow-wrap:anywhere}
td.nowrap,th.nowrap{white-space:nowrap;overflow-wrap:normal}
td.wide{min-width:240px}
header.top{background:var(--accent);color:#fff;padding:26px 0 22px}
header.top .wrap{max-width:1140px;margin:0 auto;padding:0 28px}
header.top h1{margin:0 0 6px;font-size:24px;font-weight:700;letter-spacing:.2px}
header.top p{margin:2px 0;color:#d6e2f0;font-size:13px}
.notice{display:inline-block;margin-top:10px;padding:4px 10px;border-radius:4px;font-size:12px;font-weight:600}
.notice.clear{background:#fde8e8;color:#8a1c1c}
.notice.pseudo{background:#e3f1e8;color:#1f5f3a}
main{max-width:1140px;margin:0 auto;padding:22px 28px 48px}
section.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:18px 22px;margin:0 0 18px}
h2{font-size:18px;margin:0 0 12px;color:var(--accent)}
h3{font-size:17px;margin:0}
h4{font-size:13px;text-transform:uppercase;letter-spacing:.6px;color:var(--muted);margin:18px 0 6px}
.figures{display:grid;grid-template-columns:repeat(6,1fr);gap:10px;margin-bottom:16px}
.figure{background:var(--soft);border-radius:6px;padding:10px 12px}
.figure b{display:block;font-size:24px;line-height:1.2}
.figure span{color:var(--muted);font-size:12px}
.figure.alert b{color:var(--bad)}
.charts{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:18px;align-items:start}
svg.chart{width:100%;height:auto;max-width:440px}
.chart-title{font-size:13px;font-weight:700;fill:var(--ink)}
.chart-label{font-size:11.5px;fill:var(--ink)}
.chart-value{font-size:11.5px;font-weight:700;fill:var(--ink)}
.chart-track{fill:#edf0f4}
table{border-collapse:collapse;width:100%;font-size:12.5px}
th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid var(--line)}
th{background:var(--soft);font-weight:600;color:#364152;white-space:nowrap}
td.num,th.num{text-align:right;white-space:nowrap}
tr{break-inside:avoid}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:11.5px;font-weight:600;line-height:18px;white-space:nowrap;border:1px solid transparent}
.badge.tier{background:var(--tier);color:#fff}
.badge.status{color:var(--status);border-color:var(--status);background:#fff}
.badge.disp-requires_review{background:#fff4e5;color:var(--warn);border-color:#f6c88f}
.badge.disp-blocked{background:#fde8e8;color:var(--bad);border-color:#f5b5b5}
.badge.disp-determined{background:var(--soft);color:var(--muted)}
.badge.new{background:#e0ecff;color:#1e4e9c;border-color:#b6cdf5}
.badge.risk{background:var(--soft);color:var(--ink)}
.badge.missing{background:#fff4e5;color:var(--warn)}
.muted{color:var(--muted)}
.empty{color:var(--muted);font-style:italic}
article.system{background:var(--card);border:1px solid var(--line);border-left:6px solid var(--tier);border-radius:8px;padding:16px 22px 14px;margin:0 0 16px}
article.system header{display:flex;flex-wrap:wrap;align-items:baseline;gap:6px 12px;margin-bottom:4px}
article.system header .unit{color:var(--muted);font-weight:400}
.badges{display:flex;flex-wrap:wrap;gap:6px;margin:6px 0 8px}
.sub{color:var(--muted);font-size:12.5px;margin:0 0 6px}
.cols{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:8px 28px}
dl{display:grid;grid-template-columns:150px minmax(0,1fr);gap:3px 12px;margin:0;font-size:13px}
dt{color:var(--muted)}
dd{margin:0;overflow-wrap:anywhere}
.rationale{background:var(--soft);border-radius:6px;padding:8px 12px;margin:8px 0 0;font-size:13px}
ul.chips{list-style:none;padding:0;margin:0;display:flex;flex-wrap:wrap;gap:4px 6px}
ul.chips li{overflow-wrap:anywhere;max-width:100%;background:var(--soft);border:1px solid var(--line);border-radius:4px;padding:0 6px;font-size:12px}
.meter{display:inline-block;width:64px;height:8px;background:#edf0f4;border-radius:4px;vertical-align:middle;margin-right:6px;overflow:hidden}
.meter i{display:block;height:100%;background:var(--tier,#2b6cb0)}
.toc td:first-child a{font-weight:600}
article.system header .up{margin-left:auto;font-size:12px}
nav#contents ol.sections{display:flex;flex-wrap:wrap;gap:4px 18px;margin:0 0 8px;padding-left:18px}
.toc-tiers{columns:2 320px;column-gap:28px}
.toc-tier{break-inside:avoid-column;margin-bottom:8px}
.toc-tier h4{margin:6px 0 2px}
.toc-tier ol{margin:0;padding-left:22px;font-size:13px}
.toc-tier code{font-size:11px}
.filters{font-size:13px;margin:0 0 6px}
i.only{display:block;height:0}
td.why{min-width:180px}
${TIER_ORDER_CSS}
footer{max-width:1140px;margin:0 auto;padding:0 28px 36px;color:var(--muted);font-size:12px}
@media screen{section.card,article.system{overflow-x:auto}}
@media (max-width:820px){.figures{grid-template-columns:repeat(3,1fr)}.charts,.cols{grid-template-columns:1fr}}
@page{size:A4;margin:14mm 12mm}
@media print{
  body{background:#fff;font-size:11px}
  header.top{padding:0 0 10px;background:#fff;color:var(--ink);border-bottom:2px solid var(--accent)}
  header.top .wrap,main,footer{max-width:none;padding-left:0;padding-right:0}
  header.top p{color:var(--muted)}
  section.card,article.system{border-radius:0;box-shadow:none;margin-bottom:10px}
  h2,h3,h4{break-after:avoid}
  article.system{break-inside:auto}
  article.system header,.badges,dl,.rationale{break-inside:avoid}
  .figures{grid-template-columns:repeat(6,1fr)}
  .charts,.cols{grid-template-columns:minmax(0,1fr) minmax(0,1fr)}
  dl{grid-template-columns:105px minmax(0,1fr)}
  td.wide{min-width:170px}
  table{font-size:10.5px}
  th,td{padding:4px 5px}
  .toc .meter{display:none}
  .filters,article.system header .up{display:none}
  a{color:inherit;text-decoration:none}
}
`;

/** The whole document around `body`: doctype, charset, CSP, viewport, title, inline CSS. */
export function page(title: string, body: SafeHtml): string {
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${raw(CSS)}</style>
</head>
<body>
${body}
</body>
</html>
`.value;
}
