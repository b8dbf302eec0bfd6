/**
 * What the checks of the IG's optional features need to know of each exported resource, read line
 * by line as an export's files stream in: its top-level elements and SUBSETTED tag (_elements), the
 * patients it points to (patient), its Provenance targets (includeAssociatedData), its attachments,
 * and the values of a few common search parameters (_typeFilter). Nothing else is kept.
 */

type Json = Record<string, unknown>;

const asObject = (v: unknown): Json | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

export const SUBSETTED_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue';

/** An Attachment as exported: what the attachment checks look at. */
export interface AttachmentSummary {
  /** `<type>/<id>` of the resource holding it. */
  holder: string;
  contentType?: string;
  url?: string;
  hasData: boolean;
}

/**
 * A search parameter `_typeFilter` may use, common to FHIR R4 servers, and the element it reads:
 * a CodeableConcept (token `system|code`) or a plain code.
 */
export interface FilterParameter {
  type: string;
  param: string;
  element: string;
  kind: 'concept' | 'code';
}

/** In the order the _typeFilter checks prefer them (coded clinical data first). */
export const FILTER_PARAMETERS: readonly FilterParameter[] = [
  { type: 'Observation', param: 'code', element: 'code', kind: 'concept' },
  { type: 'Condition', param: 'code', element: 'code', kind: 'concept' },
  { type: 'Procedure', param: 'code', element: 'code', kind: 'concept' },
  { type: 'DiagnosticReport', param: 'code', element: 'code', kind: 'concept' },
  { type: 'Observation', param: 'category', element: 'category', kind: 'concept' },
  { type: 'DocumentReference', param: 'type', element: 'type', kind: 'concept' },
  { type: 'Encounter', param: 'status', element: 'status', kind: 'code' },
  { type: 'Observation', param: 'status', element: 'status', kind: 'code' },
  { type: 'Patient', param: 'gender', element: 'gender', kind: 'code' },
];

export interface ResourceSummary {
  /** `<type>/<id>`. */
  key: string;
  type: string;
  id: string;
  /** Top-level element names, resourceType aside. */
  elements: string[];
  /** meta.tag holds SUBSETTED. */
  subsetted: boolean;
  /** Ids of the Patients it references (a Patient: its own id). */
  patients: string[];
  lastUpdated?: number;
  /** Provenance: the `<type>/<id>` of each target. */
  targets?: string[];
  /** Provenance: `recorded` in epoch ms. */
  recorded?: number;
  attachments: AttachmentSummary[];
  /** `param` → its token values (`system|code`, or the code), for the FILTER_PARAMETERS of the type. */
  tokens: Record<string, string[]>;
}

/** `Type/id` of a reference (relative, or the tail of an absolute URL; a version dropped). */
export function referenceKey(reference: string): string | undefined {
  if (reference.startsWith('#')) return undefined;
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

/** Every `reference` string anywhere in a value. */
function references(value: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 12) return out;
  if (Array.isArray(value)) for (const v of value) references(v, out, depth + 1);
  else {
    const o = asObject(value);
    if (!o) return out;
    for (const [k, v] of Object.entries(o)) {
      if (k === 'reference' && typeof v === 'string') out.push(v);
      else if (k !== 'contained') references(v, out, depth + 1);
    }
  }
  return out;
}

/** Elements of type Attachment in R4 resources, by name (Media.content aside, read by type). */
const ATTACHMENT_KEYS = new Set([
  'attachment',
  'presentedForm',
  'photo',
  'valueAttachment',
  'contentAttachment',
]);

function attachments(holder: string, value: unknown, out: AttachmentSummary[], depth = 0): void {
  if (depth > 8) return;
  if (Array.isArray(value)) {
    for (const v of value) attachments(holder, v, out, depth + 1);
    return;
  }
  const o = asObject(value);
  if (!o) return;
  for (const [k, v] of Object.entries(o)) {
    if (ATTACHMENT_KEYS.has(k)) {
      for (const a of asArray(v).map(asObject)) {
        if (!a) continue;
        out.push({
          holder,
          ...(typeof a['contentType'] === 'string' ? { contentType: a['contentType'] } : {}),
          ...(typeof a['url'] === 'string' ? { url: a['url'] } : {}),
          hasData: typeof a['data'] === 'string' && a['data'] !== '',
        });
      }
    } else if (k !== 'contained') attachments(holder, v, out, depth + 1);
  }
}

function tokensOf(resource: Json, type: string): Record<string, string[]> {
  const tokens: Record<string, string[]> = {};
  for (const p of FILTER_PARAMETERS) {
    if (p.type !== type) continue;
    const raw = resource[p.element];
    const values =
      p.kind === 'code'
        ? typeof raw === 'string'
          ? [raw]
          : []
        : asArray(raw).flatMap((cc) =>
            asArray(asObject(cc)?.['coding']).flatMap((c) => {
              const coding = asObject(c);
              const system = coding?.['system'];
              const code = coding?.['code'];
              return typeof system === 'string' && typeof code === 'string' ? [`${system}|${code}`] : [];
            }),
          );
    if (values.length) tokens[p.param] = [...new Set(values)];
  }
  return tokens;
}

/** The summary of one NDJSON line, or undefined when it is not a resource with a type and an id. */
export function summarize(line: string): ResourceSummary | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  const resource = asObject(parsed);
  const type = resource?.['resourceType'];
  const id = resource?.['id'];
  if (!resource || typeof type !== 'string' || typeof id !== 'string') return undefined;
  const key = `${type}/${id}`;
  const meta = asObject(resource['meta']);
  const subsetted = asArray(meta?.['tag']).some((t) => {
    const tag = asObject(t);
    return tag?.['code'] === 'SUBSETTED';
  });
  const refs = references(resource).flatMap((r) => {
    const k = referenceKey(r);
    return k ? [k] : [];
  });
  const patients = [
    ...new Set([
      ...(type === 'Patient' ? [id] : []),
      ...refs.filter((k) => k.startsWith('Patient/')).map((k) => k.slice(8)),
    ]),
  ];
  const summary: ResourceSummary = {
    key,
    type,
    id,
    elements: Object.keys(resource).filter((k) => k !== 'resourceType'),
    subsetted,
    patients,
    attachments: [],
    tokens: tokensOf(resource, type),
  };
  const updated = meta?.['lastUpdated'];
  if (typeof updated === 'string' && Number.isFinite(Date.parse(updated)))
    summary.lastUpdated = Date.parse(updated);
  if (type === 'Provenance') {
    summary.targets = asArray(resource['target']).flatMap((t) => {
      const ref = asObject(t)?.['reference'];
      const k = typeof ref === 'string' ? referenceKey(ref) : undefined;
      return k ? [k] : [];
    });
    const recorded = resource['recorded'];
    if (typeof recorded === 'string' && Number.isFinite(Date.parse(recorded)))
      summary.recorded = Date.parse(recorded);
  }
  attachments(
    key,
    type === 'Media' ? { ...resource, attachment: resource['content'] } : resource,
    summary.attachments,
  );
  return summary;
}

/** True when `filter` (`param` → value) matches the resource. */
export const matchesToken = (r: ResourceSummary, param: string, value: string): boolean =>
  (r.tokens[param] ?? []).includes(value);
