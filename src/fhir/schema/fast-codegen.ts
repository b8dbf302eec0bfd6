/**
 * A second, boolean-only compiler for the prepared FHIR schema, written for the hot path.
 *
 * Ajv's code tracks error paths and checks every declared property on every object; FHIR
 * objects are sparse (an EOB definition has ~60 properties, an instance ~20). This generator
 * emits one function per definition that walks the instance's own keys once, dispatching on a
 * `switch`, and returns only true/false. When it says false, the Ajv validator runs on that
 * resource to say precisely why, so messages and paths stay Ajv's.
 *
 * It supports exactly the keywords the prepared schema uses (checked: anything else throws at
 * build time), and a differential test holds it equal to Ajv on the corpus and mock data.
 */
import { PATTERN_REWRITES, SCHEMA_ID } from './prepare';
import { FORMAT_ACCEPTORS, FORMAT_SOURCE } from './fast-formats';
import { INVARIANT_SOURCE, isPlainString, type GeneratedInvariant } from './invariants';
import type { FhirJsonSchema, SchemaNode } from './source';

const REF_PREFIX = '#/definitions/';
const OBJECT_KEYWORDS = new Set([
  'type',
  'description',
  'properties',
  'additionalProperties',
  'minProperties',
  'required',
  'fhirRequired',
  'fhirChoice',
  'fhirExt1',
  'fhirInvariants',
  'fhirCodeSystems',
  'fhirCodeDisplays',
  'fhirCoreProfiles',
]);
const PRIMITIVE_KEYWORDS = new Set([
  'type',
  'description',
  'pattern',
  'minimum',
  'maximum',
  'enum',
  'const',
  '$ref',
]);

/**
 * Pattern tests are most of the validation time, and the three commonest patterns (string,
 * uri, code; as prepare.ts rewrites them, with ASCII whitespace) only forbid whitespace. In a
 * "clean" line (no backslash escape, which the caller checks once per line) a JSON string value
 * can hold no whitespace but the plain space, so these equivalent tests replace the regexps.
 */
const CLEAN_SHORTCUTS: Readonly<Record<string, (v: string) => string>> = {
  // string, markdown
  [PATTERN_REWRITES['^[ \\r\\n\\t\\S]+$'] as string]: (v) => `${v}.length > 0`,
  // uri, url, canonical: not empty
  [PATTERN_REWRITES['^\\S*$'] as string]: (v) => `(${v}.length > 0 && ${v}.indexOf(" ") === -1)`,
  // code: no leading, trailing or doubled whitespace (most codes have no space at all)
  [PATTERN_REWRITES['^[^\\s]+(\\s[^\\s]+)*$'] as string]: (v) =>
    `(${v}.indexOf(" ") === -1 ? ${v}.length > 0 : ${v}.charCodeAt(0) !== 32 && ${v}.charCodeAt(${v}.length - 1) !== 32 && ${v}.indexOf("  ") === -1)`,
};

/** Acceptors of the date, dateTime and instant patterns: their values must also be calendar days. */
const CALENDAR_ACCEPTORS = new Set(['F_date', 'F_dateTime', 'F_instant']);

const isObject = (v: unknown): v is SchemaNode => typeof v === 'object' && v !== null && !Array.isArray(v);
const lit = (v: unknown): string => JSON.stringify(v);

class Emitter {
  private readonly out: string[] = [];
  private readonly patterns = new Map<string, string>();
  private readonly sets = new Map<string, string>();
  /** url -> codes of the complete HL7 code systems (Coding's fhirCodeSystems), when present. */
  readonly codeSystems: Record<string, string[]> | undefined;
  /** url -> code -> [display, designations…] of those systems (Coding's fhirCodeDisplays). */
  readonly codeDisplays: Record<string, Record<string, string[]>>;

