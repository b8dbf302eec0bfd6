/**
 * What a job exports: the population its level and `patient` allow, the types asked for and the
 * token can read, `_since`, `_typeFilter`, `_elements`, the associated Provenance, and the
 * resources deleted since `_since`. Computed once at kick-off (the job's snapshot at its
 * transactionTime), as NDJSON text per file.
 */
import type { IgContext, IssuedToken } from './context';
import { PATIENT_COMPARTMENT_TYPES, RESOURCE_TYPES, type FhirResource, type StoredResource } from './data';
import type { ExportRequest } from './export-request';
import { operationOutcome } from './http';
import { coversType, parseScopes } from './scopes';
import { matchesFilter } from './type-filter';

export interface ExportFile {
  /** File name under /files/{jobId}/. */
  name: string;
  /**
   * The manifest item's type (Bundle for deleted files, OperationOutcome for error files); for the
   * files of an export organised by patient, `by-patient` (the file's name; the manifest omits it).
   */
  type: string;
  /** The resource type a token must be able to read to download the file; none: any valid token. */
  scopeType?: string;
  /** The types an organised file holds (organizeOutputBy): the token must read every one. */
  scopeTypes?: string[];
  kind: 'output' | 'deleted' | 'error';
  count: number;
  ndjson: string;
}

/** The elements `_elements` never removes, per type (FHIR's mandatory ones, and the basics). */
const MANDATORY: Record<string, string[]> = {
  Encounter: ['status', 'class'],
  Observation: ['status', 'code'],
  Condition: ['subject'],
  DocumentReference: ['status', 'content'],
  Provenance: ['target', 'recorded', 'agent'],
  Group: ['type', 'actual'],
};
const ALWAYS = ['resourceType', 'id', 'meta'];
const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };

function subset(ctx: IgContext, resource: FhirResource, elements: ExportRequest['elements']): FhirResource {
  if (!elements || ctx.faults.has('ig-elements-ignored')) return resource;
  // The fault reads only the type-qualified entries: an untyped one applies to no type (bulkdata@78).
  const untyped = ctx.faults.has('ig-elements-untyped-ignored') ? [] : elements.all;
  const typed = elements.byType.get(resource.resourceType) ?? [];
  const asked = [...untyped, ...typed];
  // Type-qualified names for other types only: this type is returned whole.
  if (asked.length === 0) return resource;
  // The fault keeps only what was listed, mandatory elements dropped (bulkdata@79).
  const mandatory = ctx.faults.has('ig-elements-drops-mandatory')
    ? []
    : (MANDATORY[resource.resourceType] ?? []);
  // The fault also keeps the references that link a resource to others (bulkdata@75: only the
  // listed and mandatory elements).
  const links = ctx.faults.has('ig-elements-keeps-references') ? ['subject', 'encounter', 'patient'] : [];
  const keep = new Set([...ALWAYS, ...mandatory, ...asked, ...links]);
  const out = Object.fromEntries(Object.entries(resource).filter(([k]) => keep.has(k))) as FhirResource;
  // The fault tags only the resources a type-qualified entry trimmed (bulkdata@80: every trimmed one).
  const tagged = !ctx.faults.has('ig-subsetted-typed-only') || typed.length > 0;
  if (!ctx.faults.has('ig-elements-no-subsetted-tag') && tagged) {
    const meta = (out.meta ?? {}) as { tag?: unknown[] };
    out.meta = { ...meta, tag: [...(meta.tag ?? []), SUBSETTED] };
  }
  return out;
}

/** A served copy: relative attachment URLs made absolute, faults applied. */
function served(ctx: IgContext, resource: FhirResource, fhirBase: string): FhirResource {
  if (resource.resourceType !== 'DocumentReference') return resource;
  const content = (resource.content as { attachment: Record<string, unknown> }[]).map((c) => {
    const attachment = { ...c.attachment };
    if (typeof attachment.url === 'string') {
      // The fault leaves the stored URL relative to the FHIR base (bulkdata@213 wants it absolute).
      if (!ctx.faults.has('ig-attachment-url-relative'))
        attachment.url = `${fhirBase}/${attachment.url}${ctx.faults.has('ig-attachment-url-broken') ? '-gone' : ''}`;
      if (ctx.faults.has('ig-attachment-no-content-type')) delete attachment.contentType;
      // The fault writes the document's file extension where the media type belongs (bulkdata@211).
      if (ctx.faults.has('ig-attachment-type-extension')) attachment.contentType = 'txt';
      // The fault empties every other document's attachment: neither data nor url (bulkdata@212).
      if (ctx.faults.has('ig-attachment-empty') && Number(resource.id.slice(-1)) % 2 === 0)
        delete attachment.url;
    }
    return { ...c, attachment };
  });
  return { ...resource, content };
}

