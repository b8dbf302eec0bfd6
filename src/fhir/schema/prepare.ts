/**
 * Turns the official FHIR R4 schema into the one we compile:
 * - `id` → `$id` (Ajv 8 needs it);
 * - the root and `ResourceList` `oneOf`s become Ajv discriminators on `resourceType`, so a bad
 *   field gives one precise error instead of one per resource type;
 * - tightening the official schema leaves out: complex types must be objects, int32 integer
 *   types (also where the schema inlines them), no empty arrays or objects (ele-1), and from the
 *   constraints file 1..1 elements, choice[x] exclusivity, required-binding codes; plus ext-1;
 * - `pattern` dropped where it sits on numbers or booleans (Ajv ignores it there anyway);
 * - `null` allowed inside primitive arrays, which FHIR JSON uses to align `x` with `_x`;
 * - whitespace in the string, code and uri patterns read as the reference validator reads it
 *   (ASCII only), and uri, url and canonical refuse the empty string (PATTERN_REWRITES);
 * - a `SimpleQuantity` definition (Quantity's elements) for the elements the R4 definitions type
 *   so, and on each definition its generated FHIRPath invariants (`fhirInvariants`, read only by
 *   the fast validator and the invariants explainer; Ajv ignores the keyword), and on Coding
 *   the complete HL7 code systems its code is checked against (`fhirCodeSystems`) and their codes'
 *   displays (`fhirCodeDisplays`), on Meta the ids of the core StructureDefinitions (`fhirCoreProfiles`).
 */
import type { GeneratedInvariant } from './invariants';
import type { ConstraintEntry, ConstraintsFile, FhirJsonSchema, SchemaNode } from './source';

/** What scripts/fhir-extract-constraints.js writes beside the schema constraints. */
interface ConstraintEntryWithInvariants extends ConstraintEntry {
  /** Elements typed SimpleQuantity (a profile of Quantity without comparator). */
  simpleQuantity?: string[];
  /** FHIRPath invariants translated to JavaScript over the element `o`. */
  invariants?: GeneratedInvariant[];
}

export const SCHEMA_ID = 'http://hl7.org/fhir/json-schema/4.0';

const INTEGER_RANGES: Record<string, { minimum: number; maximum: number }> = {
  integer: { minimum: -2147483648, maximum: 2147483647 },
  positiveInt: { minimum: 1, maximum: 2147483647 },
  unsignedInt: { minimum: 0, maximum: 2147483647 },
};

/**
 * Whitespace as the HL7 reference validator (Java) reads `\s`: ASCII only. JavaScript's `\s` also
 * matches the no-break and other Unicode spaces, which the reference accepts inside strings, codes
 * and uris; and uri, url and canonical refuse the empty string (no primitive value is empty).
 */
const WS = ' \\t\\n\\x0B\\f\\r';
export const PATTERN_REWRITES: Readonly<Record<string, string>> = {
  // string, markdown: [ \r\n\t] or non-whitespace, that is anything but \x0B and \f
  '^[ \\r\\n\\t\\S]+$': '^[^\\x0B\\f]+$',
  // uri, url, canonical
  '^\\S*$': `^[^${WS}]+$`,
  // code
  '^[^\\s]+(\\s[^\\s]+)*$': `^[^${WS}]+([${WS}][^${WS}]+)*$`,
};

const isObject = (v: unknown): v is SchemaNode => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `#/definitions/string` → `string`. */
function refName(node: unknown): string | undefined {
  if (!isObject(node) || typeof node.$ref !== 'string') return undefined;
  return node.$ref.startsWith('#/definitions/') ? node.$ref.slice('#/definitions/'.length) : undefined;
}

function discriminated(oneOf: SchemaNode[]): SchemaNode {
  return {
    type: 'object',
    required: ['resourceType'],
    discriminator: { propertyName: 'resourceType' },
    oneOf,
  };
}

/** The integer definition an inline `type: number` property stands for, found by its pattern. */
function integerKind(node: SchemaNode, defs: Record<string, SchemaNode>): string | undefined {
  if (node.type !== 'number' || typeof node.pattern !== 'string') return undefined;
  return Object.keys(INTEGER_RANGES).find((name) => defs[name]?.pattern === node.pattern);
}

/** Applies the integer and pattern fixes to a primitive node (a definition or an inline property). */
function tightenPrimitive(node: SchemaNode, defs: Record<string, SchemaNode>): void {
  const kind = integerKind(node, defs);
  if (kind) Object.assign(node, { type: 'integer' }, INTEGER_RANGES[kind]);
  if ((node.type === 'number' || node.type === 'integer' || node.type === 'boolean') && 'pattern' in node)
    delete node.pattern;
}

