/** Placeholder until the full HTML report lands: a minimal, escaped, self-contained page. */
import type { RunReport } from '../engine/results';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function renderHtml(report: RunReport): string {
  const rows = report.results
    .map((r) => `<tr><td>${esc(r.outcome)}</td><td>${esc(r.level)}</td><td>${esc(r.id)}</td><td>${esc(r.title)}</td><td>${esc(r.message)}</td></tr>`)
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>bcda-conformance report</title></head><body>
<h1>${esc(report.summary.verdict)}</h1><table>${rows}</table></body></html>\n`;
}
