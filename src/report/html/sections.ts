/** The server-rendered parts of index.html. Every value goes through the `html` template's escaping. */
import type { Outcome } from '../../core/vocabulary';
import type { CoverageRow, RunReport, ValidationFileSummary } from '../../engine/results';
import { formatBytes } from '../progress';
import { mockCommand } from '../reproduce';
import { html, raw, type SafeHtml } from './escape';
import { isClientReport } from './payload';
import { pathOfUrl } from '../../core/url-path';

export const OUTCOMES: readonly Outcome[] = ['pass', 'fail', 'warn', 'skip', 'error'];
const OUTCOME_WORD: Record<Outcome, string> = {
  pass: 'passed',
  fail: 'failed',
  warn: 'warnings',
  skip: 'skipped',
  error: 'errors',
};

/** Issues listed per file in the validation table. */
export const TOP_ISSUES = 5;
/** Files listed in the validation table before the rest are only counted. */
export const MAX_VALIDATION_FILES = 300;

const SERVER_LEAD = html`<h1>BCDA conformance report</h1>
  <p class="lead">
    Each check below sends requests to the target server and compares what it answers with the BCDA
    documentation and the FHIR Bulk Data Access IG. A failed MUST-level check makes the target not conformant;
    SHOULD and MAY findings are warnings.
  </p>`;
/** The client test kit's report (issue 19) judges what a client sent, not what a server answered. */
const CLIENT_LEAD = html`<h1>BCDA client conformance report</h1>
  <p class="lead">
    The mock served a BCDA client through each scenario and recorded every request it sent. Each check below
    compares what the client did, request by request, with what the BCDA documentation and the FHIR Bulk Data
    Access IG ask of a client. A failed MUST-level check makes the client not conformant; SHOULD and MAY
    findings are warnings.
  </p>`;