  constructor(
    private readonly defs: Record<string, SchemaNode>,
    /** Names of the resource definitions (ele-1 is a rule of elements, not of resources). */
    private readonly resources: ReadonlySet<string>,
    /** false: the schema alone, without the rules of invariants.ts (the bench measures their cost). */
    private readonly inv = true,
  ) {
    this.codeSystems = defs.Coding?.fhirCodeSystems as Record<string, string[]> | undefined;
    this.codeDisplays = (defs.Coding?.fhirCodeDisplays ?? {}) as Record<string, Record<string, string[]>>;
  }

  fn(name: string): string {
    const def = this.defs[name];
    if (!def) throw new Error(`fast validator: unknown definition ${name}`);
    return (
      (isObject(def.properties) || def.discriminator !== undefined ? 'o_' : 'p_') +
      name.replace(/[^A-Za-z0-9_]/g, '_')
    );
  }

  /**
   * Test of `v` against a pattern, inlined: the clean-line shortcut or the hand-written
   * acceptor when there is one (falling back to the regexp), else the regexp.
   */
  private patternTest(v: string, source: string): string {
    let id = this.patterns.get(source);
    if (!id) {
      id = `P${this.patterns.size}`;
      this.patterns.set(source, id);
    }
    const shortcut = CLEAN_SHORTCUTS[source];
    if (shortcut) return `(CLEAN ? ${shortcut(v)} : ${id}.test(${v}))`;
    const acceptor = FORMAT_ACCEPTORS[source];
    if (acceptor && this.inv && CALENDAR_ACCEPTORS.has(acceptor))
      return `((${acceptor}(${v}) || ${id}.test(${v})) && I_calendar(${v}))`;
    if (acceptor) return `(${acceptor}(${v}) || ${id}.test(${v}))`;
    return `${id}.test(${v})`;
  }

  /** Membership test for an enum: `===` chains for short lists, a Set for long ones. */
  private enumTest(v: string, values: unknown[]): string {
    if (values.length <= 4) return '(' + values.map((x) => `${v} === ${lit(x)}`).join(' || ') + ')';
    const key = lit(values);
    let id = this.sets.get(key);
    if (!id) {
      id = `E${this.sets.size}`;
      this.sets.set(key, id);
    }
    return `${id}.has(${v})`;
  }

  private refName(node: SchemaNode): string | undefined {
    if (typeof node.$ref !== 'string') return undefined;
    if (!node.$ref.startsWith(REF_PREFIX)) throw new Error(`fast validator: unsupported $ref ${node.$ref}`);
    return node.$ref.slice(REF_PREFIX.length);
  }

  /** Boolean expression: does `v` satisfy the primitive-or-ref schema `node`? */
  private valueTest(v: string, node: SchemaNode): string {
    for (const k of Object.keys(node)) {
      if (!PRIMITIVE_KEYWORDS.has(k)) throw new Error(`fast validator: unsupported keyword ${k}`);
    }
    if (node.const !== undefined) return `${v} === ${lit(node.const)}`;
    // Enum values are valid codes/strings themselves, so membership is the whole test.
    if (Array.isArray(node.enum)) return this.enumTest(v, node.enum);
    const ref = this.refName(node);
    if (ref !== undefined) {
      // Primitive definitions are inlined: a call per value costs more than the test itself.
      const def = this.defs[ref];
      if (def && !isObject(def.properties) && def.discriminator === undefined) return this.valueTest(v, def);
      return `${this.fn(ref)}(${v})`;
    }
    const parts: string[] = [];
    switch (node.type) {
      case 'string':
        parts.push(`typeof ${v} === "string"`);
        if (typeof node.pattern === 'string') parts.push(this.patternTest(v, node.pattern));
        break;
      case 'boolean':
        parts.push(`typeof ${v} === "boolean"`);
        break;
      case 'number':
        parts.push(`typeof ${v} === "number"`, `isFinite(${v})`);
        break;
      case 'integer':
        parts.push(`typeof ${v} === "number"`, `Number.isInteger(${v})`);
        break;
      case undefined:
        return 'true';
      default:
        throw new Error(`fast validator: unsupported type ${String(node.type)}`);
    }
    if (typeof node.minimum === 'number') parts.push(`${v} >= ${node.minimum}`);
    if (typeof node.maximum === 'number') parts.push(`${v} <= ${node.maximum}`);
    return '(' + parts.join(' && ') + ')';
  }

