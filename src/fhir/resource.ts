/**
 * One resource against the FHIR R4 4.0.1 schema (the same tightened schema and compiled validators
 * the NDJSON reader uses): for the resources the server answers with directly — CapabilityStatement,
 * OperationOutcome, the job list's Bundle of Tasks — rather than in export files.
 */
import { describeSchemaError } from './schema-issue';
import { explainInvariants } from './schema/explain-invariants';
import { getFastValidator, getResourceValidator } from './schema/validator';

/** Where a resource breaks the schema: a FHIR-style path and what is wrong there (never the value). */
export interface SchemaFinding {
  path: string;
  message: string;
}

/**
 * The schema findings of one resource; none when it is valid R4. The fast validator decides, and
 * only a rejected resource goes through Ajv for the path (Ajv stops at the first error), then,
 * if Ajv accepts it, through the invariants explainer.
 */
export function validateResource(resource: unknown): SchemaFinding[] {
  const type =
    resource && typeof resource === 'object' && !Array.isArray(resource)
      ? (resource as Record<string, unknown>).resourceType
      : undefined;
  const name = typeof type === 'string' ? type : '(resource)';
  if (name === '(resource)') return [{ path: name, message: 'is not a JSON object with a resourceType' }];
  try {
    if (getFastValidator().validate(resource)) return [];
  } catch {
    // too deeply nested for the fast validator: let Ajv say so
  }
  const detailed = getResourceValidator().validate;
  try {
    // Warnings (whitespace around strings) are left out: a finding here is an error.
    if (detailed(resource))
      return explainInvariants(resource as Record<string, unknown>)
        .filter((f) => f.severity === undefined)
        .map(({ path, message }) => ({ path, message }));
  } catch {
    return [{ path: name, message: 'is nested too deeply to validate' }];
  }
  const findings = (detailed.errors ?? []).map((err) => describeSchemaError(name, err));
  return findings.length ? findings : [{ path: name, message: 'is not valid FHIR R4' }];
}