export function renderSummary(report: RunReport): SafeHtml {
  const { run, summary } = report;
  const client = isClientReport(report);
  const ok = summary.verdict === 'conformant';
  const counts = OUTCOMES.map(
    (o) =>
      html`<button type="button" class="count" data-outcome="${o}" title="show only ${o} checks">
        <b>${summary.counts[o]}</b><span class="badge ${o}">${o}</span> ${OUTCOME_WORD[o]}
      </button>`,
  );
  const privacy = run.privacy;
  const privacyNote =
    privacy && !privacy.syntheticTarget && !privacy.includeSamples
      ? html`<p class="note">
          This target may hold real beneficiary data, so response bodies that could contain resources were
          left out (${privacy.omittedBodies.length} exchange${privacy.omittedBodies.length === 1 ? '' : 's'});
          ids, paths and messages remain. Run with <code>--include-samples</code> to keep examples.
        </p>`
      : '';
  const mock = mockCommand(run);
  const faults = run.mockFaults.length
    ? html`<p class="note">
        The embedded mock ran with deliberate faults switched on: ${run.mockFaults.join(', ')}.
      </p>`
    : '';
  // The embedded mock's port closed with the run: say how to bring up the same mock again.
  const reproduce = mock
    ? html`<p class="small">
        To repeat a request, start the same mock first: <code class="cmd">${mock}</code>; every curl in this
        report points at it.
      </p>`
    : '';
  return html`<header class="top">
    ${client ? CLIENT_LEAD : SERVER_LEAD}
    <p>
      <span class="verdict ${ok ? 'ok' : 'bad'}">${summary.verdict.toUpperCase()}</span>
      <span class="muted"
        >${summary.total}
        checks${
          summary.mustFailures.length
            ? `, ${summary.mustFailures.length} MUST-level failure${summary.mustFailures.length === 1 ? '' : 's'}`
            : ''
        }</span
      >
    </p>
    <div class="counts">
      ${counts}<button type="button" class="count" data-outcome="" title="show every check">show all</button>
    </div>
    ${faults}${reproduce}${privacyNote}
    <details class="run-info">
      <summary>
        Run: <span class="url">${run.target}</span> · ${run.apiVersion} · ${run.profile} ·
        ${(run.durationMs / 1000).toFixed(1)} s · ${run.requests} requests
      </summary>
      <dl class="meta">
        <dt>Target</dt>
        <dd class="url">${run.target}</dd>
        <dt>API version</dt>
        <dd>${run.apiVersion}</dd>
        <dt>Profile</dt>
        <dd>${run.profile}</dd>
        <dt>Group</dt>
        <dd>${run.group}</dd>
        <dt>Started</dt>
        <dd>${run.startedAt}</dd>
        <dt>Duration</dt>
        <dd>${(run.durationMs / 1000).toFixed(1)} s</dd>
        <dt>Requests</dt>
        <dd>${run.requests}</dd>
        <dt>Kick-offs</dt>
        <dd>
          ${
            client
              ? `${run.kickoffs} sent by the client, ${run.jobsStarted} accepted`
              : `${run.kickoffs} (limit ${run.maxKickoffs}), ${run.jobsStarted} jobs started`
          }
        </dd>
        <dt>Suites</dt>
        <dd>${run.suites.join(', ')}</dd>
        <dt>Tool</dt>
        <dd>${report.tool.name} ${report.tool.version}, report schema ${report.schemaVersion}</dd>
      </dl>
    </details>
    <details class="small">
      <summary>How to read this report</summary>
      <ul>
        ${
          client
            ? html`<li>
                <b>Outcome</b>: pass (the client did what the rule asks), fail (it did not), warn (a SHOULD or
                MAY rule was not met), skip (no scenario gave the client the chance, e.g. no job failed),
                error (the check itself could not run). A check runs in every scenario and shows its worst
                outcome, naming the scenario in brackets.
              </li>`
            : html`<li>
                <b>Outcome</b>: pass (the server did what the rule asks), fail (it did not), warn (a SHOULD or
                MAY rule was not met), skip (the check could not run here, e.g. it needs a second client),
                error (the check could not get an answer, e.g. a timeout).
              </li>`
        }
        <li><b>Level</b>: MUST rules decide conformance; SHOULD and MAY rules are recommendations.</li>
        <li>
          <b>What failed</b>: one broken step (a kick-off that fails) makes many later checks fail or skip, so
          failures are grouped by cause, each led by the first check it broke.
        </li>
        <li>
          <b>References</b>: <code>seed:NNN §…</code> is a section of the BCDA public documentation,
          <code>bulkdata@N</code> a numbered requirement of the FHIR Bulk Data Access IG v2 (each links to its
          section), <code>behavior §…</code> how the real BCDA server is known to behave.
        </li>
        <li>
          <b>Export job</b>: a kick-off request starts it, the client polls its status URL (the server reports
          <code>X-Progress</code> while it runs) until a manifest lists the NDJSON files to download.
        </li>
        ${
          client
            ? html`<li>
                <b>Requests</b> are the client's, as the mock recorded them (ids are
                <code>scenario/rNNNN</code>, in the order they arrived): a credential shows as its scheme and
                a fingerprint (<code>Bearer fp:…</code>, the same for the same token), never the token or
                secret.
              </li>`
            : html`<li>
                <b>Requests</b> are shown as recorded, with credentials replaced by
                <code>&lt;redacted&gt;</code>; each comes with a curl command that uses
                <code>$BCDA_TOKEN</code> instead of the token.
              </li>`
        }
        <li>
          <b>Links</b>: the filters and the opened check are kept in the address
          (<code>#outcome=fail&amp;check=…</code>), so a copied link opens the same view.
        </li>
      </ul>
    </details>
    <nav class="toc small">
      <a href="#failures">What failed</a
      ><a href="#checks">Checks</a
      >${report.requirements?.length ? html`<a href="#requirements">Requirements</a>` : ''}<a href="#coverage"
        >Coverage</a
      ><a href="#validation">FHIR validation</a><a href="#timelines">Export jobs</a
      ><a href="#exchanges">All requests</a>
    </nav>
  </header>`;
}

