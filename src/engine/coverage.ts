/** The operation × status coverage matrix: what the spec documents against what the run saw. */
import { OPERATIONS, type OperationId } from '../../generated/operations';
import type { ContractVerdict } from '../contract/judge';
import type { ApiVersion } from '../core/vocabulary';
import type { Exchange } from '../http/exchange';
import type { CoverageRow } from './results';

/** `contract`: the run's contract verdicts, when it judged them; each cell then says how its answers conformed. */
export function coverageMatrix(
  exchanges: readonly Exchange[],
  version: ApiVersion,
  contract?: readonly ContractVerdict[],
): CoverageRow[] {
  const verdicts = new Map(contract?.map((v) => [v.exchangeId, v]));
  const seen = new Map<string, Record<string, number>>();
  const judged = new Map<string, NonNullable<CoverageRow['contract']>>();
  for (const ex of exchanges) {
    if (!ex.operationId || !ex.response) continue;
    const row = seen.get(ex.operationId) ?? {};
    const key = String(ex.response.status);
    row[key] = (row[key] ?? 0) + 1;
    seen.set(ex.operationId, row);
    const verdict = verdicts.get(ex.id);
    if (!contract || !verdict?.operationId) continue;
    const cells = judged.get(ex.operationId) ?? {};
    const cell = (cells[key] ??= { broken: 0, deviating: 0 });
    if (verdict.findings.some((f) => !f.knownDeviation)) cell.broken += 1;
    else if (verdict.findings.length) cell.deviating += 1;
    judged.set(ex.operationId, cells);
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
        ...(contract ? { contract: judged.get(id) ?? {} } : {}),
      };
    });
}
