/**
 * fast-check arbitraries for one operation's parameters, in and out of schema. A value is the raw
 * text sent on the wire, or null for a parameter left out. In-schema values come from the
 * documents' accepted values where they say more than the schema (refinements.ts), otherwise from
 * the schema (enum, pattern, format, integer range); out-of-schema values from the schema's
 * breakers and the hostile strings, then random text, kept only when outside the schema or
 * refused by the documents, and never when undecided.
 */
import fc from 'fast-check';
import { HOSTILE, schemaBreakers } from './hostile';
import { enumList } from './lists';
import { refinementOf, instantText, type Refinement, type RefinementContext } from './refinements';
import { conforms, withOverlay } from './schema-check';
import type { FuzzOperation, FuzzParameter, SchemaNode } from './spec';

/** A parameter's raw text, or null when the request leaves it out. */
export type RawValue = string | null;

/** Parameter key in a request: `query:_type`. */
export const keyOf = (p: FuzzParameter): string => `${p.in}:${p.name}`;

const PRINTABLE_HEADER = /^(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?$/;
/** Half of a surrogate pair alone: no URL encoding exists for it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a value can be sent at all in this place without changing what is asked. */
export function transportable(p: FuzzParameter, raw: string): boolean {
  if (LONE_SURROGATE.test(raw)) return false;
  switch (p.in) {
    case 'header':
      // Anything else is refused by the HTTP client, or trimmed by the server into another value.
      return raw.length <= 1024 && PRINTABLE_HEADER.test(raw);
    case 'path':
      // An empty or dot segment changes the path (the URL parser removes it), not the parameter.
      return raw !== '' && raw !== '.' && raw !== '..' && raw.length <= 2048;
    case 'query':
      return raw.length <= 4096;
  }
}

/** How one parameter is judged: its schema with the documents' keywords, and their rules. */
export interface ParameterRules {
  param: FuzzParameter;
  schema: SchemaNode;
  refinement: Refinement;
}

export function rulesOf(p: FuzzParameter): ParameterRules {
  const refinement = refinementOf(p);
  return { param: p, schema: withOverlay(p, refinement.overlay), refinement };
}

/** A value the fuzzer may send as in schema: inside it, not refused, not undecided. */
export function isIn(r: ParameterRules, raw: string): boolean {
  return (
    transportable(r.param, raw) &&
    conforms(raw, r.schema) &&
    !r.refinement.refused?.(raw) &&
    !r.refinement.undecided?.(raw)
  );
}

/** A value the fuzzer may send as out of schema: outside it or refused, and not undecided. */
export function isOut(r: ParameterRules, raw: string): boolean {
  return (
    transportable(r.param, raw) &&
    (!conforms(raw, r.schema) || r.refinement.refused?.(raw) === true) &&
    !r.refinement.undecided?.(raw)
  );
}

const DAY_MS = 86_400_000;

/** In-schema values drawn from the schema alone. */
function fromSchema(r: ParameterRules, rctx: RefinementContext): fc.Arbitrary<string> {
  const s = r.schema;
  if (s.type === 'array') {
    const items = (s.items as SchemaNode | undefined) ?? {};
    const words = Array.isArray(items.enum) ? (items.enum as string[]) : [];
    const minLength = typeof s.minItems === 'number' ? s.minItems : 1;
    if (words.length) return enumList(words, minLength);
    return fc.array(fc.string({ maxLength: 12 }), { minLength, maxLength: 4 }).map((l) => l.join(','));
  }
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as string[]));
  if (typeof s.pattern === 'string') return fc.stringMatching(new RegExp(s.pattern));
  if (s.format === 'date-time')
    return fc
      .tuple(
        fc.integer({ min: Date.UTC(2014, 0, 1), max: rctx.nowMs - 2 * DAY_MS }),
        fc.constantFrom('Z', '-05:00'),
      )
      .map(([ms, offset]) => instantText(ms, offset, 0));
  if (s.type === 'integer') {
    const min = typeof s.minimum === 'number' ? BigInt(s.minimum) : 0n;
    const max = typeof s.maximum === 'number' ? BigInt(s.maximum) : 2n ** 53n;
    return fc.bigInt(min, max).map(String);
  }
  return r.param.in === 'header' ? fc.string({ unit: 'binary-ascii', maxLength: 40 }) : fc.string();
}