export function renderChecks(report: RunReport): SafeHtml {
  const areas = [...new Set(report.results.map((r) => r.area))];
  const rows = report.results.map(
    (r, i) =>
      html`<tr
        class="check"
        tabindex="0"
        aria-expanded="false"
        data-i="${i}"
        data-id="${r.id}"
        data-outcome="${r.outcome}"
        data-level="${r.level}"
        data-area="${r.area}"
        data-search="${`${r.id} ${r.title} ${r.message} ${r.area}`.toLowerCase()}"
      >
        <td class="c-outcome"><span class="badge ${r.outcome}">${r.outcome}</span></td>
        <td class="c-level">${r.level}</td>
        <td class="c-area">${r.area}</td>
        <td class="id c-id">${r.id}</td>
        <td class="c-title">
          ${r.title}${r.knownDeviation ? raw(' <span class="muted small">(known deviation)</span>') : ''}
        </td>
        <td class="text c-msg">${r.message}</td>
      </tr>`,
  );
  return html`<h2 id="checks">Checks</h2>
    ${
      isClientReport(report)
        ? html`<p class="lead">
            Click a row (or press Enter on it) to see what the client should have done, the requirement it
            comes from, and the client's requests, with the mock's answers, that show what it did.
          </p>`
        : html`<p class="lead">
            Click a row (or press Enter on it) to see what was checked, where the rule comes from, and the
            requests and responses that show the result, with a curl command to repeat each one.
          </p>`
    }
    <div class="filters" role="search">
      <span>Outcome:</span
      >${OUTCOMES.map((o) => html`<label><input type="checkbox" name="outcome" value="${o}" checked /> ${o}</label>`)}
      <label
        >Level:
        <select id="f-level">
          <option value="">any</option>
          <option>MUST</option>
          <option>SHOULD</option>
          <option>MAY</option>
        </select></label
      >
      <label
        >Suite:
        <select id="f-area">
          <option value="">any</option>
          ${areas.map((a) => html`<option>${a}</option>`)}
        </select></label
      >
      <label class="search"
        >Search: <input type="search" id="f-search" placeholder="id, title or message"
      /></label>
      <span id="f-shown" class="muted small"></span>
    </div>
    <div class="table-box">
      <table id="check-table">
        <thead>
          <tr>
            <th>Outcome</th>
            <th>Level</th>
            <th>Suite</th>
            <th>Check</th>
            <th>What it checks</th>
            <th>Result</th>
          </tr>
        </thead>
        <tbody>
          ${rows}
        </tbody>
      </table>
    </div>`;
}

function coverageCell(row: CoverageRow, status: number): SafeHtml {
  const seen = row.observed[String(status)];
  const documented = row.documented.includes(status);
  const contract = row.contract?.[String(status)];
  if (seen && documented && contract?.broken)
    return html`<td
      class="undoc"
      title="documented and seen ${seen} time(s); ${contract.broken} answer(s) broke the contract (see CONTRACT-* results)"
    >
      ✗ ${contract.broken}/${seen}
    </td>`;
  if (seen && documented && contract?.deviating)
    return html`<td
      class="seen"
      title="documented and seen ${seen} time(s); ${contract.deviating} showed a known deviation of the real server"
    >
      ✓ ${seen} ~
    </td>`;
  if (seen && documented)
    return html`<td
      class="seen"
      title="documented and seen ${seen} time(s)${row.contract ? ', every answer as the contract documents' : ''}"
    >
      ✓ ${seen}
    </td>`;
  if (seen) return html`<td class="undoc" title="seen ${seen} time(s) but not documented">${seen} !</td>`;
  if (documented) return html`<td class="doc" title="documented, not seen in this run">·</td>`;
  return html`<td></td>`;
}

