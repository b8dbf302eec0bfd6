/**
 * Ajv code keywords for FHIR rules that plain JSON Schema cannot say with one clear error.
 * They generate inline code, so they survive `ajv/dist/standalone` precompilation.
 */
import { _, str, type CodeKeywordDefinition, type KeywordCxt } from 'ajv';
import { and, or } from 'ajv/dist/compile/codegen';

/** `fhirRequired: [["status","_status"], ["url"]]` — each group needs one present member. */
const fhirRequired: CodeKeywordDefinition = {
  keyword: 'fhirRequired',
  type: 'object',
  schemaType: 'array',
  code(cxt: KeywordCxt) {
    const { gen, data } = cxt;
    for (const group of cxt.schema as string[][]) {
      const [first] = group;
      if (first === undefined) continue;
      gen.if(and(...group.map((p) => _`${data}[${p}] === undefined`)), () => {
        cxt.setParams({ missingProperty: _`${first}` });
        cxt.error();
      });
    }
  },
  error: {
    message: ({ params }) => str`must have required property '${params.missingProperty}'`,
    params: ({ params }) => _`{missingProperty: ${params.missingProperty}}`,
  },
};

/** Longest common prefix, used as a cheap guard before the exact-name comparisons. */
function commonPrefix(names: string[]): string {
  let prefix = names[0] ?? '';
  for (const n of names) while (!n.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

/** `fhirChoice: [["deceasedBoolean","deceasedDateTime"]]` — at most one value[x] type (or its `_` twin). */
const fhirChoice: CodeKeywordDefinition = {
  keyword: 'fhirChoice',
  type: 'object',
  schemaType: 'array',
  code(cxt: KeywordCxt) {
    const { gen, data } = cxt;
    const groups = cxt.schema as string[][];
    const seen = groups.map(() => gen.let('seen', _`undefined`));
    gen.forIn('key', data, (key) => {
      const name = gen.const('name', _`${key}.charCodeAt(0) === 95 ? ${key}.slice(1) : ${key}`);
      groups.forEach((names, i) => {
        const slot = seen[i];
        if (!slot) return;
        const guard = _`${name}.startsWith(${commonPrefix(names)})`;
        gen.if(and(guard, or(...names.map((n) => _`${name} === ${n}`))), () => {
          gen.if(_`${slot} !== undefined && ${slot} !== ${name}`, () => {
            cxt.setParams({ first: slot, second: name });
            cxt.error();
          });
          gen.assign(slot, name);
        });
      });
    });
  },
  error: {
    message: ({ params }) =>
      str`must have only one choice[x] value, found ${params.first} and ${params.second}`,
    params: ({ params }) => _`{first: ${params.first}, second: ${params.second}}`,
  },
};

/** `fhirExt1: true` on Extension — ext-1: either nested extensions or a value[x], exactly one. */
const fhirExt1: CodeKeywordDefinition = {
  keyword: 'fhirExt1',
  type: 'object',
  schemaType: 'boolean',
  code(cxt: KeywordCxt) {
    const { gen, data } = cxt;
    gen.if(_`${data}.extension !== undefined`, () => {
      gen.forIn('key', data, (key) => {
        gen.if(_`${key}.startsWith("value") || ${key}.startsWith("_value")`, () => {
          cxt.setParams({ value: key });
          cxt.error();
        });
      });
    });
    gen.if(_`${data}.extension === undefined`, () => {
      const found = gen.let('found', false);
      gen.forIn('key', data, (key) => {
        gen.if(_`${key}.startsWith("value") || ${key}.startsWith("_value")`, () => gen.assign(found, true));
      });
      gen.if(_`!${found}`, () => {
        cxt.setParams({ value: _`""` });
        cxt.error();
      });
    });
  },
  error: {
    message: 'ext-1: must have either extension or value[x], exactly one',
    params: ({ params }) => _`{value: ${params.value}}`,
  },
};

export const FHIR_KEYWORDS: readonly CodeKeywordDefinition[] = [fhirRequired, fhirChoice, fhirExt1];
