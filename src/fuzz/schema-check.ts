/**
 * Whether a raw parameter value (the text that goes on the wire) lies inside its schema: the text
 * is decoded the way the spec serialises the parameter (a comma-separated array, an integer), then
 * validated with ajv. Each schema is compiled once.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FuzzParameter, SchemaNode } from './spec';

// OpenAPI 3.0 schemas carry `example`, `description` and `x-…` keywords ajv does not know.
const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: true });
addFormats(ajv);

const compiled = new WeakMap<SchemaNode, ValidateFunction>();

function validatorOf(schema: SchemaNode): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/**
 * An integer's text as a number ajv can judge: beyond what a double holds exactly, a stand-in
 * of the same sign (only the range matters then); outside int64, the text itself, which fails
 * `type: integer` as it should.
 */
function decodeInteger(raw: string): unknown {
  if (!/^-?\d+$/.test(raw)) return raw;
  const big = BigInt(raw);
  if (big > INT64_MAX || big < INT64_MIN) return raw;
  if (big > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  if (big < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
  return Number(big);
}

function decodeScalar(raw: string, schema: SchemaNode): unknown {
  switch (schema.type) {
    case 'integer':
      return decodeInteger(raw);
    case 'number':
      return raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    default:
      return raw;
  }
}

/** The value a raw text stands for under `schema`: an array is split on commas. */
export function decodeValue(raw: string, schema: SchemaNode): unknown {
  if (schema.type === 'array') {
    const items = (schema.items as SchemaNode | undefined) ?? {};
    return raw.split(',').map((part) => decodeScalar(part, items));
  }
  return decodeScalar(raw, schema);
}

/** True when `raw` decodes to a value `schema` (with the documents' `overlay` keywords) accepts. */
export function conforms(raw: string, schema: SchemaNode): boolean {
  return validatorOf(schema)(decodeValue(raw, schema));
}

/** The schema of a parameter with extra keywords merged in (cached, so it compiles once). */
const overlaid = new WeakMap<SchemaNode, WeakMap<SchemaNode, SchemaNode>>();

export function withOverlay(p: FuzzParameter, overlay: SchemaNode | undefined): SchemaNode {
  if (!overlay) return p.schema;
  let byOverlay = overlaid.get(p.schema);
  if (!byOverlay) {
    byOverlay = new WeakMap();
    overlaid.set(p.schema, byOverlay);
  }
  let merged = byOverlay.get(overlay);
  if (!merged) {
    merged = { ...p.schema, ...overlay };
    byOverlay.set(overlay, merged);
  }
  return merged;
}
