/**
 * index.html: one self-contained page (inline CSS, inline script, no external references)
 * rendered from a RunReport. Static parts are built here with the escaping `html` template; the
 * script builds expanded rows from embedded JSON using textContent only.
 */
import { createHash } from 'node:crypto';
import type { RunReport } from '../engine/results';
import { CLIENT_SCRIPT } from './html/client';
import { html, jsonForScript, raw } from './html/escape';
import { renderFailures } from './html/failures';
import { buildPayload } from './html/payload';
import {
  renderChecks,
  renderCoverage,
  renderExchangesShell,
  renderSummary,
  renderValidation,
} from './html/sections';
import { renderRequirements } from './html/requirements';
import { STYLE } from './html/style';
import { renderTimeline } from './html/timeline';

/** The page allows exactly its own script (by hash): injected markup could not run code even if escaping failed. */
const SCRIPT_HASH = `sha256-${createHash('sha256').update(CLIENT_SCRIPT).digest('base64')}`;

export function renderHtml(report: RunReport): string {
  const c = report.summary.counts;
  const title = `BCDA conformance: ${report.summary.verdict} (${c.pass} pass, ${c.fail} fail, ${c.warn} warn) — ${report.run.target}`;
  const timelines = report.exports.length
    ? report.exports.map(
        (t) =>
          html`<h3>${t.name}${t.jobUrl ? html` <span class="muted small url">${t.jobUrl}</span>` : ''}</h3>
            ${renderTimeline(t)}`,
      )
    : html`<p class="muted">No export job was polled in this run.</p>`;
  // prettier-ignore
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src '${SCRIPT_HASH}'; img-src data:">
<title>${title}</title>
<style>${raw(STYLE)}</style></head>
<body>
${renderSummary(report)}
<main>
${renderFailures(report)}
${renderChecks(report)}
${renderRequirements(report)}
${renderCoverage(report)}
${renderValidation(report)}
<h2 id="timelines">Export jobs</h2>
<p class="lead">Each export job from kick-off to the last download: the diamond is the kick-off, circles are status polls labelled with X-Progress (green: complete), bars are file downloads with their size and time. Hover for details.</p>
${timelines}
${renderExchangesShell(report)}
</main>
<script type="application/json" id="report-data">${raw(jsonForScript(buildPayload(report)))}</script>
<script>${raw(CLIENT_SCRIPT)}</script>
</body></html>
`;
  return page.value;
}
