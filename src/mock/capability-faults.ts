/**
 * Faults of the CapabilityStatement's fields that the metadata examples of seeds 001 and 002 fix
 * (independent faults, issue 16 item 5), each as an implementation written from the documents
 * might get one field wrong: a value, its JSON type, or its code system.
 */
import type { ApiVersion } from '../core/vocabulary';
import type { FaultSet } from './faults';

type Json = Record<string, unknown>;

const asObject = (value: unknown): Json | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;

/** Changes `statement` in place for the example-field faults that are on. */
export function applyExampleFieldFaults(faults: FaultSet, statement: Json): void {
  if (faults.has('metadata-publisher-abbreviated')) statement['publisher'] = 'CMS';
  if (faults.has('metadata-publisher-html-escaped'))
    statement['publisher'] = 'Centers for Medicare &amp; Medicaid Services';
  const software = asObject(statement['software']);
  if (software && faults.has('metadata-software-name-short')) software['name'] = 'BCDA';
  const rest = Array.isArray(statement['rest']) ? asObject(statement['rest'][0]) : undefined;
  if (!rest) return;
  if (faults.has('metadata-rest-mode-client')) rest['mode'] = 'client';
  if (faults.has('metadata-no-search-system')) rest['interaction'] = [{ code: 'batch' }];
  if (faults.has('metadata-interactions-as-strings')) rest['interaction'] = ['batch', 'search-system'];
  const security = asObject(rest['security']);
  if (!security) return;
  if (faults.has('metadata-cors-false')) security['cors'] = false;
  if (faults.has('metadata-cors-string')) security['cors'] = 'true';
  if (faults.has('metadata-oauth-valueset-system') && Array.isArray(security['service']))
    for (const service of security['service'].map(asObject))
      for (const coding of Array.isArray(service?.['coding']) ? service['coding'].map(asObject) : [])
        if (coding) coding['system'] = 'http://hl7.org/fhir/ValueSet/restful-security-service';
  if (faults.has('metadata-security-smart-service'))
    security['service'] = [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/restful-security-service',
            code: 'SMART-on-FHIR',
            display: 'SMART-on-FHIR',
          },
        ],
        text: 'SMART-on-FHIR',
      },
    ];
}

/**
 * Independent faults (h3) of fields seed 002's metadata example fixes: a value of the right
 * field written another way (a number for a date, a short code for a media type, the FHIR base
 * for the server base, another acceptUnknown word). Changes `statement` in place.
 */
export function applySeedValueFaults(
  faults: FaultSet,
  statement: Json,
  base: string,
  version: ApiVersion,
): void {
  const software = asObject(statement['software']);
  if (software && faults.has('metadata-release-date-epoch')) software['releaseDate'] = 1559174400;
  const implementation = asObject(statement['implementation']);
  if (implementation && faults.has('metadata-implementation-url-fhir-base'))
    implementation['url'] = `${base}/api/${version}`;
  if (faults.has('metadata-v1-accept-unknown-both') && statement['acceptUnknown'] !== undefined)
    statement['acceptUnknown'] = 'both';
  if (faults.has('metadata-format-json-shortcode')) statement['format'] = ['json', 'application/fhir+json'];
}
