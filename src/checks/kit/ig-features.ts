/**
 * The inputs and exports of the checks of the IG's optional kick-off features, each chosen from the
 * server's own data (the base export, kit/ig-exports.ts) so that an ignored feature shows: the
 * patient for `patient`, the elements for `_elements`, the query for `_typeFilter`, the `_since`
 * for `deleted`. Every export is made once per run at the base export's level.
 */
import { NotApplicable, type CheckContext, type KickoffParameter } from '../context';
import { sinceInsideRange } from './data-index';
import { documentedInstant } from './data-exports';
import {
  atLevel,
  baseExport,
  igExport,
  isSkip,
  levelPath,
  ofType,
  type IgExport,
  type IgSkip,
} from './ig-exports';
import { mandatoryElements } from './ig-mandatory';
import { parameterSupport, requireLevel, requireParameter } from './ig-capability';
import { FILTER_PARAMETERS, matchesToken, type FilterParameter, type ResourceSummary } from './ig-resources';

export type Prepared<T> = (T & { base: IgExport }) | IgSkip;

/**
 * Elements a resource may keep whatever `_elements` says: identity, meta (for the SUBSETTED tag),
 * and the modifiers that change the meaning of what is kept.
 */
export const ALWAYS_KEPT = new Set(['id', 'meta', 'implicitRules', 'modifierExtension']);

/** The POST kick-off with a Parameters body: `_outputFormat` only, which every server supports. */
export async function postExport(ctx: CheckContext): Promise<IgExport | IgSkip> {
  const base = await baseExport(ctx);
  if (isSkip(base)) return base;
  return igExport(
    ctx,
    'post',
    {
      ...atLevel(ctx, base.level),
      parameters: [{ name: '_outputFormat', valueString: 'application/fhir+ndjson' }],
    },
    `POST ${levelPath(ctx, base.level)} with a Parameters body (_outputFormat)`,
    'kick-offs by POST with a Parameters body (optional in the IG)',
  );
}

/** The patient the `patient` export names: the one with the most data, among two or more. */
export function chosenPatient(base: IgExport): { id: string; others: number } | undefined {
  const counts = new Map<string, number>();
  for (const r of base.resources.values())
    for (const p of r.patients) counts.set(p, (counts.get(p) ?? 0) + 1);
  const patients = ofType(base, 'Patient').map((r) => r.id);
  if (patients.length < 2) return undefined;
  const id = [...patients].sort(
    (a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0) || a.localeCompare(b),
  )[0]!;
  return { id, others: patients.length - 1 };
}

const patientParameter = (id: string): KickoffParameter => ({
  name: 'patient',
  valueReference: { reference: `Patient/${id}` },
});

/** The base level when it takes `patient` (Patient or Group), else NotApplicable. */
function patientLevel(base: IgExport): 'patient' | 'group' {
  if (base.level === 'system')
    throw new NotApplicable(
      'the server declares only the system-level export, which has no patient parameter',
    );
  return base.level;
}

/** POST [level]/$export naming one patient of the base export. */
export async function patientParamExport(
  ctx: CheckContext,
): Promise<Prepared<{ patient: string; exported: IgExport }>> {
  const base = await baseExport(ctx);
  if (isSkip(base)) return base;
  const level = patientLevel(base);
  requireParameter(await requireLevel(ctx, level), 'patient');
  const chosen = chosenPatient(base);
  if (!chosen)
    return {
      skip: `${base.label} holds fewer than two Patients, so a patient filter has nobody to leave out`,
      evidence: base.evidence,
    };
  const exported = await igExport(
    ctx,
    'patient',
    { ...atLevel(ctx, level), parameters: [patientParameter(chosen.id)] },
    `POST ${levelPath(ctx, level)} with patient=Patient/${chosen.id}`,
    'the patient parameter (or POST kick-offs)',
  );
  return isSkip(exported) ? exported : { base, patient: chosen.id, exported };
}

