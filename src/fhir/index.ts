/** FHIR R4 validation of NDJSON exports: the entry points other modules use. */
export { validateNdjson } from './validate-stream';
export { validateFiles, closeValidationWorkers, guessKind, type ValidateFilesOptions } from './pool';
export { checkExportReferences } from './references';
export { validateResource, type SchemaFinding } from './resource';
export { RULE, type RuleId } from './rules';
export { getFastValidator, getResourceValidator } from './schema/validator';
export type {
  FileValidationResult,
  FileValidationSummary,
  IssueSeverity,
  NdjsonValidationOptions,
  ValidationIssue,
} from './types';
