import Ajv, { type ValidateFunction } from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import { buildFastValidatorSource, loadFastValidatorSource, type FastValidator } from './fast-codegen';
import { FHIR_KEYWORDS } from './keywords';
import { prepareSchema, SCHEMA_ID } from './prepare';
import { loadConstraints, loadOfficialSchema } from './source';

export { currentStamp, type ValidatorStamp } from './stamp';

function createAjv(source: boolean): Ajv {
  return new Ajv({
    strict: false,
    discriminator: true,
    allErrors: false,
    // FHIR patterns don't need Unicode mode, and non-Unicode regexps run faster.
    unicodeRegExp: false,
    keywords: [...FHIR_KEYWORDS],
    code: { source, optimize: true },
  });
}

function ajvWithSchema(source: boolean): Ajv {
  const ajv = createAjv(source);
  ajv.addSchema(preparedSchema());
  return ajv;
}

function preparedSchema() {
  return prepareSchema(loadOfficialSchema(), loadConstraints());
}

/** Source of the fast boolean validator (see fast-codegen.ts); `invariants: false` for the bench only. */
export function buildFastSource(invariants = true): string {
  return buildFastValidatorSource(preparedSchema(), invariants);
}

/** Generates and loads the fast validator in-process (~1 s). */
export function compileFastValidator(invariants = true): FastValidator {
  return loadFastValidatorSource(buildFastSource(invariants));
}

/** Compiles the resource validator in-process (1.5–2.5 s). */
export function compileResourceValidator(): ValidateFunction {
  const validate = ajvWithSchema(false).getSchema(SCHEMA_ID);
  if (!validate) throw new Error('the FHIR schema did not compile');
  return validate;
}

/** CommonJS source of a standalone module exporting `validateResource`. */
export function buildStandaloneSource(): string {
  const ajv = ajvWithSchema(true);
  if (!ajv.getSchema(SCHEMA_ID)) throw new Error('the FHIR schema did not compile');
  return standaloneCode(ajv, { validateResource: SCHEMA_ID });
}
