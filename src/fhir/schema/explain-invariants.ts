/**
 * Says where and why a resource breaks the rules of invariants.ts, for the resources the fast
 * validator rejects and Ajv accepts. It walks the instance along the prepared schema (the same
 * definitions the fast validator was generated from) and applies the same helper functions; a
 * differential test holds "fast accepts" equal to "Ajv accepts and this finds nothing".
 * Slow by design (it runs only on rejected resources): the prepared schema is built on first use.
 */
import { FORMAT_ACCEPTORS } from './fast-formats';
import { resourceNames } from './fast-codegen';
import {
  isPlainString,
  loadInvariantHelpers,
  type GeneratedInvariant,
  type InvariantHelpers,
} from './invariants';
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
  /** Compiled generated invariants, by definition name. */
  generated: Map<string, GeneratedCheck[]>;
  /** The complete HL7 code systems a Coding is checked against: url -> codes. */
  codeSystems: Map<string, Set<string>>;
  /** Their codes' displays: url -> code -> [display, designations…]. */
  codeDisplays: Map<string, Map<string, string[]>>;
}

interface GeneratedCheck {
  key: string;
  human: string;
  warning: boolean;
  test: (o: Record<string, unknown>) => boolean;
}

let schema: Schema | undefined;

function loadSchema(): Schema {
  if (!schema) {
    const defs = prepareSchema(loadOfficialSchema(), loadConstraints()).definitions;
    const systems = (defs.Coding?.fhirCodeSystems ?? {}) as Record<string, string[]>;
    const displays = (defs.Coding?.fhirCodeDisplays ?? {}) as Record<string, Record<string, string[]>>;
    schema = {
      defs,
      resources: resourceNames(defs.ResourceList ?? {}),
      generated: new Map(),
      codeSystems: new Map(Object.entries(systems).map(([url, codes]) => [url, new Set(codes)])),
      codeDisplays: new Map(
        Object.entries(displays).map(([url, byCode]) => [url, new Map(Object.entries(byCode))]),
      ),
    };
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

  /** The generated invariants of a definition, compiled once (see GeneratedCheck). */
  private generated(name: string, def: SchemaNode): GeneratedCheck[] {
    let checks = this.s.generated.get(name);
    if (!checks) {
      checks = ((def.fhirInvariants as GeneratedInvariant[] | undefined) ?? []).map((inv) => ({
        key: inv.key,
        human: inv.human,
        warning: inv.severity === 'warning',
        // Our own generated expression (spec/fhir/r4-constraints.json), as the fast validator inlines it.
        test: new Function('I_exists', 'I_count', 'o', `return ${inv.js};`).bind(
          undefined,
          this.h.I_exists,
          this.h.I_count,
        ) as (o: Record<string, unknown>) => boolean,
      }));
      this.s.generated.set(name, checks);
    }
    return checks;
  }

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
    for (const inv of this.generated(name, def))
      if (!inv.test(o))
        this.out.push({
          path,
          message: `${inv.key}: ${inv.human}`,
          ...(inv.warning ? { severity: 'warning' as const } : {}),
        });
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
      case 'Coding': {
        const codes = typeof o.system === 'string' ? this.s.codeSystems.get(o.system) : undefined;
        if (!codes || typeof o.code !== 'string') break;
        if (!codes.has(o.code)) {
          this.report(`${path}.code`, `is not a code of ${String(o.system)}, a complete HL7 code system`);
          break;
        }
        const names = this.s.codeDisplays.get(String(o.system))?.get(o.code);
        if (typeof o.display === 'string' && names && !this.h.I_displayOk(o.display, names))
          this.out.push({
            path: `${path}.display`,
            // The code and the display R4 gives it (terminology, not personal data); not the value.
            message: `is not a display of ${String(o.system)}#${o.code}: R4 gives '${String(names[0]).slice(0, 200)}' (the reference validator warns of a wrong display)`,
            severity: 'warning',
          });
        break;
      }
      case 'Observation': {
        const at = this.h.I_observation7At(o);
        if (at >= 0)
          this.report(
            `${path}.component[${at}].code`,
            "obs-7: a component's code is the Observation's own code, so the Observation has no value[x] of its own",
          );
        break;
      }
      case 'Meta':
        if (Array.isArray(o.profile))
          o.profile.forEach((url: unknown, i) => {
            if (!this.h.I_knownProfile(url))
              this.out.push({
                path: `${path}.profile[${i}]`,
                // A canonical URL (no personal data), cut short if long.
                message: `names a profile this validator does not know (${String(url).slice(0, 200)}): the resource was not checked against it`,
                severity: 'warning',
              });
          });
        break;
      case 'Narrative': {
        const problem = this.h.I_xhtmlProblem(o.div);
        if (problem) this.report(`${path}.div`, `txt-1: the narrative ${problem}`);
        break;
      }
      case 'Count':
        if (!this.h.I_count3(o))
          this.report(path, "cnt-3: a count has the unit code '1' of UCUM and a whole number");
        break;
      case 'Timing_Repeat':
        if (!this.h.I_timing9(o))
          this.report(
            `${path}.offset`,
            'tim-9: an offset needs a when that is not before, at or after a meal (C, CM, CD, CV)',
          );
        break;
      case 'Organization': {
        const problem = this.h.I_organizationProblem(o);
        if (problem) this.report(path + problem[1], `${problem[0]}: ${problem[2]}`);
        break;
      }
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
  const walker = new Walker(s, loadInvariantHelpers((s.defs.Meta?.fhirCoreProfiles ?? []) as string[]));
  walker.object(type, resource, type);
  return walker.out;
}
