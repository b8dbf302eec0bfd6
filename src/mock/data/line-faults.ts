/**
 * Content faults that reach past a data file's first line (seeds 002/003, issue 16 item 5): the
 * mutations of mutations.ts change the first resource of each file, so a detector that reads only
 * that one would catch them; these change every resource of a kind, or one further down.
 */
import { BENE_ID_SYSTEM, CURRENCY_EXTENSION, MBI_SYSTEM } from './fhir-parts';
import type { ContentMutation, ExportResourceType } from './types';

type Json = Record<string, unknown>;

const asObject = (value: unknown): Json | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;

const identifiers = (resource: Json): Json[] =>
  (Array.isArray(resource['identifier']) ? resource['identifier'] : [])
    .map(asObject)
    .filter((i): i is Json => i !== undefined);

/** Changes `resource`, the `position`-th (from 0) of its file, in place. */
export function mutateAnyResource(
  resource: Json,
  type: ExportResourceType,
  mutations: ReadonlySet<ContentMutation>,
  position: number,
): void {
  if (type === 'Patient') {
    if (mutations.has('mbi-holds-bene-id')) mbiHoldsBeneId(resource);
    if (mutations.has('mbi-all-current')) markEveryMbiCurrent(resource);
    if (mutations.has('second-patient-no-name') && position === 1) delete resource['name'];
    if (mutations.has('bene-id-positive'))
      for (const id of identifiers(resource))
        if (id['system'] === BENE_ID_SYSTEM && typeof id['value'] === 'string')
          id['value'] = id['value'].replace(/^-/, '');
  }
  if (type === 'Coverage' && mutations.has('part-b-labelled-part-a'))
    for (const c of Array.isArray(resource['class']) ? resource['class'] : []) {
      const cls = asObject(c);
      if (cls?.['value'] === 'Part B') cls['value'] = 'Part A';
    }
  if (type === 'ExplanationOfBenefit' && mutations.has('eob-no-care-team')) {
    delete resource['careTeam'];
    for (const item of Array.isArray(resource['item']) ? resource['item'] : [])
      delete asObject(item)?.['careTeamSequence'];
  }
}

/** The bene_id column mapped to the MBI too: each MBI identifier's value is the beneficiary id. */
function mbiHoldsBeneId(resource: Json): void {
  const beneId = identifiers(resource).find((i) => i['system'] === BENE_ID_SYSTEM)?.['value'];
  if (typeof beneId !== 'string') return;
  for (const id of identifiers(resource)) if (id['system'] === MBI_SYSTEM) id['value'] = beneId;
}

/** The currency extension of every MBI says current, a replaced MBI's included. */
function markEveryMbiCurrent(resource: Json): void {
  for (const id of identifiers(resource)) {
    if (id['system'] !== MBI_SYSTEM) continue;
    const codings = asObject(id['type'])?.['coding'];
    for (const c of Array.isArray(codings) ? codings : []) {
      const list = asObject(c)?.['extension'];
      for (const e of Array.isArray(list) ? list : []) {
        const ext = asObject(e);
        if (ext?.['url'] === CURRENCY_EXTENSION)
          ext['valueCoding'] = { system: CURRENCY_EXTENSION, code: 'current', display: 'Current' };
      }
    }
  }
}
