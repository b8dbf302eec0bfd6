/**
 * The contract's operation ids, typed from generated/operations.ts (itself generated from
 * spec/bcda.openapi.yaml), so a check that names an operation the spec lacks does not compile.
 */
import type { OperationId, OperationInfo } from '../../generated/operations';

export type { OperationId };

/**
 * The base name of an endpoint served under every API version: its operationId without the
 * V1/V2/V3 suffix (`exportPatient` for exportPatientV1…V3). Taken from the rows' `base` field, so
 * an endpoint that exists only unversioned (getToken, downloadFile) is not one.
 */
export type VersionedOperationBase = Extract<OperationInfo, { version: string }>['base'];
