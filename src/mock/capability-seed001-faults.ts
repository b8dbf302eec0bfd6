/**
 * Faults of the CapabilityStatement written from seed 001's metadata rows (independent faults,
 * issue 16 item 5): each is a value a server built from templates or from another version's
 * statement might carry, or an operation or URL put in the wrong place.
 */
import type { ApiVersion } from '../core/vocabulary';
import type { FaultSet } from './faults';

type Json = Record<string, unknown>;

const asObject = (value: unknown): Json | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;

/** The Bulk Data IG's canonical URL: the guide, not the CapabilityStatement it publishes. */
const BULK_DATA_IG = 'http://hl7.org/fhir/uv/bulkdata/ImplementationGuide/hl7.fhir.uv.bulkdata';

/**
 * Fault metadata-xml-without-accept: a request whose Accept names no JSON type gets the statement
 * in FHIR XML, as FHIR servers that default to XML answer (undefined: JSON as usual).
 */
export function xmlStatementFor(
  faults: FaultSet,
  accept: string | undefined,
  statement: Json,
): string | undefined {
  if (!faults.has('metadata-xml-without-accept') || /json/i.test(accept ?? '')) return undefined;
  const value = (name: string) =>
    typeof statement[name] === 'string' ? `<${name} value="${escapeXml(statement[name])}"/>` : '';
  return `<CapabilityStatement xmlns="http://hl7.org/fhir">${[
    'status',
    'date',
    'publisher',
    'kind',
    'fhirVersion',
  ]
    .map(value)
    .join('')}</CapabilityStatement>`;
}

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Fault metadata-impl-url-proxy-scheme: implementation.url written from the scheme the
 * server itself was reached by behind a TLS-terminating proxy; emulated by the other scheme.
 */
export function implementationUrlFor(faults: FaultSet, base: string): string {
  if (!faults.has('metadata-impl-url-proxy-scheme')) return base;
  return base.startsWith('https:') ? base.replace(/^https:/, 'http:') : base.replace(/^http:/, 'https:');
}

/** Changes `statement` in place for the seed 001 row faults that are on. */
export function applySeed001MetadataFaults(
  faults: FaultSet,
  statement: Json,
  version: ApiVersion,
  base: string,
): void {
  if (faults.has('metadata-kind-capability')) statement['kind'] = 'capability';
  if (faults.has('metadata-format-mime-shortcuts')) statement['format'] = ['application/fhir+json', 'json'];
  const instantiates = Array.isArray(statement['instantiates']) ? statement['instantiates'] : undefined;
  if (instantiates && faults.has('metadata-instantiates-ig-url'))
    statement['instantiates'] = instantiates.map((u) =>
      typeof u === 'string' && u.endsWith('/CapabilityStatement/bulk-data') ? BULK_DATA_IG : u,
    );
  if (instantiates && version === 'v2' && faults.has('metadata-v2-instantiates-bfd-v1'))
    statement['instantiates'] = (statement['instantiates'] as unknown[]).map((u) =>
      typeof u === 'string' ? u.replace('/v2/fhir/metadata', '/v1/fhir/metadata') : u,
    );
  const rest = Array.isArray(statement['rest']) ? asObject(statement['rest'][0]) : undefined;
  // Each resource entry keeps its operations, but under the other resource's type.
  if (rest && version === 'v2' && faults.has('metadata-export-ops-wrong-resource'))
    for (const resource of Array.isArray(rest['resource']) ? rest['resource'].map(asObject) : [])
      if (resource)
        resource['type'] =
          resource['type'] === 'Patient'
            ? 'Group'
            : resource['type'] === 'Group'
              ? 'Patient'
              : resource['type'];
  const security = asObject(rest?.['security']);
  if (security && faults.has('metadata-token-url-api-path'))
    for (const ext of Array.isArray(security['extension']) ? security['extension'].map(asObject) : [])
      for (const sub of Array.isArray(ext?.['extension']) ? ext['extension'].map(asObject) : [])
        if (sub?.['url'] === 'token') sub['valueUri'] = `${base}/api/${version}/auth/token`;
}
