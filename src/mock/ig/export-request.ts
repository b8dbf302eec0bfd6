/**
 * Reads a kick-off into an ExportRequest, following IG v2.0.0 (and STU3's organizeOutputBy=Patient):
 * strict handling (the default) refuses unknown and unsupported parameters with 400, lenient
 * handling ignores them and reports each in the manifest's `error`. Scope enforcement: a `_type`
 * the token cannot read is 403.
 */
import type { IgContext, IssuedToken } from './context';
import { PATIENT_COMPARTMENT_TYPES, RESOURCE_TYPES } from './data';
import type { RawParam } from './params';
import { coversType, parseScopes } from './scopes';
import { parseTypeFilter, type TypeFilter } from './type-filter';

export type ExportLevel = 'system' | 'patient' | 'group';

export const OUTPUT_FORMATS = ['application/fhir+ndjson', 'application/ndjson', 'ndjson'];
export const ASSOCIATED_DATA = ['LatestProvenanceResources', 'RelevantProvenanceResources'] as const;
export type AssociatedData = (typeof ASSOCIATED_DATA)[number];

export interface ExportRequest {
  level: ExportLevel;
  groupId?: string;
  sinceMs?: number;
  /** The types asked for with `_type`; undefined: every type the token can read. */
  types?: string[];
  /** `_elements`: names that apply to every type, and names per type. */
  elements?: { all: string[]; byType: Map<string, string[]> };
  patients?: string[];
  associated?: AssociatedData;
  typeFilters: TypeFilter[];
  /** `organizeOutputBy`: the resource type the output files are organised by (Patient only). */
  organizeBy?: 'Patient';
  /** Parameters ignored under `handling=lenient`, each with why (one OperationOutcome each). */
  ignored: string[];
}

