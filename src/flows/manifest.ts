/** Reading a completed-job manifest defensively: the target may send anything. */
import type { Received, Schemas } from '../http/bodies';

/**
 * A well-formed `output` or `error` item: the spec's url and count; the type any string, as an
 * error item says OperationOutcome and a faulty server may name any type.
 */
export type ManifestItem = Pick<Schemas['ManifestOutputFile'], 'url' | 'count'> & { type: string };

/**
 * A manifest as received: the members the spec's ExportManifest names, each not yet checked.
 * Keyed by the spec, so a member renamed or dropped there breaks the readers that use it.
 */
export type Manifest = Received<Schemas['ExportManifest']>;

export function asManifest(body: unknown): Manifest | undefined {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Manifest) : undefined;
}

/** The well-formed items of `output` or `error` (items without a string type and url are skipped). */
export function manifestItems(list: unknown): ManifestItem[] {
  if (!Array.isArray(list)) return [];
  const items: ManifestItem[] = [];
  for (const raw of list) {
    if (!raw || typeof raw !== 'object') continue;
    const r = raw as Received<Schemas['ManifestOutputFile']>;
    if (typeof r.type === 'string' && typeof r.url === 'string') {
      const item: ManifestItem = { type: r.type, url: r.url };
      if (typeof r.count === 'number') item.count = r.count;
      items.push(item);
    }
  }
  return items;
}

/** FHIR instant: full date-time with seconds and a zone (Z or ±hh:mm). */
export const FHIR_INSTANT =
  /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$/;

export function isAbsoluteHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
