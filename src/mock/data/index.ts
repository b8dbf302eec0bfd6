/**
 * The mock's deterministic synthetic data generator (implements ExportDataGenerator from
 * ./types): BFD-shaped CARIN Blue Button resources, planned and streamed per BCDA file.
 */
import type { ExportDataGenerator } from './types';
import { fileLines } from './lines';
import { planExport } from './plan';

export { fileLines, type FileLinesOptions, beneficiaryResources } from './lines';
export { planExport, BATCH_SIZES, WARNINGS_FILE_NAME, batchFileName, errorFileName } from './plan';
export {
  beneficiaryId,
  beneficiaryMbi,
  beneficiaryFacts,
  isErrorBeneficiary,
  horizonFor,
  type BeneficiaryFacts,
  type ClaimFact,
  type PartialClaimFact,
  type CoverageFact,
} from './beneficiary';
export {
  BUILTIN_RESOURCE_PROFILES,
  EOB_CLAIM_TYPES,
  EOB_CLAIM_TYPE_INFO,
  SYSTEM_TYPE_CODE_SYSTEM,
  eobClaimTypeOfId,
  type EobClaimType,
  type VersionProfiles,
} from './profiles';
export { MISSING_PATIENT_ID } from './mutations';
export { ExportSpecError, MAX_BENEFICIARIES, checkExportSpec } from './spec-check';
export { factsContext, filterOf, entitled } from './selection';
export * from './types';

/** The generator as one object satisfying the shared contract. */
export const exportDataGenerator: ExportDataGenerator = { planExport, fileLines };
