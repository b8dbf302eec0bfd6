/**
 * "What failed", the first section of the page: one entry per root cause (causes.ts), led by the
 * first check that failed, with what else failed or was skipped because of it folded underneath.
 */
import type { CheckResult, RunReport } from '../../engine/results';
import { groupByCause, type CauseGroup } from './causes';
import { html, type SafeHtml } from './escape';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** A link that shows the check in the full table (the script opens it; the hash keeps it). */
function checkLink(r: CheckResult): SafeHtml {
  return html`<a class="check-link id" href="#check=${encodeURIComponent(r.id)}" data-check="${r.id}"
    >${r.id}</a
  >`;
}

function line(r: CheckResult): SafeHtml {
  return html`<li>
    <span class="badge ${r.outcome}">${r.outcome}</span> <span class="level">${r.level}</span> ${checkLink(r)}
    <span class="msg">${r.message}</span>
  </li>`;
}

function cause(report: RunReport, g: CauseGroup): SafeHtml {
  const head = report.results[g.head]!;
  const failed = g.failed.map((i) => report.results[i]!);
  const skipped = g.skipped.map((i) => report.results[i]!);
  const took = [
    failed.length ? `${plural(failed.length, 'more check')} failed` : '',
    skipped.length ? `${plural(skipped.length, 'check')} skipped` : '',
  ].filter(Boolean);
  return html`<li class="cause" data-head="${head.id}">
    <p class="cause-head">
      <span class="badge ${head.outcome}">${head.outcome}</span>
      <span class="level">${head.level}</span> ${checkLink(head)} <span class="title">${head.title}</span>
    </p>
    <p class="msg">${head.message}</p>
    ${g.problems.map(
      (p) =>
        html`<p class="small muted">
          Export problem: ${p.problem} (${p.exports.length === 1 ? 'export' : 'exports'}
          ${p.exports.join(', ')})
        </p>`,
    )}
    ${
      took.length
        ? html`<details class="cascade">
            <summary>Because of the same cause: ${took.join(', ')}</summary>
            ${
              failed.length
                ? html`<h4>Failed the same way</h4>
                    <ul class="cascade-list">
                      ${failed.map(line)}
                    </ul>`
                : ''
            }
            ${
              skipped.length
                ? html`<h4>Skipped</h4>
                    <ul class="cascade-list">
                      ${skipped.map(line)}
                    </ul>`
                : ''
            }
          </details>`
        : ''
    }
  </li>`;
}

export function renderFailures(report: RunReport): SafeHtml {
  const { groups, otherSkips } = groupByCause(report);
  const failing = groups.reduce((n, g) => n + 1 + g.failed.length, 0);
  const others = otherSkips.map((i) => report.results[i]!);
  const otherList = others.length
    ? html`<details class="cascade other-skips">
        <summary>${plural(others.length, 'skipped check')} that no failure above explains</summary>
        <ul class="cascade-list">
          ${others.map(line)}
        </ul>
      </details>`
    : '';
  if (!groups.length)
    return html`<section id="failures" class="failures">
      <h2>What failed</h2>
      <p class="ok-note">Nothing failed: every check that could judge the target found what it expects.</p>
      ${otherList}
    </section>`;
  return html`<section id="failures" class="failures">
    <h2>What failed</h2>
    <p class="lead">
      ${plural(failing, 'check')} failed or warned, from ${plural(groups.length, 'cause')}. Each cause shows
      the first check it broke; open it for what else failed or was skipped because of it. The full table is
      <a href="#checks">below</a>.
    </p>
    <ol class="causes">
      ${groups.map((g) => cause(report, g))}
    </ol>
    ${otherList}
  </section>`;
}
