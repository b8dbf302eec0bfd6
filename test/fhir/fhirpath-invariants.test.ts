/**
 * The FHIRPath invariants translated to JavaScript at build time (scripts/fhir-fhirpath.js, written
 * into spec/fhir/r4-constraints.json): each one is held equal to its expression. A small reference
 * evaluator here (collections and FHIRPath's three-valued logic, an invariant that gives empty
 * counting as failed, as in the HL7 reference validator) judges the expression on objects drawn at
 * random from the element's own schema and the expression's literals; the generated JavaScript
 * must give the same verdict on every one. The mutation corpus checks the same rules end to end.
 */
import { loadConstraints, loadOfficialSchema, type SchemaNode } from '../../src/fhir/schema/source';
import { isDeepStrictEqual } from 'util';
import { loadInvariantHelpers, type GeneratedInvariant } from '../../src/fhir/schema/invariants';

interface Ast {
  k: 'bin' | 'fn' | 'lit' | 'path';
  op?: string;
  left?: Ast;
  right?: Ast;
  name?: string;
  target?: Ast;
  args?: Ast[];
  v?: string | number | boolean;
  steps?: string[];
}
interface FhirPathModule {
  translate(
    expression: string,
    def: string,
    defs: Record<string, SchemaNode>,
  ): { js?: string; reason?: string };
  parse(expression: string, resource?: boolean): Ast;
  UCUM: string;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fhirpath = require('../../scripts/fhir-fhirpath.js') as FhirPathModule;

type Json = Record<string, unknown>;
const official = loadOfficialSchema().definitions;
const defs: Record<string, SchemaNode> = { ...official, SimpleQuantity: official.Quantity as SchemaNode };
const constraints = loadConstraints().definitions as Record<string, { invariants?: GeneratedInvariant[] }>;
const generated = Object.entries(constraints).flatMap(([def, e]) =>
  (e.invariants ?? []).map((inv) => ({ def, ...inv })),
);

const propsOf = (def: string | undefined): Record<string, SchemaNode> =>
  ((def !== undefined ? defs[def]?.properties : undefined) ?? {}) as Record<string, SchemaNode>;
const refOf = (prop: SchemaNode): string | undefined => {
  const items = prop.items as SchemaNode | undefined;
  const ref = (prop.$ref ?? items?.$ref) as string | undefined;
  return ref?.slice('#/definitions/'.length);
};
const isPrimitive = (prop: SchemaNode): boolean => {
  const ref = refOf(prop);
  return ref === undefined || /^[a-z]/.test(ref);
};
/** JSON keys a FHIRPath name stands for (a choice name gives its typed keys). */
function keysOf(def: string | undefined, name: string): string[] {
  const props = propsOf(def);
  if (props[name]) return [name];
  return Object.keys(props).filter((k) => k.startsWith(name) && /^[A-Z]/.test(k.slice(name.length)));
}

// ---- reference evaluator: collections of items --------------------------------------------------
type Item = { kind: 'complex'; json: Json; def?: string } | { kind: 'value'; value: unknown };

function children(items: Item[], name: string): Item[] {
  const out: Item[] = [];
  for (const item of items) {
    if (item.kind !== 'complex') continue;
    for (const key of keysOf(item.def, name)) {
      const prop = propsOf(item.def)[key] as SchemaNode;
      const v = item.json[key];
      const el = item.json[`_${key}`];
      if (isPrimitive(prop)) {
        const values = Array.isArray(v) ? v : v === undefined ? [] : [v];
        const elements = Array.isArray(el) ? el : el === undefined ? [] : [el];
        for (let i = 0; i < Math.max(values.length, elements.length); i++) {
          const value: unknown = values[i] ?? undefined;
          if ((value !== null && value !== undefined) || (elements[i] !== null && elements[i] !== undefined))
            out.push({ kind: 'value', value: value === null ? undefined : value });
        }
      } else {
        for (const x of Array.isArray(v) ? v : v === undefined ? [] : [v])
          if (x !== null && typeof x === 'object')
            out.push({ kind: 'complex', json: x as Json, def: refOf(prop) });
      }
    }
  }
  return out;
}

const bool = (b: boolean): Item[] => [{ kind: 'value', value: b }];
/** A singleton's boolean, or undefined for empty (FHIRPath's "unknown"). */
function truth(items: Item[]): boolean | undefined {
  if (items.length === 0) return undefined;
  const [only] = items;
  return only?.kind === 'value' && typeof only.value === 'boolean' ? only.value : true;
}
const fromTruth = (t: boolean | undefined): Item[] => (t === undefined ? [] : bool(t));
const single = (items: Item[]): unknown =>
  items.length === 1 && items[0]?.kind === 'value' ? items[0].value : undefined;

/** FHIRPath equality of two items (complex ones compared as wholes: every child, recursively). */
const sameItem = (a: Item, b: Item): boolean =>
  a.kind === 'complex' && b.kind === 'complex'
    ? isDeepStrictEqual(a.json, b.json)
    : a.kind === 'value' && b.kind === 'value' && a.value === b.value;

/** `root`: what %resource names (the element the invariant is evaluated on, a resource). */
function evaluate(ast: Ast, focus: Item[], root: Item[] = focus): Item[] {
  switch (ast.k) {
    case 'lit':
      return [{ kind: 'value', value: ast.v }];
    case 'path': {
      const [first, ...rest] = ast.steps ?? [];
      if (first === '%resource') return rest.reduce((items, step) => children(items, step), root);
      return (ast.steps ?? []).reduce((items, step) => children(items, step), focus);
    }
    case 'fn': {
      const target = evaluate(ast.target as Ast, focus, root);
      // where(criteria): the items for which the criteria, evaluated on each, is true.
      if (ast.name === 'where' && ast.args?.[0])
        return target.filter((item) => truth(evaluate(ast.args?.[0] as Ast, [item], root)) === true);
      // intersect(other): the items also in other, by equality, without repeats.
      if (ast.name === 'intersect' && ast.args?.[0]) {
        const other = evaluate(ast.args[0], focus, root);
        const out: Item[] = [];
        for (const item of target)
          if (other.some((o) => sameItem(o, item)) && !out.some((o) => sameItem(o, item))) out.push(item);
        return out;
      }
      const arg = ast.args?.[0] ? single(evaluate(ast.args[0], focus, root)) : undefined;
      const v = single(target);
      switch (ast.name) {
        case 'exists':
          return bool(target.length > 0);
        case 'empty':
          return bool(target.length === 0);
        case 'count':
          return [{ kind: 'value', value: target.length }];
        case 'hasValue':
          return bool(target.length === 1 && target[0]?.kind === 'value' && target[0].value !== undefined);
        case 'not': {
          const t = truth(target);
          return fromTruth(t === undefined ? undefined : !t);
        }
        case 'startsWith':
        case 'contains':
        case 'matches':
          if (typeof v !== 'string' || typeof arg !== 'string') return [];
          if (ast.name === 'startsWith') return bool(v.startsWith(arg));
          if (ast.name === 'contains') return bool(v.includes(arg));
          return bool(new RegExp(arg, 's').test(v));
        default:
          throw new Error(`evaluator: ${String(ast.name)}()`);
      }
    }
    case 'bin': {
      const l = evaluate(ast.left as Ast, focus, root);
      const r = evaluate(ast.right as Ast, focus, root);
      const a = truth(l);
      const b = truth(r);
      switch (ast.op) {
        case 'and':
          return fromTruth(a === false || b === false ? false : a === true && b === true ? true : undefined);
        case 'or':
          return fromTruth(a === true || b === true ? true : a === false && b === false ? false : undefined);
        case 'xor':
          return fromTruth(a === undefined || b === undefined ? undefined : a !== b);
        case 'implies':
          return fromTruth(a === false ? true : a === true ? b : b === true ? true : undefined);
        case '+': {
          const x = single(l);
          const y = single(r);
          return typeof x === 'number' && typeof y === 'number' ? [{ kind: 'value', value: x + y }] : [];
        }
        default: {
          const x = single(l);
          const y = single(r);
          if (x === undefined || y === undefined) return [];
          const cmp: Record<string, (p: never, q: never) => boolean> = {
            '=': (p, q) => p === q,
            '!=': (p, q) => p !== q,
            '<': (p, q) => p < q,
            '<=': (p, q) => p <= q,
            '>': (p, q) => p > q,
            '>=': (p, q) => p >= q,
          };
          const f = cmp[ast.op as string];
          if (!f) throw new Error(`evaluator: ${String(ast.op)}`);
          return bool(f(x as never, y as never));
        }
      }
    }
  }
}

// ---- examples drawn from the element's schema and the expression's literals --------------------
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function literalsOf(ast: Ast, out: unknown[] = []): unknown[] {
  if (ast.k === 'lit') out.push(ast.v);
  for (const x of [ast.left, ast.right, ast.target, ...(ast.args ?? [])]) if (x) literalsOf(x, out);
  return out;
}
function pathsOf(ast: Ast, out: string[][] = []): string[][] {
  if (ast.k === 'path') out.push(ast.steps ?? []);
  for (const x of [ast.left, ast.right, ast.target, ...(ast.args ?? [])]) if (x) pathsOf(x, out);
  return out;
}

/** An object of definition `def` holding some of the elements `paths` go through. */
function draw(def: string | undefined, paths: string[][], literals: unknown[], rnd: () => number): Json {
  const o: Json = {};
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  for (const first of new Set(paths.map((p) => p[0] as string))) {
    const keys = keysOf(def, first);
    if (keys.length === 0 || rnd() < 0.4) continue;
    const key = pick(keys);
    const prop = propsOf(def)[key] as SchemaNode;
    const array = prop.type === 'array';
    const one = (): unknown => {
      if (!isPrimitive(prop)) {
        const rest = paths.filter((p) => p[0] === first && p.length > 1).map((p) => p.slice(1));
        const child = draw(refOf(prop), rest, literals, rnd);
        return Object.keys(child).length ? child : { id: 'x' };
      }
      const type = (defs[refOf(prop) ?? '']?.type ??
        (prop.items as SchemaNode | undefined)?.type ??
        prop.type) as string;
      const pool =
        type === 'boolean'
          ? [true, false]
          : type === 'number' || type === 'integer'
            ? [...literals.filter((x) => typeof x === 'number'), -1, 0, 1, 2.5]
            : [...literals.filter((x) => typeof x === 'string'), 'other', 'data-x', 'Name_1', 'x'];
      return pick(pool as unknown[]);
    };
    const values = array ? Array.from({ length: 1 + Math.floor(rnd() * 2) }, one) : one();
    const withElement = isPrimitive(prop) && rnd() < 0.2;
    if (!withElement || rnd() < 0.5) o[key] = values;
    if (withElement) {
      const element = { extension: [{ url: 'http://example.org/x', valueString: 'x' }] };
      o[`_${key}`] = Array.isArray(values) ? values.map(() => element) : element;
    }
  }
  return o;
}

describe('FHIRPath invariants translated to JavaScript', () => {
  const h = loadInvariantHelpers();

  it('covers the rules issue 18 names, and the constraints file is what the translator writes', () => {
    const keys = new Set(generated.map((g) => g.key));
    for (const k of [
      'age-1',
      'dis-1',
      'drt-1',
      'sqty-1',
      'qty-3',
      'tim-1',
      'tim-10',
      'cpb-1',
      'cpb-16',
      'bdl-1',
      'org-1',
    ])
      expect(keys).toContain(k);
    for (const g of generated) expect(fhirpath.translate(g.expression, g.def, defs)).toEqual({ js: g.js });
  });

  it.each(generated.map((g) => [`${g.def} ${g.key}`, g] as const))(
    '%s agrees with its expression on drawn examples',
    (_name, g) => {
      const ast = fhirpath.parse(g.expression);
      const paths = pathsOf(ast);
      const literals = literalsOf(ast);
      const test = new Function('I_exists', 'I_count', 'o', `return ${g.js};`) as (
        e: typeof h.I_exists,
        c: typeof h.I_count,
        o: Json,
      ) => boolean;
      const rnd = random(g.key.length * 7919 + g.def.length);
      const seen = new Set<boolean>();
      const disagreements: string[] = [];
      for (let i = 0; i < 300; i++) {
        const o = draw(g.def, paths, literals, rnd);
        const expected = truth(evaluate(ast, [{ kind: 'complex', json: o, def: g.def }])) === true;
        seen.add(expected);
        if (test(h.I_exists, h.I_count, o) !== expected) disagreements.push(JSON.stringify(o));
      }
      expect(disagreements.slice(0, 3)).toEqual([]);
      // Both verdicts were drawn: the examples were positive and negative.
      expect([...seen].sort()).toEqual([false, true]);
    },
  );

  it('leaves out what is beyond its grammar, saying why', () => {
    const reason = (expression: string, def: string) => fhirpath.translate(expression, def, defs).reason;
    expect(reason("entry.all(request.exists() = (%resource.type = 'batch'))", 'Bundle')).toMatch(/%resource/);
    expect(reason('resource.select(type).isDistinct()', 'CapabilityStatement_Rest')).toMatch(
      /isDistinct|select/,
    );
    expect(reason('start <= end', 'Period')).toMatch(/comparison of start with end/);
    expect(reason("(kind = 'instance') xor software.exists()", 'CapabilityStatement')).toMatch(
      /may be empty/,
    );
    expect(reason('nosuch.exists()', 'Period')).toMatch(/no element nosuch/);
  });
});

/**
 * Hand-written rules whose FHIRPath the translator leaves out, held equal to their expression by
 * the same reference evaluator (here with where(), intersect() and %resource) on drawn examples.
 */
describe('hand-written invariants agree with their expression', () => {
  const h = loadInvariantHelpers();
  const notGenerated = (
    loadConstraints() as unknown as {
      notGenerated: { definition: string; key: string; expression: string }[];
    }
  ).notGenerated;

  it('obs-7 (I_observation7At) on drawn Observations', () => {
    const obs7 = notGenerated.find((n) => n.definition === 'Observation' && n.key === 'obs-7');
    expect(obs7).toBeDefined();
    const ast = fhirpath.parse((obs7 as { expression: string }).expression, true);
    const rnd = random(7007);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    // Codings that are equal, differ by a child (the display, the system) or are other codes.
    const codings: Json[] = [
      { system: 'http://loinc.org', code: '2345-7' },
      { system: 'http://loinc.org', code: '2345-7', display: 'Glucose' },
      { system: 'http://example.org/labs', code: '2345-7' },
      { system: 'http://loinc.org', code: '2339-0' },
    ];
    const concept = (): Json =>
      rnd() < 0.15
        ? { text: 'lab' }
        : { coding: Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => structuredClone(pick(codings))) };
    const values: Json[] = [
      {},
      {},
      { valueQuantity: { value: 1.2, unit: 'mg/dL' } },
      { valueString: 'high' },
      { _valueString: { extension: [{ url: 'http://example.org/x', valueString: 'x' }] } },
    ];
    const seen = new Set<boolean>();
    const disagreements: string[] = [];
    for (let i = 0; i < 400; i++) {
      const o: Json = { resourceType: 'Observation', status: 'final', code: concept(), ...pick(values) };
      const n = Math.floor(rnd() * 3);
      if (n > 0) o.component = Array.from({ length: n }, () => ({ code: concept(), ...pick(values) }));
      const expected = truth(evaluate(ast, [{ kind: 'complex', json: o, def: 'Observation' }])) === true;
      seen.add(expected);
      if ((h.I_observation7At(o) === -1) !== expected) disagreements.push(JSON.stringify(o));
    }
    expect(disagreements.slice(0, 3)).toEqual([]);
    expect([...seen].sort()).toEqual([false, true]);
  });
});
