/** Suggestions for a mistyped name: the known names closest to it by edit distance. */

/** Levenshtein distance, case-insensitive (two rows of the table at a time). */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let previous = Array.from({ length: t.length + 1 }, (_v, i) => i);
  for (let i = 1; i <= s.length; i++) {
    const current = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[t.length]!;
}

/**
 * The known names closest to `name` (at most `limit`), or none when nothing is close: a name
 * counts as close within a third of its length in edits, or when one contains the other.
 */
export function closestNames(name: string, known: Iterable<string>, limit = 3): string[] {
  const lower = name.toLowerCase();
  const scored: Array<{ name: string; distance: number }> = [];
  for (const candidate of known) {
    const c = candidate.toLowerCase();
    const distance = editDistance(lower, c);
    const contained = Math.min(lower.length, c.length) >= 4 && (c.includes(lower) || lower.includes(c));
    if (distance <= Math.max(1, Math.floor(Math.max(lower.length, c.length) / 3)) || contained)
      scored.push({ name: candidate, distance: contained ? Math.min(distance, 1) : distance });
  }
  return scored
    .sort((x, y) => x.distance - y.distance || x.name.localeCompare(y.name))
    .slice(0, limit)
    .map((s) => s.name);
}

/** ` (did you mean "a" or "b"?)`, or '' when nothing is close. */
export function didYouMean(name: string, known: Iterable<string>): string {
  const close = closestNames(name, known);
  if (!close.length) return '';
  const quoted = close.map((c) => `"${c}"`);
  const last = quoted.pop()!;
  return ` (did you mean ${quoted.length ? `${quoted.join(', ')} or ${last}` : last}?)`;
}

/**
 * The candidates that nearly contain `text` (a --grep that matched nothing): those with a stretch
 * of the same length within a quarter of its length in edits, closest first.
 */
export function nearlyContaining(text: string, candidates: Iterable<string>, limit = 3): string[] {
  const needle = text.toLowerCase();
  const allowed = Math.max(1, Math.floor(needle.length / 4));
  const scored: Array<{ name: string; distance: number }> = [];
  for (const candidate of candidates) {
    const hay = candidate.toLowerCase();
    let best = Infinity;
    // Windows one shorter and one longer too, so a dropped or doubled letter still lines up.
    for (const size of [needle.length - 1, needle.length, needle.length + 1]) {
      if (size < 1) continue;
      for (let at = 0; at + size <= hay.length && best > 0; at++)
        best = Math.min(best, editDistance(needle, hay.slice(at, at + size)));
    }
    if (best <= allowed) scored.push({ name: candidate, distance: best });
  }
  return scored
    .sort((x, y) => x.distance - y.distance || x.name.localeCompare(y.name))
    .slice(0, limit)
    .map((s) => s.name);
}