  /** valueTest, plus the warning on a `string` value with whitespace at either end (I_edges). */
  private stringTest(v: string, node: SchemaNode, propName: string): string {
    const test = this.valueTest(v, node);
    return this.inv && isPlainString(node, propName) ? `(${test} && I_edges(${v}))` : test;
  }

  /**
   * Statement(s) returning false when property `propName`'s value `v` (of object `o`) breaks
   * `prop`. ele-1 on primitives: a `_x` element holding only an id needs the value `x` beside it,
   * and a `null` in a primitive array needs an element (with more than an id) at its index in `_x`.
   */
  private propCheck(v: string, prop: SchemaNode, propName: string): string {
    const twin = propName.startsWith('_') ? propName.slice(1) : `_${propName}`;
    if (prop.type !== 'array') {
      const check = `if (!${this.stringTest(v, prop, propName)}) return false;`;
      if (!this.inv || !propName.startsWith('_') || this.refName(prop) !== 'Element') return check;
      return `${check} if (o[${lit(twin)}] === undefined && I_onlyId(${v})) return false;`;
    }
    const items = prop.items;
    if (!isObject(items)) throw new Error('fast validator: array without items');
    let itemTest: string;
    if (isObject(items.if)) {
      // `null` allowed (aligned primitive arrays), else the item schema.
      if (!isObject(items.else)) throw new Error('fast validator: unsupported if/then/else');
      const item = this.stringTest('x', items.else, propName);
      itemTest = !this.inv
        ? `(x === null || ${item})`
        : propName.startsWith('_')
          ? `(x === null ? I_valueAt(o[${lit(twin)}], i) : ${item} && (!I_onlyId(x) || I_valueAt(o[${lit(twin)}], i)))`
          : `(x === null ? I_elementAt(o[${lit(twin)}], i) : ${item})`;
    } else {
      itemTest = this.valueTest('x', items);
    }
    const min = typeof prop.minItems === 'number' ? prop.minItems : 0;
    return (
      `if (!Array.isArray(${v}) || ${v}.length < ${min}) return false;` +
      ` for (let i = 0; i < ${v}.length; i++) { const x = ${v}[i]; if (!${itemTest}) return false; }`
    );
  }

  primitiveDef(name: string, def: SchemaNode): void {
    this.out.push(`function ${this.fn(name)}(v) { return ${this.valueTest('v', def)}; }`);
  }

