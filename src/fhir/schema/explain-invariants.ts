/**
 * Says where and why a resource breaks the rules of invariants.ts, for the resources the fast
 * validator rejects and Ajv accepts. It walks the instance along the prepared schema (the same
 * definitions the fast validator was generated from) and applies the same helper functions; a
 * differential test holds "fast accepts" equal to "Ajv accepts and this finds nothing".
 * Slow by design (it runs only on rejected resources): the prepared schema is built on first use.
 */
import { FORMAT_ACCEPTORS } from './fast-formats';
import { resourceNames } from './fast-codegen';
import { isPlainString, loadInvariantHelpers, type InvariantHelpers } from './invariants';
import { prepareSchema } from './prepare';
import { loadConstraints, loadOfficialSchema, type SchemaNode } from './source';

export interface InvariantFinding {
  path: string;
  message: string;
  /** Absent: an error. `warning`: where the reference validator only warns (the resource passes). */
  severity?: 'warning';
}

const REF_PREFIX = '#/definitions/';
const CALENDAR_PATTERNS = new Set(
  Object.entries(FORMAT_ACCEPTORS)
    .filter(([, name]) => name === 'F_date' || name === 'F_dateTime' || name === 'F_instant')
    .map(([source]) => source),
);
const ELE1 = 'ele-1: an element has a value or children other than its id';
const EDGE_WHITESPACE = /^[ \t\n\r]|[ \t\n\r]$/;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

interface Schema {
  defs: Record<string, SchemaNode>;
  resources: Set<string>;
}

let schema: Schema | undefined;

function loadSchema(): Schema {
  if (!schema) {
    const defs = prepareSchema(loadOfficialSchema(), loadConstraints()).definitions;
    schema = { defs, resources: resourceNames(defs.ResourceList ?? {}) };
  }
  return schema;
}

function refName(node: SchemaNode): string | undefined {
  return typeof node.$ref === 'string' && node.$ref.startsWith(REF_PREFIX)
    ? node.$ref.slice(REF_PREFIX.length)
    : undefined;
}

class Walker {
  readonly out: InvariantFinding[] = [];
  /** Local references ("#id") met since the resource that owns them began. */
  private readonly refs: string[] = [];
  private contained = 0;
  private nestedExtension = false;

  constructor(
    private readonly s: Schema,
    private readonly h: InvariantHelpers,
  ) {}

  private report(path: string, message: string): void {
    this.out.push({ path, message });
  }

  /** A `string` value with whitespace at either end: the reference validator warns. */
  private edges(node: SchemaNode, key: string, x: unknown, path: string): void {
    if (typeof x === 'string' && isPlainString(node, key) && EDGE_WHITESPACE.test(x))
      this.out.push({ path, message: 'starts or ends with whitespace', severity: 'warning' });
  }

  /** A value against a property or item schema. */
  value(node: SchemaNode, x: unknown, path: string): void {
    const ref = refName(node);
    if (ref === 'ResourceList') {
      if (isObject(x) && typeof x.resourceType === 'string' && this.s.resources.has(x.resourceType))
        this.object(x.resourceType, x, path);
      return;
    }
    const def = ref !== undefined ? this.s.defs[ref] : node;
    if (!def) return;
    if (isObject(def.properties)) {
      if (isObject(x)) this.object(ref as string, x, path);
      return;
    }
    const pattern = typeof def.pattern === 'string' ? def.pattern : node.pattern;
    if (typeof x === 'string' && typeof pattern === 'string' && CALENDAR_PATTERNS.has(pattern))
      if (!this.h.I_calendar(x)) this.report(path, 'is not a day of the calendar');
  }

  object(name: string, o: Record<string, unknown>, path: string): void {
    const def = this.s.defs[name];
    if (!def || !isObject(def.properties)) return;
    const props = def.properties as Record<string, SchemaNode>;
    const isResource = this.s.resources.has(name);
    const domain = isResource && 'contained' in props;
    const mark = this.refs.length;
    if (!isResource && name !== 'Element' && this.h.I_onlyId(o) && o.id !== undefined)
      this.report(path, ELE1);
    for (const key of Object.keys(o)) {
      const prop = props[key];
      if (!isObject(prop)) continue;
      const outerNested = this.nestedExtension;
      if (domain && key === 'contained') this.contained++;
      if (name === 'Extension' && key === 'extension') this.nestedExtension = true;
      this.property(key, prop, o, `${path}.${key}`);
      if (domain && key === 'contained') this.contained--;
      this.nestedExtension = outerNested;
    }
    this.typeRules(name, o, path);
    if (domain && (this.refs.length !== mark || o.contained !== undefined) && this.contained === 0) {
      const problem = this.h.I_scopeProblem(o, this.refs.slice(mark));
      this.refs.length = mark;
      if (problem) this.report(path + problem[1], `${problem[0]}: ${problem[2]}`);
    }
  }