export function prepareSchema(official: FhirJsonSchema, constraints: ConstraintsFile): FhirJsonSchema {
  const schema = structuredClone(official);
  const defs = schema.definitions;
  delete schema.id;
  delete schema.$schema;
  delete schema.discriminator;
  schema.$id = SCHEMA_ID;
  Object.assign(schema, discriminated(schema.oneOf));

  const resourceList = defs.ResourceList;
  if (!resourceList || !Array.isArray(resourceList.oneOf))
    throw new Error('schema has no ResourceList.oneOf');
  defs.ResourceList = discriminated(resourceList.oneOf as SchemaNode[]);

  for (const name of Object.keys(INTEGER_RANGES))
    if (!defs[name]) throw new Error(`schema has no ${name} definition`);
  // Inline properties first: their integer kind is found by comparing with the untouched definitions.
  for (const def of Object.values(defs)) {
    if (isObject(def.properties))
      for (const prop of Object.values(def.properties)) if (isObject(prop)) tightenPrimitive(prop, defs);
  }
  for (const def of Object.values(defs)) tightenPrimitive(def, defs);

  const extras = constraints.definitions as Record<string, ConstraintEntryWithInvariants>;
  const quantity = defs.Quantity;
  if (!quantity) throw new Error('schema has no Quantity definition');
  defs.SimpleQuantity = { ...structuredClone(quantity), description: 'A Quantity without a comparator.' };
  for (const [name, extra] of Object.entries(extras)) {
    const props = defs[name]?.properties;
    if (!isObject(props)) continue;
    for (const propName of extra.simpleQuantity ?? []) {
      const prop = props[propName];
      if (!isObject(prop)) continue;
      const holder = prop.type === 'array' && isObject(prop.items) ? prop.items : prop;
      if (refName(holder) === 'Quantity') holder.$ref = '#/definitions/SimpleQuantity';
    }
  }

  for (const [name, def] of Object.entries(defs)) {
    const props = def.properties;
    if (!isObject(props)) continue;
    def.type = 'object';
    def.minProperties = 1;
    const codes = constraints.definitions[name]?.codes ?? {};
    for (const [propName, prop] of Object.entries(props)) {
      if (!isObject(prop)) continue;
      const closed = codes[propName];
      if (closed && refName(prop) === 'code' && !('enum' in prop)) prop.enum = closed;
      if (prop.type !== 'array') continue;
      prop.minItems = 1;
      const item = refName(prop.items);
      const primitiveItems = item !== undefined && /^[a-z]/.test(item);
      if (primitiveItems || (propName.startsWith('_') && item === 'Element')) {
        prop.items = { if: { type: 'null' }, then: true, else: prop.items };
      }
    }
    const extra = constraints.definitions[name];
    if (extra) {
      const required = extra.required
        .map((group) => group.filter((p) => p in props))
        .filter((group) => group.length > 0);
      if (required.length) def.fhirRequired = required;
      const choices = extra.choices
        .map((group) => group.filter((p) => p in props))
        .filter((g) => g.length > 1);
      if (choices.length) def.fhirChoice = choices;
      const invariants = (extra as ConstraintEntryWithInvariants).invariants;
      if (invariants?.length) def.fhirInvariants = invariants;
    }
  }
  // A primitive value is never empty (FHIR JSON): the uri, url and canonical patterns allow "".
  const rewrite = (node: SchemaNode): void => {
    const to = typeof node.pattern === 'string' ? PATTERN_REWRITES[node.pattern] : undefined;
    if (to !== undefined) node.pattern = to;
  };
  for (const def of Object.values(defs)) {
    rewrite(def);
    if (isObject(def.properties))
      for (const prop of Object.values(def.properties)) if (isObject(prop)) rewrite(prop);
  }
  const extension = defs.Extension;
  if (!extension) throw new Error('schema has no Extension definition');
  extension.fhirExt1 = true;
  // The complete HL7 code systems a Coding's code is checked against (read like fhirInvariants),
  // and the displays of their codes, which a Coding's display is compared with.
  const { codeSystems, codeDisplays, coreProfiles } = constraints as ConstraintsFile & {
    codeSystems?: Record<string, string[]>;
    codeDisplays?: Record<string, Record<string, string[]>>;
    coreProfiles?: string[];
  };
  const coding = defs.Coding;
  const meta = defs.Meta;
  if (!coding || !meta) throw new Error('schema has no Coding or Meta definition');
  if (codeSystems) coding.fhirCodeSystems = codeSystems;
  if (codeDisplays) coding.fhirCodeDisplays = codeDisplays;
  // The profiles a meta.profile may name without a warning (see I_knownProfile).
  if (coreProfiles) meta.fhirCoreProfiles = coreProfiles;
  return schema;
}