  objectDef(name: string, def: SchemaNode): void {
    for (const k of Object.keys(def)) {
      if (!OBJECT_KEYWORDS.has(k)) throw new Error(`fast validator: unsupported keyword ${k} on ${name}`);
    }
    if (def.additionalProperties !== false)
      throw new Error(`fast validator: ${name} allows additional properties`);
    const props = def.properties as Record<string, SchemaNode>;
    const choices = (def.fhirChoice as string[][] | undefined) ?? [];
    const slotOf = new Map<string, number>();
    choices.forEach((group, i) => group.forEach((n) => slotOf.set(n, i)));

    // dom-2…dom-5, ref-1: a resource that can hold contained resources notes where its local
    // references begin (Reference objects push theirs onto I_LOCAL as the walk meets them).
    const domain = this.inv && this.resources.has(name) && 'contained' in props;
    const lines: string[] = [];
    lines.push(`function ${this.fn(name)}(o) {`);
    lines.push('  if (typeof o !== "object" || o === null || Array.isArray(o)) return false;');
    lines.push('  let n = 0;');
    if (domain) lines.push('  const mark = I_LOCAL.length;');
    if (choices.length) lines.push(`  let ${choices.map((_, i) => `c${i}`).join(', ')};`);
    lines.push('  for (const k in o) {');
    lines.push('    n++;');
    lines.push('    const v = o[k];');
    lines.push('    switch (k) {');
    // A string switch compares in order; `_x` (primitive extension) keys are rare, so they go last.
    const entries = Object.entries(props);
    const ordered = [
      ...entries.filter(([p]) => !p.startsWith('_')),
      ...entries.filter(([p]) => p.startsWith('_')),
    ];
    for (const [propName, prop] of ordered) {
      const base = propName.startsWith('_') ? propName.slice(1) : propName;
      const slot = slotOf.get(base);
      lines.push(`      case ${lit(propName)}:`);
      if (slot !== undefined) {
        lines.push(`        if (c${slot} !== undefined && c${slot} !== ${lit(base)}) return false;`);
        lines.push(`        c${slot} = ${lit(base)};`);
      }
      const check = this.propCheck('v', prop, propName);
      if (domain && propName === 'contained') lines.push(`        I_CONTAINED++; ${check} I_CONTAINED--;`);
      else if (this.inv && name === 'Extension' && propName === 'extension')
        lines.push(
          `        { const outer = I_NESTED_EXT; I_NESTED_EXT = true; ${check} I_NESTED_EXT = outer; }`,
        );
      else lines.push(`        ${check}`);
      lines.push('        break;');
    }
    lines.push('      default: return false;');
    lines.push('    }');
    lines.push('  }');
    if (typeof def.minProperties === 'number') lines.push(`  if (n < ${def.minProperties}) return false;`);
    // ele-1: an element needs a child beside its id (`_x` elements are judged with their value).
    if (this.inv && !this.resources.has(name) && name !== 'Element')
      lines.push('  if (n === 1 && o.id !== undefined) return false;');
    for (const r of (def.required as string[] | undefined) ?? [])
      lines.push(`  if (o[${lit(r)}] === undefined) return false;`);
    for (const group of (def.fhirRequired as string[][] | undefined) ?? []) {
      lines.push(`  if (${group.map((p) => `o[${lit(p)}] === undefined`).join(' && ')}) return false;`);
    }
    if (def.fhirExt1 === true) {
      const slot = choices.findIndex((g) => g.every((n) => n.startsWith('value')));
      if (slot < 0) throw new Error('fast validator: Extension has no value[x] choice');
      // ext-1: nested extensions or a value, exactly one of the two.
      lines.push(`  if ((o.extension !== undefined) === (c${slot} !== undefined)) return false;`);
      // Outside a complex extension, the url is absolute.
      if (this.inv) lines.push('  if (!I_NESTED_EXT && !I_absolute(o.url)) return false;');
    }
    if (this.inv) lines.push(...this.typeRules(name), ...generatedRules(def));
    if (domain)
      lines.push(
        '  if ((I_LOCAL.length !== mark || o.contained !== undefined) && I_CONTAINED === 0 && !I_scope(o, mark)) return false;',
      );
    lines.push('  return true;');
    lines.push('}');
    this.out.push(lines.join('\n'));
  }