export function servedResource(ctx: IgContext, resource: FhirResource, fhirBase: string): FhirResource {
  return served(ctx, resource, fhirBase);
}

const ndjson = (lines: unknown[]): string => lines.map((l) => `${JSON.stringify(l)}\n`).join('');

/** The patients whose compartments the export covers; undefined: no patient restriction (system). */
function population(ctx: IgContext, req: ExportRequest): Set<string> | undefined {
  const group = req.groupId === undefined ? undefined : ctx.data.groups.find((g) => g.id === req.groupId);
  const base =
    req.level === 'system'
      ? undefined
      : group
        ? group.patientIds
        : ctx.data.resources.filter((r) => r.type === 'Patient').map((r) => r.id);
  if (!req.patients || ctx.faults.has('ig-patient-param-ignored')) return base && new Set(base);
  // Named patients only (the kick-off already refused unknown ones and, for a group, outsiders).
  return new Set(req.patients);
}

/** Lines per file of an export organised by patient; a file ends only between two blocks. */
export const ORGANIZED_FILE_LINES = 200;
/** Lines per file under ig-organize-split-no-header, which cuts blocks anywhere. */
const SPLIT_LINES = 20;

/** The header of a patient's block (STU3): a Parameters resource whose `header` references it. */
const blockHeader = (patientId: string): Record<string, unknown> => ({
  resourceType: 'Parameters',
  parameter: [{ name: 'header', valueReference: { reference: `Patient/${patientId}` } }],
});

/**
 * The output of an export organised by patient (STU3 organizeOutputBy=Patient): one block per
 * patient, its header, then the Patient (listed first by type) and the resources of its
 * compartment; blocks are never split across files. A resource of no patient is left out, as the
 * IG allows. The fault moves one resource of every other block into the next patient's block.
 */
function organizedFiles(
  ctx: IgContext,
  resources: StoredResource[],
  render: (r: StoredResource) => FhirResource,
): Omit<ExportFile, 'name'>[] {
  const blocks = new Map<string, StoredResource[]>();
  for (const r of resources)
    if (r.patientId !== undefined) blocks.set(r.patientId, [...(blocks.get(r.patientId) ?? []), r]);
  const ordered = [...blocks.entries()];
  if (ctx.faults.has('ig-organize-output-mixed'))
    for (let i = 0; i + 1 < ordered.length; i += 2) {
      const [, from] = ordered[i]!;
      const [, to] = ordered[i + 1]!;
      // The resource after the Patient: one that references the patient (an Encounter).
      if (from.length > 2) to.push(...from.splice(1, 1));
    }
  const files: Omit<ExportFile, 'name'>[] = [];
  // The fault cuts the lines into files of SPLIT_LINES wherever a block is, repeating no header
  // and naming no continuesInFile (bulkdata-stu3@3).
  if (ctx.faults.has('ig-organize-split-no-header')) {
    const all = ordered.flatMap(([patientId, block]) => [
      { line: blockHeader(patientId) as unknown, type: undefined as string | undefined },
      ...block.map((r) => ({ line: render(r) as unknown, type: r.type as string | undefined })),
    ]);
    for (let i = 0; i < all.length; i += SPLIT_LINES) {
      const chunk = all.slice(i, i + SPLIT_LINES);
      files.push({
        type: 'by-patient',
        scopeTypes: [...new Set(chunk.flatMap((c) => (c.type ? [c.type] : [])))],
        kind: 'output',
        count: chunk.length,
        ndjson: ndjson(chunk.map((c) => c.line)),
      });
    }
    return files;
  }
  let lines: unknown[] = [];
  let types = new Set<string>();
  const close = (): void => {
    if (lines.length === 0) return;
    const scopeTypes = [...types];
    files.push({
      type: 'by-patient',
      scopeTypes,
      kind: 'output',
      count: lines.length,
      ndjson: ndjson(lines),
    });
    lines = [];
    types = new Set();
  };
  for (const [patientId, block] of ordered) {
    if (lines.length > 0 && lines.length + block.length + 1 > ORGANIZED_FILE_LINES) close();
    // The fault puts the block's Patient (listed first) after the resources that reference it.
    const inOrder =
      ctx.faults.has('ig-organize-patient-last') && block[0]?.type === 'Patient'
        ? [...block.slice(1), block[0]]
        : block;
    lines.push(blockHeader(patientId), ...inOrder.map(render));
    for (const r of block) types.add(r.type);
  }
  close();
  return files;
}

