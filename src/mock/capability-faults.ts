/**
 * Faults of the CapabilityStatement's fields that seed 002's metadata example fixes (independent
 * faults of seeds 002/003, issue 16 item 5): each changes one field a client could rely on.
 */
import type { FaultSet } from './faults';

type Json = Record<string, unknown>;

const asObject = (value: unknown): Json | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;

/** Changes `statement` in place for the example-field faults that are on. */
export function applyExampleFieldFaults(faults: FaultSet, statement: Json): void {
  if (faults.has('metadata-publisher-abbreviated')) statement['publisher'] = 'CMS';
  const software = asObject(statement['software']);
  if (software && faults.has('metadata-software-name-short')) software['name'] = 'BCDA';
  const rest = Array.isArray(statement['rest']) ? asObject(statement['rest'][0]) : undefined;
  if (!rest) return;
  if (faults.has('metadata-rest-mode-client')) rest['mode'] = 'client';
  if (faults.has('metadata-no-search-system')) rest['interaction'] = [{ code: 'batch' }];
  const security = asObject(rest['security']);
  if (!security) return;
  if (faults.has('metadata-cors-false')) security['cors'] = false;
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
