/**
 * What an export's data files hold, reduced to what the data checks compare: each resource's
 * type, id, meta.lastUpdated, the enrollee it belongs to and, for claims, its first and last
 * service dates. Built line by line as the files stream in (an export's `inspectLine`), so nothing
 * else is kept.
 */

/** One resource of an export, as the data checks see it. */
export interface IndexedResource {
  /** `<resourceType>/<id>`: the same resource in two exports has the same key. */
  key: string;
  type: string;
  /** meta.lastUpdated in epoch ms; undefined when absent or not an instant. */
  lastUpdated?: number;
  /** The enrollee's Patient id: Patient.id, or the `Patient/<id>` the resource points to. */
  patient?: string;
  /** Claim resources whose patient is contained: its MBI, resolved through the export's Patients. */
  patientMbi?: string;
  /**
   * Resources in a Patient's compartment through another resource (a Provenance through its
   * targets): their keys, resolved through the export's own resources.
   */
  via?: string[];
  /** Claims: the latest service date (YYYY-MM-DD) in billablePeriod and item serviced dates. */
  serviceEnd?: string;
  /** Claims: the earliest of those dates. */
  serviceStart?: string;
  /** The type the manifest gave the file the line came from. */
  fileType: string;
}

const MBI_SYSTEM = 'http://hl7.org/fhir/sid/us-mbi';

type Json = Record<string, unknown>;

const asObject = (v: unknown): Json | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** `Patient/<id>` (relative, or the tail of an absolute URL) as the id; anything else undefined. */
/**
 * The reference that puts a resource in a Patient's compartment, by the R4 compartment's usual
 * elements (patient, subject, beneficiary, individual): the first that names a Patient.
 */
function compartmentLink(resource: Record<string, unknown>): unknown {
  for (const name of ['patient', 'subject', 'beneficiary', 'individual']) {
    const ref = resource[name];
    if (patientOf(ref) !== undefined) return ref;
  }
  return resource['patient'];
}

function patientOf(ref: unknown): string | undefined {
  const reference = asObject(ref)?.['reference'];
  if (typeof reference !== 'string') return undefined;
  const m = /(?:^|\/)Patient\/([^/]+)$/.exec(reference);
  return m?.[1];
}

function mbiOf(identifiers: unknown): string | undefined {
  for (const raw of asArray(identifiers)) {
    const id = asObject(raw);
    if (id?.['system'] === MBI_SYSTEM && typeof id['value'] === 'string') return id['value'];
  }
  return undefined;
}

/** The MBI of a contained Patient a `#id` reference points to. */
function containedMbi(resource: Json, ref: unknown): string | undefined {
  const reference = asObject(ref)?.['reference'];
  if (typeof reference !== 'string' || !reference.startsWith('#')) return undefined;
  const target = asArray(resource['contained'])
    .map(asObject)
    .find((c) => c?.['id'] === reference.slice(1));
  return target ? mbiOf(target['identifier']) : undefined;
}

/** The claim's service dates, as dates (time and zone dropped), earliest first. */
function serviceDaysOf(resource: Json): string[] {
  const dates: unknown[] = [];
  const period = asObject(resource['billablePeriod']);
  if (period) dates.push(period['start'], period['end']);
  for (const raw of asArray(resource['item'])) {
    const item = asObject(raw);
    if (!item) continue;
    dates.push(item['servicedDate']);
    const served = asObject(item['servicedPeriod']);
    if (served) dates.push(served['start'], served['end']);
  }
  return dates
    .filter((d): d is string => typeof d === 'string' && /^\d{4}-\d{2}-\d{2}/.test(d))
    .map((d) => d.slice(0, 10))
    .sort();
}

/** The index of one export's data lines. */
export class DataIndex {
  readonly resources = new Map<string, IndexedResource>();
  /** Lines that are not a JSON object with a resourceType and an id. */
  unreadable = 0;
  /** The same resource on two lines (kept once). */
  duplicates = 0;
  /** The first few resources met twice, `<type>/<id>`. */
  readonly duplicateKeys: string[] = [];
  private readonly mbis = new Map<string, string>();