  /** Invariants of single data types, checked once the object's own members are valid. */
  private typeRules(name: string): string[] {
    switch (name) {
      case 'Reference':
        return ['  if (o.reference !== undefined && !I_reference(o.reference, CLEAN)) return false;'];
      case 'Money':
        return ['  if (o.currency !== undefined && !CURRENCIES.has(o.currency)) return false;'];
      case 'Period':
        return [
          '  if (o.start !== undefined && o.end !== undefined && !I_period(o.start, o.end)) return false;',
        ];
      case 'Coding':
        // A code of a complete HL7 code system is one of its codes (the system's own rule, whatever
        // the binding); a display the concept does not give is a warning.
        return this.codeSystems
          ? [
              '  if (o.code !== undefined && o.system !== undefined && !I_coding(o.system, o.code, o.display)) return false;',
            ]
          : [];
      case 'Observation':
        return ['  if (o.component !== undefined && I_observation7At(o) !== -1) return false;'];
      case 'Count':
        return ['  if (!I_count3(o)) return false;'];
      case 'Narrative':
        return ['  if (I_xhtmlProblem(o.div) !== undefined) return false;'];
      case 'Meta':
        // A profile this validator does not know: the reference validator warns (not checked against it).
        return ['  if (o.profile !== undefined && !I_profilesKnown(o.profile)) I_WARN = true;'];
      case 'Timing_Repeat':
        return ['  if (!I_timing9(o)) return false;'];
      case 'Organization':
        return [
          '  if ((o.telecom !== undefined || o.address !== undefined) && I_organizationProblem(o) !== undefined) return false;',
        ];
      case 'Task':
        return [
          '  if (o.lastModified !== undefined && o.authoredOn !== undefined && !I_period(o.authoredOn, o.lastModified)) return false;',
        ];
      case 'Bundle':
        return ['  if (!I_bundle(o)) return false;'];
      case 'Range':
        return [
          '  if (o.low !== undefined && o.high !== undefined && !I_range(o.low, o.high)) return false;',
        ];
      case 'CapabilityStatement':
        return ['  if (I_capabilityProblem(o) !== undefined) return false;'];
      default:
        return [];
    }
  }

  /**
   * A discriminated union on resourceType (the root and ResourceList): one Map lookup, where a
   * `switch` would compare the (not interned, so compared by content) type name with up to 146
   * names in turn.
   */
  discriminated(fnName: string, node: SchemaNode): void {
    const branches = (node.oneOf as SchemaNode[]).map((b) => this.refName(b));
    const entries = branches.map((n) => {
      if (n === undefined) throw new Error('fast validator: discriminator branch without $ref');
      return `  [${lit(n)}, ${this.fn(n)}],`;
    });
    const table = `${fnName}_types`;
    this.out.push(
      [
        `const ${table} = new Map([`,
        ...entries,
        ']);',
        `function ${fnName}(v) {`,
        '  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;',
        `  const check = ${table}.get(v.resourceType);`,
        '  return check !== undefined && check(v);',
        '}',
      ].join('\n'),
    );
  }

  source(): string {
    const header = [
      '"use strict";',
      `// Fast boolean validator for ${SCHEMA_ID}; generated by src/fhir/schema/fast-codegen.ts.`,
    ];
    // Patterns that only forbid whitespace get a shortcut for "clean" lines (see CLEAN_SHORTCUTS).
    header.push('let CLEAN = false;');
    for (const [src, id] of this.patterns) header.push(`const ${id} = new RegExp(${lit(src)});`);
    header.push(FORMAT_SOURCE);
    header.push(INVARIANT_SOURCE);
    if (this.inv)
      header.push(
        codeSystemsSource(this.codeSystems ?? {}, this.codeDisplays),
        coreProfilesSource(this.defs),
      );
    for (const [values, id] of this.sets) header.push(`const ${id} = new Set(${values});`);
    const entry = [
      'function validateResource(value, clean) {',
      '  CLEAN = clean === true;',
      '  I_reset();',
      '  try { return validateRoot(value); } finally { CLEAN = false; }',
      '}',
      '// After a pass: did a string value start or end with whitespace (a warning)?',
      'validateResource.warned = function () { return I_WARN; };',
      'module.exports = { validateResource };',
    ];
    return [...header, ...this.out, ...entry, ''].join('\n');
  }
}

/**
 * `I_CODE_SYSTEMS`, url -> code -> [display, designations…] (the codes as one string per system,
 * split at load; every value an array, empty for a concept without a display, so that the lookup
 * stays monomorphic), and `I_CODE_PREFIXES`, what I_coding compares first (see there).
 */