/** A kick-off the server refuses: the status and the OperationOutcome's code and text. */
export class KickoffRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const HELD_TYPES: ReadonlySet<string> = new Set(RESOURCE_TYPES);
/** Parameters the IG defines that the mock does not support (STU3 and later ones included). */
const UNSUPPORTED = new Set(['_until', 'allowPartialManifests']);
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function splitList(values: string[]): string[] {
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

export function readExportRequest(
  ctx: IgContext,
  level: ExportLevel,
  groupId: string | undefined,
  raw: RawParam[],
  lenient: boolean,
  token: IssuedToken,
): ExportRequest {
  const req: ExportRequest = { level, typeFilters: [], ignored: [] };
  if (groupId !== undefined) req.groupId = groupId;
  const strictUnknown = !ctx.faults.has('ig-strict-ignores-unknown-param');
  /** A parameter (or value) the mock will not honour: 400 under strict, noted under lenient. */
  const unsupported = (why: string, refuseUnderStrict = true): void => {
    if (lenient) req.ignored.push(why);
    else if (refuseUnderStrict) throw new KickoffRefusal(400, 'not-supported', why);
  };
  const byName = new Map<string, string[]>();
  for (const p of raw) byName.set(p.name, [...(byName.get(p.name) ?? []), p.value]);
  // The fault refuses a repeated parameter, which the IG reads as one comma-separated list
  // (bulkdata@32); patient, repeated in a POST body by design, is spared.
  const repeated = [...byName].find(([name, values]) => values.length > 1 && name !== 'patient');
  if (repeated && ctx.faults.has('ig-repeated-param-refused'))
    throw new KickoffRefusal(400, 'invalid', `parameter ${repeated[0]} is given more than once`);

  for (const [name, values] of byName) {
    switch (name) {
      case '_outputFormat': {
        const accepted = ctx.faults.has('ig-output-format-ndjson-refused')
          ? OUTPUT_FORMATS.slice(0, 1)
          : OUTPUT_FORMATS;
        const bad = splitList(values).filter((v) => !accepted.includes(v));
        if (bad.length > 0 || splitList(values).length > 1)
          unsupported(
            `_outputFormat ${values.join(',')} is not supported (only ${OUTPUT_FORMATS.join(', ')})`,
          );
        break;
      }
      case '_since': {
        const [since] = values;
        if (
          values.length > 1 ||
          since === undefined ||
          !INSTANT.test(since) ||
          Number.isNaN(Date.parse(since))
        )
          throw new KickoffRefusal(
            400,
            'invalid',
            `_since must be one FHIR instant, got "${values.join(',')}"`,
          );
        // The fault refuses an offset other than Z, a valid FHIR instant form (bulkdata@53).
        if (ctx.faults.has('ig-since-offset-refused') && !since.endsWith('Z'))
          throw new KickoffRefusal(400, 'invalid', `_since must be given in UTC (Z), got "${since}"`);
        if (!ctx.faults.has('ig-since-ignored')) req.sinceMs = Date.parse(since);
        // The fault keeps only the instant's UTC day, as a date column would (bulkdata@59).
        if (req.sinceMs !== undefined && ctx.faults.has('ig-since-day-precision'))
          req.sinceMs -= req.sinceMs % (24 * 3600 * 1000);
        break;
      }
      case '_type':
        req.types = splitList(values);
        break;
      case '_elements':
        req.elements = readElements(splitList(values));
        break;
      case 'patient': {
        if (level === 'system') {
          unsupported('patient applies to Patient- and Group-level exports only');
          break;
        }
        const refs = splitList(values);
        const bad = refs.filter((r) => !/^Patient\/[A-Za-z0-9\-.]{1,64}$/.test(r));
        if (bad.length > 0)
          throw new KickoffRefusal(
            400,
            'invalid',
            `patient must reference Patient/id, got ${bad.join(', ')}`,
          );
        req.patients = refs.map((r) => r.slice('Patient/'.length));
        break;
      }
      case 'includeAssociatedData': {
        if (ctx.faults.has('ig-provenance-unsupported-omitted')) {
          unsupported('includeAssociatedData is not supported by this server');
          break;
        }
        const asked = splitList(values);
        const other = asked.filter((v) => !(ASSOCIATED_DATA as readonly string[]).includes(v));
        // The fault passes over a value it does not know, whatever the handling (bulkdata@93).
        if (other.length > 0 && !ctx.faults.has('ig-associated-data-unknown-ignored'))
          unsupported(`includeAssociatedData ${other.join(', ')} is not supported`);
        // Conflicting values: the least restrictive wins (IG bulkdata@96).
        // The fault lets the more restrictive Latest win instead.
        const restrictive =
          ctx.faults.has('ig-associated-data-most-restrictive') &&
          asked.includes('LatestProvenanceResources');
        if (asked.includes('RelevantProvenanceResources') && !restrictive)
          req.associated = 'RelevantProvenanceResources';
        else if (asked.includes('LatestProvenanceResources')) req.associated = 'LatestProvenanceResources';
        break;
      }
      case '_typeFilter':
        for (const text of values.map((v) => v.trim()).filter((v) => v !== '')) {
          const filter = parseTypeFilter(text);
          // The fault drops a query it cannot run without a word, whatever the handling (bulkdata@105).
          if (typeof filter === 'string') {
            if (!ctx.faults.has('ig-typefilter-unsupported-dropped')) unsupported(filter);
          } else req.typeFilters.push(filter);
        }
        break;
      case 'organizeOutputBy': {
        // STU3: Patient at the Patient and Group levels, where every exported resource has a patient.
        const asked = values.map((v) => v.trim());
        if (level === 'system')
          unsupported('organizeOutputBy applies to Patient- and Group-level exports only');
        else if (asked.length !== 1 || asked[0] !== 'Patient')
          unsupported(`organizeOutputBy ${asked.join(',')} is not supported (only Patient)`);
        else if (!ctx.faults.has('ig-organize-output-ignored')) req.organizeBy = 'Patient';
        break;
      }
      default:
        if (UNSUPPORTED.has(name)) unsupported(`${name} is not supported by this server`);
        else unsupported(`unknown parameter ${name}`, strictUnknown);
    }
  }

  // The fault makes _outputFormat required, though the IG lets a client leave it out (bulkdata@20).
  if (!byName.has('_outputFormat') && ctx.faults.has('ig-kickoff-requires-output-format'))
    throw new KickoffRefusal(400, 'required', '_outputFormat is required');
  // The fault refuses a system-level export of everything: _type is required there (bulkdata@223, @299).
  if (level === 'system' && !req.types && ctx.faults.has('ig-system-export-needs-type'))
    throw new KickoffRefusal(400, 'too-costly', 'a system-level export must name its types with _type');
  if (req.types) {
    // The fault lets a Patient- or Group-level export name any type held, outside the Patient
    // compartment too (bulkdata@71).
    const anyHeld = ctx.faults.has('ig-outside-compartment-accepted');
    const allowedTypes = level === 'system' || anyHeld ? HELD_TYPES : PATIENT_COMPARTMENT_TYPES;
    const unknown = req.types.filter((t) => !allowedTypes.has(t));
    // The fault drops unsupported types silently when a supported one is named beside them (bulkdata@70).
    const dropped = ctx.faults.has('ig-type-unknown-dropped-when-mixed') && unknown.length < req.types.length;
    for (const t of dropped ? [] : unknown)
      unsupported(
        HELD_TYPES.has(t)
          ? `_type ${t} is outside the Patient compartment of a ${level}-level export`
          : `_type ${t} is not a resource type this server exports`,
      );
    req.types = req.types.filter((t) => allowedTypes.has(t));
    const scopes = parseScopes(token.scopes.join(' '));
    const outside = req.types.filter((t) => !coversType(scopes, t));
    // Fault ig-kickoff-drops-uncovered-types: refused only when no type named is covered.
    if (
      outside.length > 0 &&
      outside.length < req.types.length &&
      ctx.faults.has('ig-kickoff-drops-uncovered-types')
    )
      req.types = req.types.filter((t) => coversType(scopes, t));
    else if (outside.length > 0 && !ctx.faults.has('ig-kickoff-ignores-scope'))
      throw new KickoffRefusal(
        403,
        'forbidden',
        `the access token's scopes do not cover ${outside.join(', ')}`,
      );
    // The faults check the types as asked, then export every type as if none were named (the
    // second at the Group level only: bulkdata@69).
    if (ctx.faults.has('ig-type-ignored') || (level === 'group' && ctx.faults.has('ig-group-type-ignored')))
      delete req.types;
  }
  return req;
}

function readElements(names: string[]): NonNullable<ExportRequest['elements']> {
  const elements = { all: [] as string[], byType: new Map<string, string[]>() };
  for (const name of names) {
    const m = /^(?:([A-Z][A-Za-z]+)\.)?([a-z][A-Za-z0-9]*(\[x\])?)$/.exec(name);
    if (!m)
      throw new KickoffRefusal(
        400,
        'invalid',
        `_elements ${name} is not a top-level element (Type.element or element)`,
      );
    const [, type, element] = m as unknown as [string, string | undefined, string];
    if (type) elements.byType.set(type, [...(elements.byType.get(type) ?? []), element]);
    else elements.all.push(element);
  }
  return elements;
}
