import type { ReportLayout } from './report-view.ts';

export const escapeHtml = (s: string) =>
  s
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');

const table = (head: [string, string], rows: Array<[string, string]>) =>
  `<table><thead><tr><th>${escapeHtml(head[0])}</th><th>${escapeHtml(head[1])}</th></tr></thead><tbody>${rows
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('')}</tbody></table>`;

/** A printable page (A4 portrait, no script): facts, the platform's figures, the department's own, the narrative, reviews. */
export function reportHtml(r: ReportLayout): string {
  const reviews =
    r.reviews.length === 0
      ? '<p>None yet.</p>'
      : `<ul>${r.reviews
          .map(
            (v) =>
              `<li>version ${v.version} ${escapeHtml(v.kind)} on ${escapeHtml(v.at)} by ${escapeHtml(v.by)}${
                v.comment ? `: ${escapeHtml(v.comment)}` : ''
              }</li>`,
          )
          .join('')}</ul>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(r.title)}</title>
<style>
@page { size: A4 portrait; margin: 15mm; }
body { font: 12px/1.45 system-ui, "Noto Sans CJK SC", sans-serif; color: #111; max-width: 180mm; }
h1 { font-size: 18px; } h2 { font-size: 14px; margin-top: 18px; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #999; padding: 2px 6px; text-align: left; }
td { text-align: right; }
thead th { background: #f2f2f2; }
.narrative { white-space: pre-wrap; border: 1px solid #999; padding: 6px; }
</style></head>
<body><h1>${escapeHtml(r.title)}</h1>
${table(['', ''], r.facts).replace('<thead><tr><th></th><th></th></tr></thead>', '')}
<h2>The platform's figures (from events)</h2>
${table(
  ['Figure', 'Count'],
  r.platform.map((p) => [p.label, String(p.value)]),
)}
<h2>The department's own figures</h2>
${table(
  ['Figure', 'Count'],
  r.own.map((o) => [o.label, String(o.value)]),
)}
<h2>Narrative</h2>
<div class="narrative">${escapeHtml(r.narrative)}</div>
<h2>Reviews by the coordination office</h2>
${reviews}
</body></html>`;
}