  private property(key: string, prop: SchemaNode, o: Record<string, unknown>, path: string): void {
    const v = o[key];
    const underscore = key.startsWith('_');
    const twin = underscore ? key.slice(1) : `_${key}`;
    if (prop.type !== 'array') {
      if (
        underscore &&
        refName(prop) === 'Element' &&
        isObject(v) &&
        o[twin] === undefined &&
        this.h.I_onlyId(v)
      )
        this.report(path, ELE1);
      this.edges(prop, key, v, path);
      this.value(prop, v, path);
      return;
    }
    if (!Array.isArray(v) || !isObject(prop.items)) return;
    const items = prop.items;
    const nullable = isObject(items.if);
    const item = nullable && isObject(items.else) ? items.else : items;
    v.forEach((x: unknown, i) => {
      const at = `${path}[${i}]`;
      if (x === null && nullable) {
        const ok = underscore ? this.h.I_valueAt(o[twin], i) : this.h.I_elementAt(o[twin], i);
        if (!ok) this.report(at, ELE1);
        return;
      }
      if (underscore && nullable && isObject(x) && this.h.I_onlyId(x) && !this.h.I_valueAt(o[twin], i))
        this.report(at, ELE1);
      this.edges(item, key, x, at);
      this.value(item, x, at);
    });
  }

  private typeRules(name: string, o: Record<string, unknown>, path: string): void {
    switch (name) {
      case 'Extension':
        if (!this.nestedExtension && typeof o.url === 'string' && !this.h.I_absolute(o.url))
          this.report(
            `${path}.url`,
            'is not an absolute URL (only an extension inside an extension has a relative url)',
          );
        break;
      case 'Reference':
        if (typeof o.reference === 'string') {
          if (/[ \t\n\v\f\r]/.test(o.reference))
            this.report(`${path}.reference`, 'holds whitespace, which no reference can');
          else if (o.reference.startsWith('#')) this.refs.push(o.reference);
        }
        break;
      case 'Money':
        if (typeof o.currency === 'string' && !this.h.CURRENCIES.has(o.currency))
          this.report(`${path}.currency`, 'is not an ISO 4217 currency code');
        break;
      case 'Period':
        if (o.start !== undefined && o.end !== undefined && !this.h.I_period(o.start, o.end))
          this.report(path, 'per-1: the start is after the end');
        break;
      case 'Quantity':
      case 'Age':
      case 'Count':
      case 'Distance':
      case 'Duration':
        if (o.code !== undefined && o.system === undefined)
          this.report(`${path}.system`, 'qty-3: a quantity with a code has a system');
        break;
      case 'Patient_Contact':
        if (
          o.name === undefined &&
          o.telecom === undefined &&
          o.address === undefined &&
          o.organization === undefined
        )
          this.report(path, 'pat-1: a contact has a name, telecom, address or organization');
        break;
      case 'Task':
        if (
          o.lastModified !== undefined &&
          o.authoredOn !== undefined &&
          !this.h.I_period(o.authoredOn, o.lastModified)
        )
          this.report(`${path}.lastModified`, 'inv-1: lastModified is not before authoredOn');
        break;
      case 'Bundle': {
        const problem = this.h.I_bundleProblem(o);
        if (problem) this.report(path + problem[1], `${problem[0]}: ${problem[2]}`);
        break;
      }
      case 'CapabilityStatement': {
        const problem = this.h.I_capabilityProblem(o);
        if (problem) this.report(path + problem[1], `${problem[0]}: ${problem[2]}`);
        break;
      }
      case 'ContactPoint':
        if (o.value !== undefined && o.system === undefined)
          this.report(`${path}.system`, 'cpt-2: a contact point with a value has a system');
        break;
      case 'Attachment':
        if (o.data !== undefined && o.contentType === undefined)
          this.report(`${path}.contentType`, 'att-1: an attachment with data has a contentType');
        break;
      case 'Ratio':
        if (
          (o.numerator === undefined) !== (o.denominator === undefined) ||
          (o.numerator === undefined && o.extension === undefined)
        )
          this.report(
            path,
            'rat-1: a ratio has both a numerator and a denominator, or neither and an extension',
          );
        break;
      case 'Range':
        if (o.low !== undefined && o.high !== undefined && !this.h.I_range(o.low, o.high))
          this.report(path, 'rng-2: low is not above high');
        break;
      default:
        break;
    }
  }
}

/** The invariant findings of a resource that passed the JSON schema (Ajv); paths like Ajv's. */
export function explainInvariants(resource: Record<string, unknown>): InvariantFinding[] {
  const s = loadSchema();
  const type = resource.resourceType;
  if (typeof type !== 'string' || !s.resources.has(type)) return [];
  const walker = new Walker(s, loadInvariantHelpers());
  walker.object(type, resource, type);
  return walker.out;
}