/** A POST kick-off naming `patientId` (or each of several), cancelled at once; only its answer is looked at. */
export function patientKickoff(
  ctx: CheckContext,
  level: 'patient' | 'group',
  patientId: string | readonly string[],
  label: string,
) {
  const ids = typeof patientId === 'string' ? [patientId] : patientId;
  return ctx.kickoffAndCancel({ ...atLevel(ctx, level), parameters: ids.map(patientParameter), label });
}

/** The `_elements` request: `A.x` for one type and `y` without a type, chosen from the base data. */
export interface ElementsChoice {
  typed: { type: string; element: string };
  /** An element named without a type (applies to every type having it). */
  untyped?: { type: string; element: string };
  types: string[];
  exported: IgExport;
}

/** Optional top-level elements of a type's resources, most frequent first. */
function optionalElements(resources: ResourceSummary[], type: string): string[] {
  const mandatory = mandatoryElements(type);
  const counts = new Map<string, number>();
  for (const r of resources)
    for (const e of r.elements)
      if (!ALWAYS_KEPT.has(e) && !mandatory.has(e) && !e.startsWith('_'))
        counts.set(e, (counts.get(e) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([e]) => e);
}

export async function elementsExport(ctx: CheckContext): Promise<Prepared<ElementsChoice>> {
  const base = await baseExport(ctx);
  if (isSkip(base)) return base;
  requireParameter(await requireLevel(ctx, base.level), '_elements');
  // Types whose resources carry at least two optional elements: keeping one drops another.
  const candidates = [...new Set([...base.resources.values()].map((r) => r.type))]
    .sort()
    .map((type) => ({ type, optional: optionalElements(ofType(base, type), type) }))
    .filter((c) => c.optional.length >= 2);
  const first = candidates[0];
  if (!first)
    return {
      skip: `no resource type of ${base.label} has two optional elements, so _elements has nothing to leave out`,
      evidence: base.evidence,
    };
  const typed = { type: first.type, element: first.optional[0]! };
  const second = candidates.find((c) => c.type !== first.type);
  const untyped = second ? { type: second.type, element: second.optional[0]! } : undefined;
  const types = untyped ? [typed.type, untyped.type] : [typed.type];
  const elements = [`${typed.type}.${typed.element}`, ...(untyped ? [untyped.element] : [])].join(',');
  const exported = await igExport(
    ctx,
    'elements',
    { ...atLevel(ctx, base.level), query: { _type: types.join(','), _elements: elements } },
    `GET ${levelPath(ctx, base.level)}?_type=${types.join(',')}&_elements=${elements}`,
    '_elements (optional in the IG)',
  );
  return isSkip(exported) ? exported : { base, typed, ...(untyped ? { untyped } : {}), types, exported };
}

/** A `_typeFilter` search chosen from the base data: values some resources of the type have and others not. */
export interface FilterChoice {
  parameter: FilterParameter;
  /** Token values, least frequent first; every one held by some resource, none by all. */
  values: string[];
}

export function filterChoice(base: IgExport, minValues: number): FilterChoice | undefined {
  for (const parameter of FILTER_PARAMETERS) {
    const resources = ofType(base, parameter.type);
    if (resources.length < 2) continue;
    const counts = new Map<string, number>();
    for (const r of resources)
      for (const v of r.tokens[parameter.param] ?? []) counts.set(v, (counts.get(v) ?? 0) + 1);
    const values = [...counts.entries()]
      .filter(([, n]) => n < resources.length)
      .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
      .map(([v]) => v);
    if (values.length < minValues) continue;
    // The queries together must leave some resource out, or an ignored filter would look applied.
    const used = values.slice(0, minValues);
    if (resources.some((r) => !used.some((v) => matchesToken(r, parameter.param, v))))
      return { parameter, values };
  }
  return undefined;
}

/**
 * How a `_typeFilter` export treated the base export's resources of the filtered type that match
 * none of its `values`: all of them back means the filter was ignored, some means misapplied.
 */
export function unmatched(
  base: IgExport,
  exported: IgExport,
  choice: FilterChoice,
  values: readonly string[],
): { returned: ResourceSummary[]; ignored: boolean } {
  const { type, param } = choice.parameter;
  const misses = (r: ResourceSummary) => !values.some((v) => matchesToken(r, param, v));
  const returned = ofType(exported, type).filter(misses);
  const inBase = ofType(base, type).filter(misses);
  return { returned, ignored: inBase.length > 0 && inBase.every((r) => exported.resources.has(r.key)) };
}

export const filterQuery = (p: FilterParameter, value: string): string => `${p.type}?${p.param}=${value}`;

/** `_type=T&_typeFilter=…` with one query per value (repeated parameters when several). */
export async function typeFilterExport(
  ctx: CheckContext,
  name: 'typefilter' | 'typefilter-repeated',
  count: 1 | 2,
): Promise<Prepared<{ choice: FilterChoice; queries: string[]; declared: boolean; exported: IgExport }>> {
  const base = await baseExport(ctx);
  if (isSkip(base)) return base;
  const declaration = await requireLevel(ctx, base.level);
  requireParameter(declaration, '_typeFilter');
  const declared = parameterSupport(declaration, '_typeFilter') === 'declared';
  const choice = filterChoice(base, count);
  if (!choice)
    return {
      skip: `${base.label} holds no resources whose ${FILTER_PARAMETERS.map((p) => `${p.type}.${p.param}`).join(', ')} take ${count > 1 ? 'two values that together leave some resource out' : 'a value some hold and others not'}, so a _typeFilter could not be told applied from ignored`,
      evidence: base.evidence,
    };
  const queries = choice.values.slice(0, count).map((v) => filterQuery(choice.parameter, v));
  const exported = await igExport(
    ctx,
    name,
    { ...atLevel(ctx, base.level), query: { _type: choice.parameter.type, _typeFilter: queries } },
    `GET ${levelPath(ctx, base.level)}?_type=${choice.parameter.type}${queries.map((q) => `&_typeFilter=${q}`).join('')}`,
    '_typeFilter or that query (optional in the IG)',
  );
  return isSkip(exported) ? exported : { base, choice, queries, declared, exported };
}

export type ProvenanceValue =
  | 'LatestProvenanceResources'
  | 'RelevantProvenanceResources'
  /** Both at once: they conflict, and the least restrictive (Relevant) wins (bulkdata@96). */
  | 'LatestProvenanceResources,RelevantProvenanceResources';

/** The base export's Provenance by the `<type>/<id>` of each target. */
export function provenanceByTarget(base: IgExport): Map<string, ResourceSummary[]> {
  const out = new Map<string, ResourceSummary[]>();
  for (const p of ofType(base, 'Provenance'))
    for (const t of p.targets ?? []) (out.get(t) ?? out.set(t, []).get(t)!).push(p);
  return out;
}

export async function provenanceExport(
  ctx: CheckContext,
  value: ProvenanceValue,
): Promise<Prepared<{ byTarget: Map<string, ResourceSummary[]>; exported: IgExport }>> {
  const base = await baseExport(ctx);
  if (isSkip(base)) return base;
  requireParameter(await requireLevel(ctx, base.level), 'includeAssociatedData');
  const byTarget = provenanceByTarget(base);
  if (byTarget.size === 0)
    return {
      skip: `${base.label} holds no Provenance with a target, so which Provenance belong with the data is unknown`,
      evidence: base.evidence,
    };
  // Only the types Provenance target: Provenance then comes as associated data, not as a type of
  // its own (which an export without _type holds whole, whatever includeAssociatedData says).
  const types = [...new Set([...byTarget.keys()].map((k) => k.split('/')[0]!))]
    .filter((t) => t !== 'Provenance' && ofType(base, t).length > 0)
    .sort();
  if (!types.length)
    return { skip: `the Provenance of ${base.label} target nothing it exports`, evidence: base.evidence };
  const exported = await igExport(
    ctx,
    `provenance-${value.replace(',', '-and-')}`,
    { ...atLevel(ctx, base.level), query: { _type: types.join(','), includeAssociatedData: value } },
    `GET ${levelPath(ctx, base.level)}?_type=${types.join(',')}&includeAssociatedData=${value}`,
    `includeAssociatedData=${value} (optional in the IG)`,
  );
  return isSkip(exported) ? exported : { base, byTarget, exported };
}

/** The _outputFormat the system-level `_since` export names (its aliases are kicked off apart). */
export const SYSTEM_FORMAT = 'application/fhir+ndjson';

/** A parameter no server defines, for the Prefer: handling checks. */
export const UNKNOWN_PARAMETER = '_bulkConformanceUnknownParameter';
/**
 * A second one (neither name contains the other), so that the lenient kick-off ignores two and
 * its error files must name each.
 */
export const OTHER_UNKNOWN_PARAMETER = '_bulkConformanceOtherParameter';

/**
 * The base level's kick-off with UNKNOWN_PARAMETER and OTHER_UNKNOWN_PARAMETER under
 * `Prefer: handling=lenient`, followed to the end.
 */
export async function lenientExport(ctx: CheckContext): Promise<IgExport | IgSkip> {
  const base = await baseExport(ctx);
  if (isSkip(base)) return base;
  return igExport(
    ctx,
    'lenient',
    {
      ...atLevel(ctx, base.level),
      query: { [UNKNOWN_PARAMETER]: 'true', [OTHER_UNKNOWN_PARAMETER]: 'true' },
      headers: { prefer: 'respond-async, handling=lenient' },
    },
    `GET ${levelPath(ctx, base.level)}?${UNKNOWN_PARAMETER}=true&${OTHER_UNKNOWN_PARAMETER}=true with Prefer: respond-async, handling=lenient`,
    'handling=lenient for that parameter (optional in the IG)',
  );
}

/** The error-file lines (OperationOutcomes) of an export that name `parameter`. */
export const linesNaming = (e: IgExport, parameter: string): string[] =>
  e.errorLines.filter((l) => l.includes(parameter));

/**
 * The base level (or the system level) with `_since` inside the base data's lastUpdated range: for
 * `deleted`, and for `_since` at the system level, whose kick-off also names `_outputFormat`.
 */
export async function sinceExport(
  ctx: CheckContext,
  system = false,
): Promise<Prepared<{ since: number; exported: IgExport }>> {
  if (system) await requireLevel(ctx, 'system');
  const base = await baseExport(ctx);
  if (isSkip(base)) return base;
  const values = [...base.resources.values()].flatMap((r) =>
    r.lastUpdated === undefined ? [] : [r.lastUpdated],
  );
  const since = sinceInsideRange(values);
  if (since === undefined)
    return {
      skip: `${base.label}'s resources do not spread over time (meta.lastUpdated), so no _since falls inside its data`,
      evidence: base.evidence,
    };
  const text = documentedInstant(since);
  const level = system ? 'system' : base.level;
  const query = system ? { _outputFormat: SYSTEM_FORMAT, _since: text } : { _since: text };
  const exported = await igExport(
    ctx,
    system ? 'system-since' : 'since',
    { ...atLevel(ctx, level), query },
    `GET ${levelPath(ctx, level)}?${Object.entries(query)
      .map(([k, v]) => `${k}=${v}`)
      .join('&')}`,
  );
  return isSkip(exported) ? exported : { base, since, exported };
}

/**
 * The Provenance an export with includeAssociatedData should hold at least: every one of the base
 * export that targets one of its exported resources, and those missing from it.
 */
export function relevantProvenance(
  byTarget: Map<string, ResourceSummary[]>,
  exported: IgExport,
): { relevant: Map<string, ResourceSummary>; missing: string[] } {
  const relevant = new Map<string, ResourceSummary>();
  for (const r of exported.resources.values())
    if (r.type !== 'Provenance') for (const p of byTarget.get(r.key) ?? []) relevant.set(p.key, p);
  return { relevant, missing: [...relevant.keys()].filter((k) => !exported.resources.has(k)) };
}
