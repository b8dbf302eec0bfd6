/**
 * `_typeFilter` queries (`Observation?code=http://loinc.org|8867-4&status=final`): the few search
 * parameters the mock supports per type, and matching. Within a query every parameter must match
 * (AND) and a comma in a value is an OR; separate queries for one type are joined by OR.
 */
import type { FhirResource } from './data';

export interface TypeFilter {
  type: string;
  text: string;
  /** Parameter name → the values any of which may match. */
  params: { name: string; values: string[] }[];
}

type Coding = { system?: string; code?: string };

function codings(value: unknown): Coding[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.flatMap((cc: { coding?: Coding[] }) => cc?.coding ?? []);
}

/** A token search value (`system|code`, `|code` or `code`) against codings. */
function tokenMatches(list: Coding[], value: string): boolean {
  const bar = value.indexOf('|');
  if (bar < 0) return list.some((c) => c.code === value);
  const system = value.slice(0, bar);
  const code = value.slice(bar + 1);
  return list.some(
    (c) => (system === '' ? c.system === undefined : c.system === system) && (code === '' || c.code === code),
  );
}

type Matcher = (resource: FhirResource, value: string) => boolean;

const codeOf =
  (element: string): Matcher =>
  (r, v) =>
    tokenMatches(codings(r[element]), v);
const plain =
  (element: string): Matcher =>
  (r, v) =>
    r[element] === v;

/** The search parameters `_typeFilter` may use, per resource type. */
export const TYPE_FILTER_PARAMS: Record<string, Record<string, Matcher>> = {
  Patient: { gender: plain('gender') },
  Encounter: { status: plain('status'), class: (r, v) => tokenMatches([r.class as Coding], v) },
  Observation: { code: codeOf('code'), status: plain('status'), category: codeOf('category') },
  Condition: { code: codeOf('code'), 'clinical-status': codeOf('clinicalStatus') },
  DocumentReference: { status: plain('status'), type: codeOf('type') },
};

/** Parses one query; returns the reason when the mock cannot apply it. */
export function parseTypeFilter(text: string): TypeFilter | string {
  const q = text.indexOf('?');
  const type = q < 0 ? text : text.slice(0, q);
  if (q < 0 || !/^[A-Z][A-Za-z]+$/.test(type)) return `_typeFilter "${text}" is not of the form Type?query`;
  const supported = TYPE_FILTER_PARAMS[type];
  if (!supported) return `_typeFilter on ${type} is not supported`;
  const params: TypeFilter['params'] = [];
  for (const [name, value] of new URLSearchParams(text.slice(q + 1))) {
    if (!supported[name])
      return `_typeFilter search parameter ${type}?${name} is not supported (supported: ${Object.keys(supported).join(', ')})`;
    params.push({ name, values: value.split(',') });
  }
  if (params.length === 0) return `_typeFilter "${text}" has no search parameter`;
  return { type, text, params };
}

export function matchesFilter(resource: FhirResource, filter: TypeFilter): boolean {
  const supported = TYPE_FILTER_PARAMS[filter.type] ?? {};
  return filter.params.every((p) => p.values.some((v) => supported[p.name]?.(resource, v) === true));
}
