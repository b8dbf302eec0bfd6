/**
 * One inline SVG per export job: the kick-off, every status poll (with its X-Progress), the
 * completion and every file download as a bar with its size and time. Drawn on a shared time axis
 * from the kick-off to the end of the last download.
 */
import type { ExportTimeline } from '../../engine/results';
import { formatBytes } from '../progress';
import { html, raw, type SafeHtml } from './escape';

const WIDTH = 960;
const LEFT = 16;
const RIGHT = 16;
const LANE = 18;
/** More downloads than this are summarised instead of drawn one lane each. */
export const MAX_DOWNLOAD_LANES = 40;

function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

const time = (iso: string | undefined): number | undefined => {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
};

/** Labels near an edge grow inwards so they are not cut off. */
const anchorAt = (px: number) => (px < LEFT + 60 ? 'start' : px > WIDTH - RIGHT - 60 ? 'end' : 'middle');

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** Polls answered 202 are grey, the final 200 green, anything else red. */
const pollColour = (status: number) => (status === 202 ? '#6e7781' : status === 200 ? '#1a7f37' : '#cf222e');

export function renderTimeline(t: ExportTimeline): SafeHtml {
  const stamps: number[] = [];
  const kick = time(t.kickoffAt);
  if (kick !== undefined) stamps.push(kick);
  for (const p of t.polls) {
    const at = time(p.at);
    if (at !== undefined) stamps.push(at);
  }
  for (const d of t.downloads) {
    const at = time(d.startedAt);
    if (at !== undefined) stamps.push(at, at + (d.durationMs ?? 0));
  }
  if (!stamps.length)
    return html`<p class="muted">No timing recorded for this job${t.problem ? `: ${t.problem}` : ''}.</p>`;
  const t0 = Math.min(...stamps);
  const span = Math.max(1, Math.max(...stamps) - t0);
  const x = (at: number) => LEFT + ((at - t0) / span) * (WIDTH - LEFT - RIGHT);
  const drawn = t.downloads.slice(0, MAX_DOWNLOAD_LANES);
  const eventsY = 58;
  const lanesTop = 104;
  const height = lanesTop + drawn.length * LANE + 28;
  const parts: SafeHtml[] = [];

  // Time axis with a few ticks.
  const axisY = height - 14;
  parts.push(
    html`<line x1="${LEFT}" y1="${axisY - 8}" x2="${WIDTH - RIGHT}" y2="${axisY - 8}" stroke="#d0d7de" />`,
  );
  for (let i = 0; i <= 4; i++) {
    const at = t0 + (span * i) / 4;
    const anchor = i === 0 ? 'start' : i === 4 ? 'end' : 'middle';
    parts.push(
      html`<text x="${x(at).toFixed(1)}" y="${axisY + 4}" text-anchor="${anchor}" class="muted"
        >+${formatDuration(at - t0)}</text
      >`,
    );
  }
  parts.push(
    html`<line x1="${LEFT}" y1="${eventsY}" x2="${WIDTH - RIGHT}" y2="${eventsY}" stroke="#d0d7de" />`,
  );

  if (kick !== undefined) {
    const kx = x(kick);
    parts.push(
      html`<g
        ><title>kick-off at ${t.kickoffAt} (${t.kickoffExchange ?? 'no exchange'})</title
        ><path d="M${kx.toFixed(1)} ${eventsY - 7} l7 7 l-7 7 l-7 -7 z" fill="#0969da"
      /></g>`,
      html`<text x="${kx.toFixed(1)}" y="${eventsY + 20}" text-anchor="${anchorAt(kx)}">kick-off</text>`,
    );
  }
  t.polls.forEach((p, i) => {
    const at = time(p.at);
    if (at === undefined) return;
    const px = x(at);
    const final = p.status !== 202;
    const label = final
      ? p.status === 200
        ? 'complete (200)'
        : `status ${p.status}`
      : clip(p.xProgress ?? '202, no X-Progress', 24);
    // Labels alternate between two heights so neighbouring polls stay readable.
    const ly = i % 2 === 0 ? eventsY - 14 : eventsY - 30;
    const pollTitle = `poll ${p.exchangeId} at ${p.at}: HTTP ${p.status}${p.xProgress ? `, X-Progress: ${p.xProgress}` : ''}${p.retryAfter ? `, Retry-After: ${p.retryAfter}` : ''}`;
    parts.push(
      html`<g
        ><title>${pollTitle}</title
        ><circle cx="${px.toFixed(1)}" cy="${eventsY}" r="${final ? 7 : 5}" fill="${pollColour(p.status)}"
      /></g>`,
      html`<line
        x1="${px.toFixed(1)}"
        y1="${ly + 3}"
        x2="${px.toFixed(1)}"
        y2="${eventsY - 6}"
        stroke="#d0d7de"
      />`,
      html`<text x="${px.toFixed(1)}" y="${ly}" text-anchor="${anchorAt(px)}">${label}</text>`,
    );
  });
  parts.push(html`<text x="${LEFT}" y="${lanesTop - 6}" class="muted">downloads</text>`);
  drawn.forEach((d, i) => {
    const y = lanesTop + i * LANE;
    const at = time(d.startedAt);
    const name = `${d.kind === 'error' ? 'error file ' : ''}${d.type}`;
    const label = `${name}: ${formatBytes(d.bytes)}${d.durationMs !== undefined ? ` in ${formatDuration(d.durationMs)}` : ''}${d.status !== undefined && d.status !== 200 ? ` (HTTP ${d.status})` : ''}${d.error ? ` — ${clip(d.error, 60)}` : ''}`;
    if (at === undefined) {
      parts.push(html`<text x="${LEFT}" y="${y + 12}">${label} (not timed)</text>`);
      return;
    }
    const bx = x(at);
    const bw = Math.max(2, x(at + (d.durationMs ?? 0)) - bx);
    const colour =
      d.error || (d.status !== undefined && d.status !== 200)
        ? '#cf222e'
        : d.kind === 'error'
          ? '#9a6700'
          : '#1a7f37';
    const textX = bx + bw + 6 > WIDTH - 260 ? bx - 6 : bx + bw + 6;
    const anchor = textX < bx ? 'end' : 'start';
    parts.push(
      html`<g
        ><title>
          ${d.url} — ${formatBytes(d.bytes)} decoded, ${formatBytes(d.wireBytes)} on the
          wire${d.exchangeId ? ` (${d.exchangeId})` : ''}</title
        ><rect
          x="${bx.toFixed(1)}"
          y="${y + 2}"
          width="${bw.toFixed(1)}"
          height="${LANE - 6}"
          rx="2"
          fill="${colour}"
      /></g>`,
      html`<text x="${textX.toFixed(1)}" y="${y + 12}" text-anchor="${anchor}">${label}</text>`,
    );
  });
  const more = t.downloads.length - drawn.length;
  const polls = t.polls.length;
  const bytes = t.downloads.reduce((n, d) => n + d.bytes, 0);
  return html`<figure>
    <svg
      class="timeline"
      viewBox="0 0 ${WIDTH} ${height}"
      width="${WIDTH}"
      height="${height}"
      role="img"
      aria-label="timeline of export ${t.name}"
    >
      ${parts}
    </svg>
    <figcaption class="small muted">
      ${polls} poll${polls === 1 ? '' : 's'}, ${t.downloads.length}
      download${t.downloads.length === 1 ? '' : 's'} (${formatBytes(bytes)} decoded) over
      ${formatDuration(span)}.${
        more > 0
          ? ` Only the first ${MAX_DOWNLOAD_LANES} downloads are drawn; ${more} more are in report.json.`
          : ''
      }${t.problem ? raw(` <strong>Problem:</strong> `) : ''}${t.problem ?? ''}
    </figcaption>
  </figure>`;
}
