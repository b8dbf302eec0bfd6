/** Rejects export specs the generator cannot honour, with a message naming the bad field. */
import type { ExportSpec, PlannedFile } from './types';

/** Beneficiary indexes map one-to-one onto MBIs; past this many they would repeat. */
export const MAX_BENEFICIARIES = 4_000_000;

export class ExportSpecError extends Error {
  override readonly name = 'ExportSpecError';
}

function validDate(d: unknown): d is Date {
  return d instanceof Date && Number.isFinite(d.getTime());
}

export function checkExportSpec(spec: ExportSpec): void {
  const n = spec.aco?.beneficiaries;
  if (typeof spec.aco?.cmsId !== 'string' || spec.aco.cmsId.length === 0) {
    throw new ExportSpecError('aco.cmsId must be a non-empty string');
  }
  if (!Number.isInteger(n) || n < 0 || n > MAX_BENEFICIARIES) {
    throw new ExportSpecError(
      `aco.beneficiaries must be an integer from 0 to ${MAX_BENEFICIARIES}, got ${String(n)}`,
    );
  }
  if (!Number.isFinite(spec.seed))
    throw new ExportSpecError(`seed must be a finite number, got ${String(spec.seed)}`);
  if (!Number.isFinite(spec.jobId))
    throw new ExportSpecError(`jobId must be a finite number, got ${String(spec.jobId)}`);
  if (!validDate(spec.transactionTime)) throw new ExportSpecError('transactionTime must be a valid Date');
  if (spec.since !== undefined && !validDate(spec.since))
    throw new ExportSpecError('since must be a valid Date when given');
  if (!Array.isArray(spec.types)) throw new ExportSpecError('types must be an array of resource types');
  if (!['v1', 'v2', 'v3'].includes(spec.version))
    throw new ExportSpecError(`version must be v1, v2 or v3, got ${String(spec.version)}`);
}

/** `range` is the export's beneficiary indexes (attribution.ts `population`): runout's lie past the ACO's. */
export function checkPlannedFile(
  spec: ExportSpec,
  file: PlannedFile,
  range: [number, number] = [0, spec.aco.beneficiaries],
): void {
  const [start, end] = file.beneficiaries;
  if (
    !Number.isInteger(start) ||
    !Number.isInteger(end) ||
    start < range[0] ||
    end < start ||
    end > range[1]
  ) {
    throw new ExportSpecError(
      `file ${file.name} covers beneficiaries [${start}, ${end}), outside the ACO's ${range[0]}..${range[1]} of this export`,
    );
  }
}
