/**
 * The requirements view of index.html: for each source, how many of its requirements this run
 * showed met, broken, not checked; then every requirement that needs a reader's attention (broken,
 * a known deviation, not checked, no check yet) with its statement and the checks that verify it.
 * The rows that were met, untestable, superseded or do not apply are only counted here; report.json
 * lists them all.
 */
import type { RequirementStatus } from '../../engine/requirement-verdicts';
import { REQUIREMENT_STATUSES } from '../../engine/requirement-verdicts';
import type { Outcome } from '../../core/vocabulary';
import type { RunReport } from '../../engine/results';
import { requirementsTable, type Requirement } from '../../requirements/table';
import { html, type SafeHtml } from './escape';

/** A requirement of the table with what this run showed of it. */
interface Row {
  req: Requirement;
  status: RequirementStatus;
  reason?: string;
  checks: Array<{ id: string; outcome?: Outcome }>;
}

/** Statuses listed row by row, in this order; the others are counted only. */
const LISTED: readonly RequirementStatus[] = ['broken', 'known deviation', 'not checked', 'no check'];

const STATUS_CLASS: Record<RequirementStatus, string> = {
  met: 'pass',
  broken: 'fail',
  'known deviation': 'warn',
  'not checked': 'skip',
  'not selected': 'skip',
  'no check': 'skip',
  untestable: 'skip',
  superseded: 'skip',
  'not applicable': 'skip',
};

function checksCell(v: Row): SafeHtml {
  if (!v.checks.length) return html`<span class="muted">none</span>`;
  return html`${v.checks.map(
    (c, i) =>
      html`${i ? ', ' : ''}<span class="id">${c.id}</span
        >${c.outcome ? html` <span class="muted small">${c.outcome}</span>` : html` <span class="muted small">not run</span>`}`,
  )}`;
}

/** The report's verdicts joined with the table (what each says) and the results (its checks' outcomes). */
function rowsOf(report: RunReport): Row[] {
  const table = requirementsTable();
  const outcomes = new Map(report.results.map((r) => [r.id, r.outcome]));
  return (report.requirements ?? []).flatMap((v) => {
    const req = table.byId.get(v.id);
    if (!req) return [];
    const checks = req.checks.map((id) => {
      const outcome = outcomes.get(id);
      return outcome ? { id, outcome } : { id };
    });
    const reason = v.reason ?? (v.status === 'no check' ? req.uncovered : undefined);
    return [{ req, status: v.status, checks, ...(reason ? { reason } : {}) }];
  });
}

export function renderRequirements(report: RunReport): SafeHtml {
  const verdicts = rowsOf(report);
  if (!verdicts.length) return html``;
  const sources = [...new Set(verdicts.map((v) => v.req.source))];
  const count = (source: string, status: RequirementStatus) =>
    verdicts.filter((v) => v.req.source === source && v.status === status).length;
  const listed = LISTED.flatMap((status) => verdicts.filter((v) => v.status === status));
  return html`<h2 id="requirements">Requirements</h2>
    <p class="lead">
      Each numbered statement of BCDA's documents, the Bulk Data IG v2 server rules and the real server's
      behaviour (spec/requirements/), judged by the checks that verify it: <b>met</b> when a check passed and
      none failed, <b>broken</b> when one failed or warned, <b>not checked</b> when its checks skipped or
      erred (<b>not selected</b>: this run did not include them). The full table with reasons is in
      report.json and docs/requirements.md.
    </p>
    <div class="table-box">
      <table class="req-summary">
        <thead>
          <tr>
            <th>Source</th>
            ${REQUIREMENT_STATUSES.map((s) => html`<th>${s}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${sources.map(
            (source) =>
              html`<tr>
                <td class="id">${source}</td>
                ${REQUIREMENT_STATUSES.map((s) => html`<td>${count(source, s) || ''}</td>`)}
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    ${
      listed.length
        ? html`<div class="table-box">
            <table class="req-list">
              <thead>
                <tr>
                  <th>Status</th>
                  <th>Requirement</th>
                  <th>Level</th>
                  <th>Statement</th>
                  <th>Checks</th>
                  <th>Why</th>
                </tr>
              </thead>
              <tbody>
                ${listed.map(
                  (v) =>
                    html`<tr data-status="${v.status}">
                      <td><span class="badge ${STATUS_CLASS[v.status]}">${v.status}</span></td>
                      <td class="id">${v.req.id}<br /><span class="muted small">${v.req.section}</span></td>
                      <td>${v.req.level}</td>
                      <td class="text">${v.req.statement}</td>
                      <td>${checksCell(v)}</td>
                      <td class="text small">${v.reason ?? ''}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
        : html`<p class="muted">Every applicable, testable requirement was met.</p>`
    }`;
}