/**
 * How an export that holds Provenance as a type (no _type, or _type naming it) fills it: all of the
 * population's, or (the faults) only the latest of each exported resource, or none.
 */
function provenanceAsType(ctx: IgContext, req: ExportRequest): 'all' | 'latest' | 'observations' | 'none' {
  if (req.associated === 'LatestProvenanceResources') return 'none';
  if (req.types || req.associated) return 'all';
  // No _type and no includeAssociatedData: the IG's default (bulkdata@109-@112), which faults break.
  if (ctx.faults.has('ig-provenance-unsupported-omitted')) return 'none';
  if (req.level === 'system') return ctx.faults.has('ig-system-export-provenance-missing') ? 'none' : 'all';
  if (ctx.faults.has('ig-provenance-default-latest')) return 'latest';
  // The fault links Provenance to observations only, leaving out the conditions' (bulkdata@109).
  return ctx.faults.has('ig-provenance-observations-only') ? 'observations' : 'all';
}

/** The page ig-patient-file-first-page stops after. */
const PATIENT_PAGE = 10;

/** Where ig-system-provenance-stale's copy of the Provenance ends: before the data's last months. */
const STALE_PROVENANCE_MS = Date.UTC(2025, 6, 1);

export function buildExport(
  ctx: IgContext,
  req: ExportRequest,
  token: IssuedToken,
  transactionMs: number,
  fhirBase: string,
): Omit<ExportFile, 'name'>[] {
  const scopes = parseScopes(token.scopes.join(' '));
  const readable = (type: string): boolean =>
    coversType(scopes, type) || ctx.faults.has('ig-kickoff-ignores-scope');
  const levelTypes =
    req.level === 'system' ? RESOURCE_TYPES : RESOURCE_TYPES.filter((t) => PATIENT_COMPARTMENT_TYPES.has(t));
  // Fault ig-untyped-export-ignores-scope: scopes are enforced on a named _type only.
  const types =
    !req.types && ctx.faults.has('ig-untyped-export-ignores-scope')
      ? levelTypes
      : (req.types ?? levelTypes.filter((t) => coversType(scopes, t))).filter(readable);
  const patients = population(ctx, req);
  // The fault narrows only the Patient resources to the patient parameter (bulkdata@85).
  const others = ctx.faults.has('ig-patient-param-patients-only')
    ? population(ctx, { ...req, patients: undefined })
    : patients;
  // The first fault applies a Group to its Patient resources only: the other types hold every
  // patient's data (bulkdata@34, @65).
  const groupToPatientsOnly = req.level === 'group' && ctx.faults.has('ig-group-export-population-data');
  const inPopulation = (r: StoredResource): boolean => {
    const within = r.type === 'Patient' ? patients : groupToPatientsOnly ? undefined : others;
    return within === undefined || (r.patientId !== undefined && within.has(r.patientId));
  };
  const existing = (r: StoredResource): boolean => r.lastUpdatedMs <= transactionMs;
  const live = (r: StoredResource): boolean =>
    r.deletedMs === undefined || r.deletedMs > transactionMs || ctx.faults.has('ig-deleted-also-in-output');
  // The fault judges a Group export's _since by the patient's own Patient resource: all of a
  // patient's data when that changed after _since, none otherwise (bulkdata@254).
  const stampOf = (r: StoredResource): number =>
    req.level === 'group' && r.patientId !== undefined && ctx.faults.has('ig-group-since-by-patient-stamp')
      ? (ctx.data.byRef.get(`Patient/${r.patientId}`)?.lastUpdatedMs ?? r.lastUpdatedMs)
      : r.lastUpdatedMs;
  const since = (r: StoredResource): boolean => req.sinceMs === undefined || stampOf(r) > req.sinceMs;
  const passesFilters = (r: StoredResource): boolean => {
    const filters = req.typeFilters.filter((f) => f.type === r.type);
    if (filters.length === 0 || ctx.faults.has('ig-typefilter-ignored')) return true;
    const applied = ctx.faults.has('ig-typefilter-repeat-keeps-last') ? filters.slice(-1) : filters;
    // The fault requires every repeated query to match, not any (bulkdata@117).
    return ctx.faults.has('ig-typefilter-repeats-anded')
      ? applied.every((f) => matchesFilter(r.resource, f))
      : applied.some((f) => matchesFilter(r.resource, f));
  };

  const selected = new Map<string, StoredResource[]>();
  // The fault writes the first page of the patients only (bulkdata@35: the Patient resources).
  const firstPage = req.level !== 'system' && ctx.faults.has('ig-patient-file-first-page');
  // The fault leaves the members' Patient resources out of a Group export without _type (bulkdata@36).
  const noPatients = req.level === 'group' && !req.types && ctx.faults.has('ig-group-export-no-patients');
  for (const type of types) {
    if (type === 'Provenance') continue; // below: it depends on what else is exported
    if (type === 'Patient' && noPatients) continue;
    const found = ctx.data.resources.filter(
      (r) => r.type === type && inPopulation(r) && existing(r) && live(r) && since(r) && passesFilters(r),
    );
    selected.set(type, type === 'Patient' && firstPage ? found.slice(0, PATIENT_PAGE) : found);
  }
  // The fault adds, to a Patient-level export without _type, the practitioners and organizations
  // outside the Patient compartment (bulkdata@33, @66).
  if (req.level === 'patient' && !req.types && ctx.faults.has('ig-patient-export-practitioners'))
    for (const type of ['Practitioner', 'Organization'])
      selected.set(
        type,
        ctx.data.resources.filter((r) => r.type === type && existing(r)),
      );
  // The fault joins a Patient-level export's data with group membership: a patient in both
  // cohorts has each resource written twice (bulkdata@202: each resource once, its latest version).
  if (req.level === 'patient' && ctx.faults.has('ig-patient-export-membership-join')) {
    const memberships = (id: string): number =>
      ctx.data.groups.filter((g) => g.patientIds.includes(id)).length;
    for (const [type, list] of selected)
      selected.set(
        type,
        list.flatMap((r) =>
          Array<StoredResource>(Math.max(1, r.patientId ? memberships(r.patientId) : 1)).fill(r),
        ),
      );
  }
  const exported = [...new Set([...selected.values()].flat())];
  const provenance = new Map<string, StoredResource>();
  const addProvenance = (list: StoredResource[]): void => {
    for (const p of list) if (existing(p)) provenance.set(p.id, p);
  };
  if (readable('Provenance')) {
    if (req.associated) {
      for (const r of exported) {
        const list = ctx.data.provenanceByTarget.get(`${r.type}/${r.id}`) ?? [];
        const latestOnly =
          (req.associated === 'LatestProvenanceResources' && !ctx.faults.has('ig-latest-provenance-all')) ||
          (req.associated === 'RelevantProvenanceResources' &&
            ctx.faults.has('ig-relevant-provenance-latest-only'));
        if (
          req.associated === 'RelevantProvenanceResources' &&
          ctx.faults.has('ig-relevant-provenance-missing')
        )
          continue;
        // The list is oldest first; the fault takes its first one as the "latest" (bulkdata@97).
        const latest = ctx.faults.has('ig-latest-provenance-oldest')
          ? list.filter(existing).slice(0, 1)
          : list.filter(existing).slice(-1);
        addProvenance(latestOnly ? latest : list);
      }
    }
    // The fault adds the exported resources' Provenance to an export whose _type leaves it out.
    if (
      ctx.faults.has('ig-type-adds-provenance') &&
      req.types &&
      !req.associated &&
      !types.includes('Provenance')
    )
      for (const r of exported) addProvenance(ctx.data.provenanceByTarget.get(`${r.type}/${r.id}`) ?? []);
    // Provenance as a type of its own (no _type, or _type naming it): every Provenance of the
    // population, unless LatestProvenanceResources says only the latest ones.
    const asType = types.includes('Provenance') ? provenanceAsType(ctx, req) : 'none';
    // The fault serves the system level's Provenance from a copy taken at STALE_PROVENANCE_MS
    // (bulkdata@111, @112: every available Provenance).
    const stale = req.level === 'system' && ctx.faults.has('ig-system-provenance-stale');
    if (asType === 'all' || asType === 'observations')
      addProvenance(
        ctx.data.resources.filter(
          (r) =>
            r.type === 'Provenance' &&
            (!stale || r.lastUpdatedMs < STALE_PROVENANCE_MS) &&
            inPopulation(r) &&
            since(r) &&
            passesFilters(r) &&
            (asType === 'all' || JSON.stringify(r.resource['target']).includes('"Observation/')),
        ),
      );
    if (asType === 'latest')
      for (const r of exported)
        addProvenance(
          (ctx.data.provenanceByTarget.get(`${r.type}/${r.id}`) ?? []).filter(existing).slice(-1),
        );
    if (provenance.size > 0) selected.set('Provenance', [...provenance.values()]);
  }

  const render = (r: StoredResource): FhirResource =>
    subset(ctx, served(ctx, r.resource, fhirBase), req.elements);
  const files: Omit<ExportFile, 'name'>[] = req.organizeBy
    ? organizedFiles(
        ctx,
        RESOURCE_TYPES.flatMap((t) => selected.get(t) ?? []),
        render,
      )
    : [];
  // The fault writes each Provenance into the file of the type it targets (bulkdata@170).
  const besideTarget = new Map<string, StoredResource[]>();
  if (ctx.faults.has('ig-provenance-in-target-files')) {
    const own: StoredResource[] = [];
    for (const p of selected.get('Provenance') ?? []) {
      const target = (p.resource['target'] as { reference?: string }[] | undefined)?.[0]?.reference;
      const type = target?.split('/')[0];
      if (type && type !== 'Provenance' && (selected.get(type)?.length ?? 0) > 0)
        besideTarget.set(type, [...(besideTarget.get(type) ?? []), p]);
      else own.push(p);
    }
    selected.set('Provenance', own);
  }
  for (const type of req.organizeBy ? [] : RESOURCE_TYPES) {
    const list = [...(selected.get(type) ?? []), ...(besideTarget.get(type) ?? [])];
    if (list.length === 0) continue; // no item for a type without data (bulkdata@173)
    files.push({
      type,
      scopeType: type,
      kind: 'output',
      count: list.length,
      ndjson: ndjson(list.map(render)),
    });
  }
  if (req.sinceMs !== undefined && !ctx.faults.has('ig-deleted-not-listed')) {
    const sinceMs = req.sinceMs;
    for (const type of types) {
      // The fault lists every resource changed after _since as deleted, the live ones too (bulkdata@186).
      const changedLive = (r: StoredResource): boolean =>
        ctx.faults.has('ig-deleted-lists-changed') &&
        r.deletedMs === undefined &&
        r.lastUpdatedMs > sinceMs &&
        r.lastUpdatedMs <= transactionMs;
      const gone = ctx.data.resources.filter(
        (r) =>
          r.type === type &&
          inPopulation(r) &&
          (changedLive(r) ||
            (r.deletedMs !== undefined &&
              // The fault compares _since with the last version's lastUpdated, not the deletion (bulkdata@182).
              (ctx.faults.has('ig-deleted-since-by-last-update')
                ? r.lastUpdatedMs > sinceMs
                : r.deletedMs > sinceMs) &&
              r.deletedMs <= transactionMs)),
      );
      if (gone.length === 0) continue;
      const method = ctx.faults.has('ig-deleted-wrong-method') ? 'GET' : 'DELETE';
      const bundleType = ctx.faults.has('ig-deleted-bundle-batch') ? 'batch' : 'transaction';
      // The fault names the resource in fullUrl, leaving request.url out (bulkdata@189).
      const entryOf = (r: StoredResource): Record<string, unknown> =>
        ctx.faults.has('ig-deleted-entry-full-url')
          ? { fullUrl: `${fhirBase}/${r.type}/${r.id}`, request: { method } }
          : { request: { method, url: `${r.type}/${r.id}` } };
      const bundles: Record<string, unknown>[] = gone.map((r) => ({
        resourceType: 'Bundle',
        type: bundleType,
        entry: [entryOf(r)],
      }));
      // The fault closes each file with an entry-less Bundle (bulkdata@188: one entry or more).
      if (ctx.faults.has('ig-deleted-empty-bundle'))
        bundles.push({ resourceType: 'Bundle', type: bundleType });
      files.push({
        type: 'Bundle',
        scopeType: type,
        kind: 'deleted',
        count: bundles.length,
        ndjson: ndjson(bundles),
      });
    }
  }
  if (req.ignored.length > 0 && !ctx.faults.has('ig-lenient-no-error-outcome'))
    files.push({
      type: 'OperationOutcome',
      kind: 'error',
      count: ctx.faults.has('ig-lenient-first-ignored-only') ? 1 : req.ignored.length,
      ndjson: errorNdjson(
        ctx,
        // The fault reports the first ignored parameter only (bulkdata@197: one for each).
        (ctx.faults.has('ig-lenient-first-ignored-only') ? req.ignored.slice(0, 1) : req.ignored).map((why) =>
          operationOutcome('warning', 'not-supported', `ignored under handling=lenient: ${why}`),
        ),
      ),
    });
  return files;
}

/**
 * An error file's text: one OperationOutcome a line; the fault writes one line, a collection
 * Bundle of them (bulkdata@196: the same NDJSON format as the output files).
 */
function errorNdjson(ctx: IgContext, outcomes: Record<string, unknown>[]): string {
  if (!ctx.faults.has('ig-error-file-bundle')) return ndjson(outcomes);
  return ndjson([
    { resourceType: 'Bundle', type: 'collection', entry: outcomes.map((resource) => ({ resource })) },
  ]);
}
