/** Turns an Ajv error into a FHIR-style path and a message that does not echo the data. */
import type { ErrorObject } from 'ajv';

/** `/item/0/sequence` → `.item[0].sequence` (JSON-pointer escapes undone). */
export function pointerToFhirPath(pointer: string): string {
  if (!pointer) return '';
  let out = '';
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : `.${seg}`;
  }
  return out;
}

/** The schema definition an error's schemaPath starts in, e.g. `instant` for `#/definitions/instant/pattern`. */
function definitionOf(schemaPath: string): string | undefined {
  return /^#\/definitions\/([^/]+)\//.exec(schemaPath)?.[1];
}

export function describeSchemaError(
  resourceType: string,
  err: ErrorObject,
): { path: string; message: string } {
  let path = resourceType + pointerToFhirPath(err.instancePath);
  const params = err.params as Record<string, unknown>;
  let message = err.message ?? err.keyword;
  switch (err.keyword) {
    case 'required':
    case 'fhirRequired':
      path += `.${String(params.missingProperty)}`;
      message = 'is required but missing';
      break;
    case 'additionalProperties':
      path += `.${String(params.additionalProperty)}`;
      message = 'is not an element of this type';
      break;
    case 'enum': {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues : [];
      const shown = allowed.slice(0, 8).join(', ') + (allowed.length > 8 ? ', …' : '');
      message = `must be one of: ${shown}`;
      break;
    }
    case 'pattern': {
      const def = definitionOf(err.schemaPath);
      message = def ? `is not a valid FHIR ${def}` : 'has an invalid format';
      break;
    }
    case 'fhirChoice':
      path += `.${String(params.second)}`;
      message = `is a second choice[x] value besides ${String(params.first)}`;
      break;
    case 'fhirExt1':
      if (params.value) {
        path += `.${String(params.value)}`;
        message = 'ext-1: an extension has either nested extensions or a value[x], not both';
      } else message = 'ext-1: an extension has nested extensions or a value[x], and this one has neither';
      break;
    case 'discriminator':
      path = `${resourceType}${pointerToFhirPath(err.instancePath)}.resourceType`;
      message =
        params.error === 'tag' ? 'resourceType is missing or not a string' : 'is not a FHIR R4 resource type';
      break;
    default:
      break;
  }
  return { path, message };
}
