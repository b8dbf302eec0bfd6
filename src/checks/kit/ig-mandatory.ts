/**
 * The mandatory (min 1) top-level elements of each FHIR R4 resource type, which `_elements` may not
 * take away (bulkdata@79): the complex ones the official R4 JSON schema lists as `required`, the
 * primitive ones from the constraints file (spec/fhir/r4-constraints.json). Read once, on first use.
 */
import { loadConstraints, loadOfficialSchema } from '../../fhir/schema/source';

let cache: Map<string, Set<string>> | undefined;

function load(): Map<string, Set<string>> {
  const schema = loadOfficialSchema();
  const constraints = loadConstraints();
  const out = new Map<string, Set<string>>();
  for (const [name, def] of Object.entries(schema.definitions)) {
    const required = Array.isArray(def['required']) ? (def['required'] as unknown[]) : [];
    const names = new Set(required.filter((r): r is string => typeof r === 'string' && r !== 'resourceType'));
    for (const group of constraints.definitions[name]?.required ?? [])
      for (const p of group) if (!p.startsWith('_')) names.add(p);
    out.set(name, names);
  }
  return out;
}

/** The mandatory top-level elements of `type` (empty for a type R4 does not define). */
export function mandatoryElements(type: string): ReadonlySet<string> {
  cache ??= load();
  return cache.get(type) ?? new Set();
}