export function codeSystemsSource(
  systems: Record<string, string[]>,
  displays: Record<string, Record<string, string[]>> = {},
): string {
  const urls = Object.keys(systems);
  const entries = urls.map(
    (url) =>
      `[${lit(url)}, ${lit((systems[url] ?? []).join('\n'))}, ${lit(Object.entries(displays[url] ?? {}))}]`,
  );
  if (urls.some((u) => u.length <= 20))
    throw new Error('fast validator: a code system url too short for I_coding');
  const prefixes = [...new Set(urls.map((u) => u.charCodeAt(7) * 65536 + u.charCodeAt(20)))];
  return [
    'const I_NO_DISPLAY = [];',
    'function I_codeMap(codes, displays) {',
    '  const m = new Map(codes.split("\\n").map((k) => [k, I_NO_DISPLAY]));',
    '  for (const [k, names] of displays) if (m.has(k)) m.set(k, names);',
    '  return m;',
    '}',
    `const I_CODE_SYSTEMS = new Map([${entries.join(',\n')}].map(([u, c, d]) => [u, I_codeMap(c, d)]));`,
    `const I_CODE_PREFIXES = new Set(${lit(prefixes)});`,
  ].join('\n');
}

/** `I_CORE_PROFILES`, the ids of the core StructureDefinitions (Meta's fhirCoreProfiles). */
function coreProfilesSource(defs: Record<string, SchemaNode>): string {
  const ids = (defs.Meta?.fhirCoreProfiles as string[] | undefined) ?? [];
  return `const I_CORE_PROFILES = new Set(${lit(ids.join(' '))}.split(" "));`;
}

/**
 * The generated FHIRPath invariants of a definition (prepare.ts: `fhirInvariants`), inlined: an
 * error rejects the element, a warning only raises the flag (as whitespace around strings does).
 */
function generatedRules(def: SchemaNode): string[] {
  const invariants = (def.fhirInvariants as GeneratedInvariant[] | undefined) ?? [];
  return invariants.map((inv) =>
    inv.severity === 'warning' ? `  if (!(${inv.js})) I_WARN = true;` : `  if (!(${inv.js})) return false;`,
  );
}

/** CommonJS source of the fast validator (exports `validateResource(value): boolean`). */
export function buildFastValidatorSource(schema: FhirJsonSchema, invariants = true): string {
  const defs = schema.definitions;
  const list = defs.ResourceList;
  if (!list) throw new Error('fast validator: no ResourceList');
  const e = new Emitter(defs, resourceNames(list), invariants);
  for (const [name, def] of Object.entries(defs)) {
    if (name === 'ResourceList') continue;
    if (isObject(def.properties)) e.objectDef(name, def);
    else e.primitiveDef(name, def);
  }
  e.discriminated('o_ResourceList', list);
  e.discriminated('validateRoot', schema);
  return e.source();
}

/** Names of the definitions a discriminated ResourceList lists (the resource types). */
export function resourceNames(list: SchemaNode): Set<string> {
  const names = new Set<string>();
  for (const b of (list.oneOf as SchemaNode[] | undefined) ?? [])
    if (typeof b.$ref === 'string') names.add(b.$ref.slice(REF_PREFIX.length));
  return names;
}

/**
 * `clean`: the resource was parsed from a line without backslashes. `warned()`, after a call
 * that returned true: a string value started or ended with whitespace (the explainer says where).
 */
export interface FastValidator {
  (value: unknown, clean?: boolean): boolean;
  warned?: () => boolean;
}

/** Evaluates the generated source in-process (no file needed). */
export function loadFastValidatorSource(source: string): FastValidator {
  const mod: { exports: { validateResource?: FastValidator } } = { exports: {} };
  // The source is our own generated code, evaluated once like a CommonJS module.
  new Function('module', 'exports', source)(mod, mod.exports);
  const fn = mod.exports.validateResource;
  if (typeof fn !== 'function') throw new Error('fast validator: generated module has no validateResource');
  return fn;
}
