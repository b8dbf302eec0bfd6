/**
 * Failures grouped by root cause, for the top of the HTML report. One broken step upstream (a
 * kick-off that answers 200, a job that never finishes) makes dozens of later checks fail or skip;
 * the reader wants the first failure and, folded under it, what it took down with it.
 *
 * Only what report.json carries is used. Two results are put in the same group when
 *  - their first evidence exchange is the same request;
 *  - one's message names the other's check id ("skipped: KICKOFF-X failed");
 *  - both failed with the very same message (one symptom seen by several checks);
 *  - both stem from the same export problem: the message quotes the problem, or the first
 *    evidence exchange is the request where that export broke, or one like it (same method, path
 *    and answer status).
 * A group is shown when it holds a failure (a failed or errored check, or a warning that is not a
 * documented deviation); its first one in run order leads it. Skips that no failure explains are
 * listed apart.
 */
import type { CheckResult, RunReport } from '../../engine/results';
import type { Exchange } from '../../http/exchange';

export interface CauseGroup {
  /** Index in report.results of the first failure of the group. */
  head: number;
  /** The other failures of the group, in run order. */
  failed: number[];
  /** The skips the group explains, in run order. */
  skipped: number[];
  /** Export problems the group gathers around (text), with the exports that had each. */
  problems: Array<{ problem: string; exports: string[] }>;
}

export interface FailureOverview {
  groups: CauseGroup[];
  /** Skips that no failure of the run accounts for (by design, or a cause the report cannot see). */
  otherSkips: number[];
}

/** A failure worth leading a group: failed, errored, or warned without a known deviation. */
export function isProblem(r: Pick<CheckResult, 'outcome' | 'knownDeviation'>): boolean {
  return r.outcome === 'fail' || r.outcome === 'error' || (r.outcome === 'warn' && !r.knownDeviation);
}

class DisjointSets {
  private readonly parent = new Map<string, string>();
  find(a: string): string {
    let root = a;
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root)!;
    this.parent.set(a, root);
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
}

/** Method, path and answer of an exchange: requests "like" the one where an export broke. */
function shape(x: Exchange | undefined): string | undefined {
  if (!x) return undefined;
  let path = x.request.url;
  try {
    path = new URL(x.request.url).pathname;
  } catch {
    // a URL the client could not parse is compared as recorded
  }
  return `${x.request.method} ${path} → ${x.response?.status ?? x.error ?? 'no answer'}`;
}

/** The exchange where an export stopped: its last poll, or the kick-off when it was never polled. */
function brokenAt(t: RunReport['exports'][number]): string | undefined {
  return t.polls.at(-1)?.exchangeId ?? t.finalExchange ?? t.kickoffExchange;
}

export function groupByCause(report: RunReport): FailureOverview {
  const results = report.results;
  const exchanges = new Map(report.exchanges.map((x) => [x.id, x] as const));
  const sets = new DisjointSets();
  const node = (i: number) => `r${i}`;
  // Known deviations are the real server's documented behaviour, not something that broke.
  const members = results.map((r, i) => ({ r, i })).filter(({ r }) => r.outcome === 'skip' || isProblem(r));
  const byId = new Map(members.map(({ r, i }) => [r.id, i] as const));

  const broken = report.exports.filter((t) => t.problem);
  const problemShapes = new Map<string, string>();
  for (const t of broken) {
    const at = brokenAt(t);
    const s = shape(at ? exchanges.get(at) : undefined);
    if (s) problemShapes.set(s, `p:${t.problem}`);
    if (at) sets.union(`p:${t.problem}`, `x:${at}`);
    if (t.kickoffExchange) sets.union(`p:${t.problem}`, `x:${t.kickoffExchange}`);
  }

  for (const { r, i } of members) {
    const first = r.evidence[0];
    if (first) {
      sets.union(node(i), `x:${first}`);
      const s = shape(exchanges.get(first));
      const p = s && problemShapes.get(s);
      if (p) sets.union(node(i), p);
    }
    if (r.message.trim()) sets.union(node(i), `${r.outcome === 'skip' ? 's' : 'm'}:${r.message}`);
    for (const t of broken)
      if (t.problem && r.message.includes(t.problem)) sets.union(node(i), `p:${t.problem}`);
    for (const word of r.message.match(/\b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+\b/g) ?? []) {
      const other = byId.get(word);
      if (other !== undefined && other !== i) sets.union(node(i), node(other));
    }
  }

  const groups = new Map<string, number[]>();
  for (const { i } of members) {
    const root = sets.find(node(i));
    groups.set(root, [...(groups.get(root) ?? []), i]);
  }

  const out: CauseGroup[] = [];
  const otherSkips: number[] = [];
  for (const [root, indices] of groups) {
    const problems = indices.filter((i) => isProblem(results[i]!));
    if (!problems.length) {
      otherSkips.push(...indices);
      continue;
    }
    const gathered = new Map<string, string[]>();
    for (const t of broken)
      if (sets.find(`p:${t.problem}`) === root)
        gathered.set(t.problem!, [...(gathered.get(t.problem!) ?? []), t.name]);
    out.push({
      head: problems[0]!,
      failed: problems.slice(1),
      skipped: indices.filter((i) => results[i]!.outcome === 'skip'),
      problems: [...gathered].map(([problem, exports]) => ({ problem, exports })),
    });
  }
  return {
    groups: out.sort((a, b) => rank(results, a) - rank(results, b) || a.head - b.head),
    otherSkips: otherSkips.sort((a, b) => a - b),
  };
}

/**
 * What decides the run comes first (a MUST failure or error), then other failures, then warnings;
 * a larger cascade before a smaller one.
 */
function rank(results: readonly CheckResult[], g: CauseGroup): number {
  const all = [g.head, ...g.failed].map((i) => results[i]!);
  const severity = all.some((r) => r.level === 'MUST' && (r.outcome === 'fail' || r.outcome === 'error'))
    ? 0
    : all.some((r) => r.outcome === 'fail' || r.outcome === 'error')
      ? 1
      : 2;
  return severity * 1_000_000 - (g.failed.length + g.skipped.length);
}