  /** Adds one line of an output file the manifest labels `fileType`. */
  add(line: string, fileType: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      this.unreadable += 1;
      return;
    }
    const resource = asObject(parsed);
    const type = resource?.['resourceType'];
    const id = resource?.['id'];
    if (!resource || typeof type !== 'string' || typeof id !== 'string') {
      this.unreadable += 1;
      return;
    }
    const key = `${type}/${id}`;
    if (this.resources.has(key)) {
      this.duplicates += 1;
      if (this.duplicateKeys.length < 5 && !this.duplicateKeys.includes(key)) this.duplicateKeys.push(key);
      return;
    }
    const entry: IndexedResource = { key, type, fileType };
    const updated = asObject(resource['meta'])?.['lastUpdated'];
    if (typeof updated === 'string') {
      const ms = Date.parse(updated);
      if (Number.isFinite(ms)) entry.lastUpdated = ms;
    }
    if (type === 'Patient') {
      entry.patient = id;
      const mbi = mbiOf(resource['identifier']);
      if (mbi) this.mbis.set(mbi, id);
    } else {
      const ref = type === 'Coverage' ? resource['beneficiary'] : compartmentLink(resource);
      const patient = patientOf(ref);
      if (patient) entry.patient = patient;
      else {
        const mbi = containedMbi(resource, ref);
        if (mbi) entry.patientMbi = mbi;
      }
      if (type === 'Provenance' && !entry.patient) {
        const targets = asArray(resource['target']).flatMap((t) => {
          const r = asObject(t)?.['reference'];
          return typeof r === 'string' && /^[A-Za-z]+\/[^/]+$/.test(r) ? [r] : [];
        });
        if (targets.length) entry.via = targets;
      }
    }
    if (type === 'ExplanationOfBenefit' || type === 'Claim') {
      const days = serviceDaysOf(resource);
      if (days.length) {
        entry.serviceStart = days[0]!;
        entry.serviceEnd = days[days.length - 1]!;
      }
    }
    this.resources.set(key, entry);
  }

  get size(): number {
    return this.resources.size;
  }

  /** The enrollee a resource belongs to, when the export says. */
  enrolleeOf(r: IndexedResource): string | undefined {
    const direct = r.patient ?? (r.patientMbi ? this.mbis.get(r.patientMbi) : undefined);
    if (direct !== undefined || !r.via) return direct;
    // One step only: a Provenance's target is a resource of its own compartment, never another Provenance.
    for (const key of r.via) {
      const target = this.resources.get(key);
      const who = target && !target.via ? this.enrolleeOf(target) : undefined;
      if (who !== undefined) return who;
    }
    return undefined;
  }

  /** Each enrollee's resources. */
  byEnrollee(): Map<string, IndexedResource[]> {
    const out = new Map<string, IndexedResource[]>();
    for (const r of this.resources.values()) {
      const who = this.enrolleeOf(r);
      if (who === undefined) continue;
      const list = out.get(who);
      if (list) list.push(r);
      else out.set(who, [r]);
    }
    return out;
  }

  enrollees(): Set<string> {
    return new Set(this.byEnrollee().keys());
  }

  /** The ids of the export's Patient resources. */
  patientIds(): Set<string> {
    return new Set([...this.resources.values()].filter((r) => r.type === 'Patient').map((r) => r.patient!));
  }

  /** Resource types with at least one resource. */
  types(): Set<string> {
    return new Set([...this.resources.values()].map((r) => r.type));
  }

  /** Every meta.lastUpdated, ascending. */
  lastUpdatedValues(): number[] {
    return [...this.resources.values()]
      .flatMap((r) => (r.lastUpdated === undefined ? [] : [r.lastUpdated]))
      .sort((a, b) => a - b);
  }
}

/**
 * A `_since` strictly inside the spread of `meta.lastUpdated` values, in the gap at or just above
 * the median, so that no resource sits on it (a server storing finer instants than it prints cannot
 * be judged wrong at the boundary) and an ignored `_since` brings back about half of the data. It
 * lies a second after the value below the gap (halfway across a gap shorter than two seconds), so
 * that a server reading it a little early, its zone offset dropped or its time of day cut off, brings
 * that resource back. Undefined when every value is the same or there is none: the data cannot tell.
 */
/** How far after the last value before it the chosen `_since` lies, gap allowing. */
const SINCE_AFTER_VALUE_MS = 1000;

export function sinceInsideRange(values: readonly number[]): number | undefined {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor((sorted.length - 1) / 2);
  // From the median outwards, the first gap of 2 ms or more between neighbouring values.
  for (let step = 0; step < sorted.length; step++) {
    for (const i of step === 0 ? [mid] : [mid + step, mid - step]) {
      const a = sorted[i];
      const b = sorted[i + 1];
      if (a === undefined || b === undefined) continue;
      if (b - a >= 2) return a + Math.min(SINCE_AFTER_VALUE_MS, Math.floor((b - a) / 2));
    }
  }
  return undefined;
}