/** A few draws decide whether an arbitrary's filter can be met at all (fc.filter would spin forever). */
function satisfiable(arb: fc.Arbitrary<string>, keep: (raw: string) => boolean, seed: number): boolean {
  return fc.sample(arb, { numRuns: 40, seed }).some(keep);
}

/** In-schema values of a parameter, or undefined when the documents name none (never sent in schema). */
export function inSchemaValues(
  r: ParameterRules,
  op: FuzzOperation,
  rctx: RefinementContext,
  seed: number,
): fc.Arbitrary<string> | undefined {
  const documented = r.refinement.accepted?.(rctx, op);
  if (documented === null) return undefined;
  const arb = documented ?? fromSchema(r, rctx);
  const keep = (raw: string) => isIn(r, raw);
  return satisfiable(arb, keep, seed) ? arb.filter(keep) : undefined;
}

/** The value a parameter takes when another one is under test; undefined leaves it out. */
export function canonicalValue(
  r: ParameterRules,
  op: FuzzOperation,
  rctx: RefinementContext,
  seed: number,
): string | undefined {
  const given = r.refinement.canonical?.(rctx, op);
  if (given !== undefined) return given;
  const example = exampleOf(r.param);
  if (example !== undefined && isIn(r, example)) return example;
  const first = Array.isArray(r.schema.enum) ? r.schema.enum[0] : undefined;
  if (typeof first === 'string' && isIn(r, first)) return first;
  const values = inSchemaValues(r, op, rctx, seed);
  return values ? fc.sample(values, { numRuns: 1, seed })[0] : undefined;
}

/** The spec's example for a parameter, as raw text. */
export function exampleOf(p: FuzzParameter): string | undefined {
  const example = p.schema.example;
  if (typeof example === 'string') return example;
  if (typeof example === 'number') return String(example);
  if (Array.isArray(example)) return example.join(',');
  return undefined;
}

/** The deterministic out-of-schema values of a parameter, in the order they are tried. */
export function breakersOf(
  r: ParameterRules,
  op: FuzzOperation,
  rctx: RefinementContext,
  seed: number,
): RawValue[] {
  const sample = canonicalValue(r, op, rctx, seed);
  const texts = [...schemaBreakers(r.schema, sample), ...HOSTILE].filter((raw) => isOut(r, raw));
  const absent: RawValue[] = r.param.required && r.param.in !== 'path' ? [null] : [];
  return [...absent, ...new Set(texts)];
}

/**
 * Whitespace a FHIR string cannot hold (anything but space, tab, CR and LF: a vertical tab, a
 * no-break space). A server that quotes such a value in its OperationOutcome writes invalid FHIR,
 * which the FHIR checks report; random values leave these out, so a finding names the input
 * handling, not the quoting. (Control characters FHIR allows, NUL among them, stay in play.)
 */
const NOT_IN_FHIR_STRINGS = /[^ \r\n\t\S]/;

/** Random out-of-schema values of a parameter, or undefined when nothing lies outside it. */
export function outOfSchemaValues(
  r: ParameterRules,
  breakers: readonly RawValue[],
  seed: number,
): fc.Arbitrary<RawValue> | undefined {
  if (breakers.length === 0) return undefined;
  const keep = (raw: string) => isOut(r, raw);
  const random =
    r.param.in === 'header'
      ? fc.string({ unit: 'binary-ascii', maxLength: 40 })
      : fc.string({ unit: 'binary', maxLength: 24 }).filter((raw) => !NOT_IN_FHIR_STRINGS.test(raw));
  const arbitraries: Array<fc.WeightedArbitrary<RawValue>> = [
    { weight: 3, arbitrary: fc.constantFrom(...breakers) },
  ];
  if (satisfiable(random, keep, seed)) arbitraries.push({ weight: 2, arbitrary: random.filter(keep) });
  return fc.oneof(...arbitraries);
}
