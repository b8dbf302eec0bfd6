/**
 * The programmatic API of bcda-conformance (`require('bcda-conformance')`): run the catalog against
 * a target or the embedded mock, start the mock, validate NDJSON, write and compare reports, grade
 * a BCDA client (`gradeClient`). The CLI (`bcda-conformance`) is built on these same functions.
 */
export { loadConfig, ConfigError, type RunConfig, type RawSettings } from './config/config';
export { runConformance, type RunHooks, type RunOutcome } from './run/run-conformance';
export type { PreflightStop } from './run/preflight';
export { writeReports, ReportWriteError, type WrittenReports, type WriteOptions } from './report/write';
export { compareReports, loadReport, type Comparison, type CheckChange } from './report/compare';
export { startMock, type MockServer, type MockOptions } from './mock';
export { validateNdjson } from './fhir/validate-stream';
export { validateFiles, closeValidationWorkers, type ValidateFilesOptions } from './fhir/pool';
export type { ByteSource } from './fhir/ndjson-lines';
export type { FileValidationSummary, NdjsonValidationOptions, ValidationIssue } from './fhir/types';
export { CATALOG, selectChecks, type CatalogFilter } from './checks/catalog';
export type { CheckMeta, CheckOutcome } from './checks/types';
export {
  REPORT_SCHEMA_VERSION,
  failsRun,
  type CheckResult,
  type CoverageRow,
  type ExportTimeline,
  type RunReport,
  type RunSummary,
} from './engine/results';
export {
  AREAS,
  API_VERSIONS,
  PROFILES,
  type ApiVersion,
  type Area,
  type Level,
  type Outcome,
  type Profile,
} from './core/vocabulary';
export { FAULTS, type FaultName, type FaultDefinition } from './core/faults';
export {
  gradeClient,
  CLIENT_CHECKS,
  SCENARIOS as CLIENT_SCENARIOS,
  type GradeOptions as GradeClientOptions,
  type ClientKitReport,
  type ClientCheck,
  type ClientInfo,
  type ClientRun,
  type ClientRunInfo,
  type ScenarioMeta as ClientScenario,
  type ScenarioOutcome as ClientScenarioOutcome,
} from './client-kit';
export { TOOL_VERSION } from './engine/version';
