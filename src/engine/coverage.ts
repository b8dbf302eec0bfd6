/** The operation × status coverage matrix: what the spec documents against what the run saw. */
import { OPERATIONS, type OperationId } from '../../generated/operations';
import type { ApiVersion } from '../core/vocabulary';
import type { Exchange } from '../http/exchange';
import type { CoverageRow } from './results';

export function coverageMatrix(exchanges: readonly Exchange[], version: ApiVersion): CoverageRow[] {
  const seen = new Map<string, Record<string, number>>();
  for (const ex of exchanges) {
    if (!ex.operationId || !ex.response) continue;
    const row = seen.get(ex.operationId) ?? {};
    const key = String(ex.response.status);
    row[key] = (row[key] ?? 0) + 1;
    seen.set(ex.operationId, row);
  }
  return (Object.keys(OPERATIONS) as OperationId[])
    .filter((id) => {
      const v = OPERATIONS[id].version as string | null;
      return v === null || v === version;
    })
    .map((id) => {
      const def = OPERATIONS[id];
      const observed = seen.get(id) ?? {};
      const documented = [...def.statuses] as number[];
      return {
        operationId: id,
        method: def.method.toUpperCase(),
        path: def.path,
        documented,
        observed,
        undocumented: Object.keys(observed)
          .map(Number)
          .filter((s) => !documented.includes(s)),
      };
    });
}
