/** How the data checks word what they found: a resource with its lastUpdated, a short sample, their evidence. */
import type { IndexedExport } from './data-exports';
import type { IndexedResource } from './data-index';

export const iso = (ms: number): string => new Date(ms).toISOString();

/** `Patient/1 (lastUpdated 2024-01-01T00:00:00.000Z)`. */
export const updatedAt = (r: IndexedResource): string =>
  `${r.key} (lastUpdated ${r.lastUpdated === undefined ? 'none' : iso(r.lastUpdated)})`;

/** The first three items, and how many more there are. */
export function sample(items: readonly string[], total = items.length): string {
  const shown = items.slice(0, 3).join('; ');
  return total > 3 ? `${shown} (+${total - 3} more)` : shown;
}

/** Why a check found nothing wrong yet cannot pass: an export was not read to its end. */
export const unread = (e: IndexedExport): string =>
  `nothing wrong in what was read, but ${e.label} was not read whole (${e.incomplete ?? 'unknown'})`;

/** The exchanges of the exports, each once. */
export const evidence = (...exports: IndexedExport[]): string[] => [
  ...new Set(exports.flatMap((e) => e.evidence)),
];