export function renderCoverage(report: RunReport): SafeHtml {
  const statuses = [
    ...new Set(report.coverage.flatMap((r) => [...r.documented, ...Object.keys(r.observed).map(Number)])),
  ].sort((a, b) => a - b);
  const undocumented = report.coverage.filter((r) => r.undocumented.length);
  const rows = report.coverage.map(
    (r) =>
      html`<tr>
        <td class="op"><b>${r.method}</b> ${r.path}<br /><span class="muted">${r.operationId}</span></td>
        ${statuses.map((s) => coverageCell(r, s))}
      </tr>`,
  );
  return html`<h2 id="coverage">Coverage: operations × HTTP status</h2>
    <p class="lead">
      Which status codes the contract documents for each operation, which ones this run actually received, and
      whether those answers kept to the contract (status, Content-Type, headers and body; the CONTRACT-*
      checks).
    </p>
    <p class="legend small">
      <span class="seen" style="background:#dafbe1">✓ n</span>documented and seen n times
      <span class="seen" style="background:#dafbe1">✓ n ~</span>seen, with a known deviation of the real
      server <span style="background:#ffebe9;color:#cf222e">✗ k/n</span>k of the n answers broke the contract
      <span>·</span>documented, not seen <span style="background:#ffebe9;color:#cf222e">n !</span>seen but not
      documented
    </p>
    ${undocumented.length ? html`<p class="note">Undocumented statuses were received: ${undocumented.map((r) => `${r.operationId} → ${r.undocumented.join(', ')}`).join('; ')}.</p>` : ''}
    <div class="table-box">
      <table class="cov">
        <thead>
          <tr>
            <th>Operation</th>
            ${statuses.map((s) => html`<th>${s}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${rows}
        </tbody>
      </table>
    </div>`;
}

function validationRow(f: ValidationFileSummary): SafeHtml {
  const top = f.issues.slice(0, TOP_ISSUES);
  const more = f.issues.length - top.length + f.issuesDropped;
  const types = Object.entries(f.countsByType)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ');
  const issues = top.length
    ? html`<ul class="small">
          ${top.map((i) => html`<li>line ${i.line}${i.path ? ` · ${i.path}` : ''} · <span class="muted">${i.ruleId} (${i.severity})</span>: ${i.message}</li>`)}
        </ul>
        ${
          more > 0
            ? html`<span class="muted small"
                >and ${more} more (report.json lists up to the per-file cap)</span
              >`
            : ''
        }`
    : html`<span class="muted">none</span>`;
  return html`<tr>
    <td class="id url">${pathOfUrl(f.file)}</td>
    <td>${f.kind}</td>
    <td>${types}</td>
    <td>${formatBytes(f.bytes)}</td>
    <td>${f.lines}</td>
    <td>${f.validatedLines}</td>
    <td>${f.invalidLines ? html`<b style="color:#cf222e">${f.invalidLines}</b>` : '0'}</td>
    <td>${f.firstFailingLine ?? ''}</td>
    <td class="text issues">${issues}</td>
  </tr>`;
}

export function renderValidation(report: RunReport): SafeHtml {
  const files = report.validation.slice(0, MAX_VALIDATION_FILES);
  const hidden = report.validation.length - files.length;
  const invalid = report.validation.reduce((n, f) => n + f.invalidLines, 0);
  const lines = report.validation.reduce((n, f) => n + f.lines, 0);
  return html`<h2 id="validation">FHIR validation of downloaded files</h2>
    <p class="lead">
      Every downloaded NDJSON file was checked line by line against the FHIR R4 schema and the BCDA profile
      rules. ${report.validation.length} file(s), ${lines} lines, ${invalid} invalid.
    </p>
    ${
      report.validation.length
        ? html`<div class="table-box">
              <table>
                <thead>
                  <tr>
                    <th>File</th>
                    <th>Kind</th>
                    <th>Resources</th>
                    <th>Size</th>
                    <th>Lines</th>
                    <th>Validated</th>
                    <th>Invalid</th>
                    <th>First bad line</th>
                    <th>Top messages (line · path · rule)</th>
                  </tr>
                </thead>
                <tbody>
                  ${files.map(validationRow)}
                </tbody>
              </table>
            </div>
            ${hidden > 0 ? html`<p class="muted">${hidden} more files are listed in report.json.</p>` : ''}`
        : html`<p class="muted">No files were downloaded and validated in this run.</p>`
    }`;
}

export function renderExchangesShell(report: RunReport): SafeHtml {
  return html`<h2 id="exchanges">All requests</h2>
    ${
      isClientReport(report)
        ? html`<p class="lead">
            Every request the client sent to the mock (${report.exchanges.length}), scenario by scenario, in
            order. Credentials show only as fingerprints. Rows appear in pages; use the search to narrow them.
          </p>`
        : html`<p class="lead">
            Every HTTP request the run made (${report.exchanges.length}), in order. Credentials are redacted.
            Rows appear in pages; use the search to narrow them.
          </p>`
    }
    <div class="filters">
      <label class="search"
        >Search: <input type="search" id="x-search" placeholder="id, URL, status or purpose" /></label
      ><span id="x-shown" class="muted small"></span>
    </div>
    <div class="table-box">
      <table>
        <thead>
          <tr>
            <th>Id</th>
            <th>Method</th>
            <th>URL</th>
            <th>Status</th>
            <th>Purpose</th>
            <th>Time</th>
          </tr>
        </thead>
        <tbody id="exchange-rows"></tbody>
      </table>
    </div>
    <p><button type="button" class="more" id="x-more">show more</button></p>`;
}
