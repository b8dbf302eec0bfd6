/**
 * Metadata: the public CapabilityStatement (seed 001 §Check API status, seed 000 §/Metadata), and
 * BCDA's service endpoints /_version, /_auth and /_health (behavior §2.9): not in the public docs,
 * but every deployment serves them and monitoring relies on their shapes.
 */
import {
  type CheckContext,
  type CheckDefinition,
  fail,
  pass,
  skip,
  warn,
  verdict,
  NotApplicable,
} from './context';
import type { HttpResponse } from '../http/client';
import { joinProblems, mediaType, statusProblem } from './kit/expect';
import { jsonObject, nonEmptyString } from './kit/json-body';
import { metadataResponse } from './kit/capability';
import type { OperationId } from '../core/operations';
import type { CheckOutcome } from './types';
import type { ApiVersion } from '../core/vocabulary';
import { igCapability, requireLevel } from './kit/ig-capability';
import type { Exchange } from '../http/exchange';
import { isTls12OrLater } from '../http/negotiated-tls';
import { tryHandshake } from '../http/tls-probe';

const OPS: OperationId[] = ['getMetadataV1', 'getMetadataV2', 'getMetadataV3'];

/** The three health keys; each is `ok` or a failure text. */
const HEALTH_KEYS = ['database', 'ssas', 'ssas_introspect'] as const;

async function health(ctx: CheckContext, label: string): Promise<HttpResponse> {
  return ctx.target.call('getHealth', { label, auth: 'none' });
}

const metadata = metadataResponse;

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The Bulk Data IG's CapabilityStatement (BCDA's documents write it with https, the IG with http). */
const BULK_DATA_CAPABILITY = /^https?:\/\/hl7\.org\/fhir\/uv\/bulkdata\/CapabilityStatement\/bulk-data$/;

/** The BFD metadata each API version's CapabilityStatement instantiates (seed 002 v1, seed 001 v2, behavior v3). */
const BFD_METADATA: Record<ApiVersion, RegExp> = {
  v1: /\/baseDstu3\/metadata\/?$/,
  v2: /\/v2\/fhir\/metadata$/,
  v3: /\/v3\/fhir\/metadata$/,
};

/** FHIR dateTime (R4's pattern; STU3's admits the same values BCDA writes): a year, a date, or a full time with zone. */
const FHIR_DATE_TIME =
  /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$/;

/** Where a CapabilityStatement departs from the values BCDA's documented example fixes. */
/**
 * The restful-security-service code system: R4's canonical URL (what BCDA sends on every version),
 * the https form seed 001's example prints, or STU3's own URL.
 */
const SECURITY_SERVICE_SYSTEM =
  /^(https?:\/\/terminology\.hl7\.org\/CodeSystem|http:\/\/hl7\.org\/fhir)\/restful-security-service$/;

/** A base URL as compared: origin, path without its trailing slash, and query. */
function serverBase(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}${u.search}`;
}

export function documentedFieldProblems(cs: Json, version: ApiVersion): string[] {
  const problems: string[] = [];
  const expect = (what: string, ok: boolean, got: unknown) => {
    if (!ok) problems.push(`${what} is ${JSON.stringify(got)?.slice(0, 120)}`);
  };
  expect('publisher', cs.publisher === 'Centers for Medicare & Medicaid Services', cs.publisher);
  const format = arr(cs.format);
  expect(
    'format',
    format.includes('application/json') && format.includes('application/fhir+json'),
    cs.format,
  );
  const software = obj(cs.software);
  expect('software.name', software?.name === 'Beneficiary Claims Data API', software?.name);
  expect('software.version', nonEmptyString(software?.version), software?.version);
  const release = software?.releaseDate;
  expect('software.releaseDate', typeof release === 'string' && FHIR_DATE_TIME.test(release), release);
  const instantiates = arr(cs.instantiates).filter((v): v is string => typeof v === 'string');
  if (!instantiates.some((v) => BULK_DATA_CAPABILITY.test(v)))
    problems.push(
      `instantiates does not list the Bulk Data CapabilityStatement (${JSON.stringify(instantiates)})`,
    );
  if (!instantiates.some((v) => BFD_METADATA[version].test(v)))
    problems.push(`instantiates names no ${version} BFD metadata (${JSON.stringify(instantiates)})`);
  const rest = obj(arr(cs.rest)[0]);
  expect('rest[0].mode', rest?.mode === 'server', rest?.mode);
  const interactions = arr(rest?.interaction).map((i) => obj(i)?.code);
  expect(
    'rest[0].interaction',
    interactions.includes('batch') && interactions.includes('search-system'),
    interactions,
  );
  const security = obj(rest?.security);
  expect('rest[0].security.cors', security?.cors === true, security?.cors);
  const oauthCodings = arr(security?.service).flatMap((svc) =>
    arr(obj(svc)?.coding)
      .map(obj)
      .filter((c) => c?.code === 'OAuth'),
  );
  if (!oauthCodings.length) problems.push('rest[0].security.service names no OAuth coding');
  else if (!oauthCodings.some((c) => typeof c?.system === 'string' && SECURITY_SERVICE_SYSTEM.test(c.system)))
    problems.push(
      `the OAuth coding's system is ${JSON.stringify(oauthCodings[0]?.system)}, not the restful-security-service code system`,
    );
  const operations = [
    ...arr(rest?.operation),
    ...arr(rest?.resource).flatMap((r) => arr(obj(r)?.operation)),
  ].map(obj);
  for (const op of operations) {
    if (!op || !['patient-export', 'group-export', 'export'].includes(String(op.name))) continue;
    const def = typeof op.definition === 'string' ? op.definition : obj(op.definition)?.reference;
    if (typeof def !== 'string' || !/\/OperationDefinition\/(patient|group)-export$/.test(def))
      problems.push(`operation ${String(op.name)} is defined by ${JSON.stringify(def)}`);
  }
  return problems;
}

/** The v1 Swagger folder BCDA's documents link to (seed 002, seed 003). */
const SWAGGER_PATH = '/api/v1/swagger/';

/** What a Swagger document must name: BCDA's export, job, metadata and file endpoints. */
/** `v1`: an API endpoint the documentation under /api/v1/swagger/ must name in its v1 form. */
const SWAGGER_ENDPOINTS: ReadonlyArray<{ what: string; key: RegExp; text: string; v1?: true }> = [
  { what: 'Patient export', key: /\/Patient\/\$export$/, text: 'Patient/$export', v1: true },
  { what: 'Group export', key: /\/Group\/\{[^}]+\}\/\$export$/, text: '/$export', v1: true },
  { what: 'job status', key: /\/jobs\/\{[^}]+\}$/, text: '/jobs/', v1: true },
  { what: 'metadata', key: /\/metadata$/, text: '/metadata', v1: true },
  { what: 'file download', key: /\/data\/\{[^}]+\}\/\{[^}]+\}$/, text: '/data/' },
];

/** The path every key of an OpenAPI 3 (servers[0].url) or Swagger 2 (basePath) document sits under. */
function documentBasePath(doc: Json | undefined): string {
  const server = Array.isArray(doc?.servers) ? obj(doc.servers[0])?.url : undefined;
  const base = typeof doc?.basePath === 'string' ? doc.basePath : typeof server === 'string' ? server : '';
  try {
    return new URL(base, 'http://base.invalid').pathname.replace(/\/+$/, '');
  } catch {
    return '';
  }
}

/**
 * The endpoints an OpenAPI/Swagger document (or, failing one, a page's text) does not name. The
 * versioned API endpoints count in their v1 form only (/api/v1/...): a document of v2 alone leaves
 * the v1 API undocumented.
 */
export function swaggerGaps(doc: Json | undefined, text: string): string[] {
  const paths = obj(doc?.paths);
  const base = documentBasePath(doc);
  const keys = paths ? Object.keys(paths).map((k) => `${base}${k}`) : undefined;
  return SWAGGER_ENDPOINTS.filter((e) =>
    keys ? !keys.some((k) => e.key.test(k) && (!e.v1 || k.startsWith('/api/v1/'))) : !text.includes(e.text),
  ).map((e) => (keys && e.v1 ? `v1 ${e.what}` : e.what));
}

/** An OpenAPI 3 or Swagger 2 document: a JSON object with `openapi` or `swagger` and `paths`. */
function openApiDocument(res: HttpResponse): Json | undefined {
  const body = obj(res.json());
  return body && (typeof body.openapi === 'string' || typeof body.swagger === 'string') && obj(body.paths)
    ? body
    : undefined;
}

/** The document a Swagger UI page loads (`url: "./swagger.json"`), resolved against the page. */
export function swaggerDocumentUrl(html: string, pageUrl: string): string | undefined {
  const m = /\burl\s*:\s*["']([^"']+\.(?:json|ya?ml))["']/.exec(html);
  if (!m?.[1]) return undefined;
  try {
    const url = new URL(m[1], pageUrl);
    // Only the target's own documents are fetched.
    return url.origin === new URL(pageUrl).origin ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

/** The CapabilityStatement JSON, or the failure every metadata check reports when there is none. */
async function capability(
  ctx: CheckContext,
): Promise<{ res: HttpResponse; cs: Json } | { missing: CheckOutcome }> {
  const res = await metadata(ctx);
  const cs = res.status === 200 ? obj(res.json()) : undefined;
  return cs
    ? { res, cs }
    : { missing: fail(`no CapabilityStatement JSON (status ${res.status})`, [res.exchange.id]) };
}

function base(
  id: string,
  title: string,
  description: string,
): Pick<CheckDefinition, 'id' | 'title' | 'description' | 'area' | 'operations'> {
  return { id, title, description, area: 'metadata', operations: OPS };
}

/**
 * What is crossed about one export operation: named patient-export (or group-export), or declared
 * on the Patient (or Group) resource, yet citing the other level's OperationDefinition; or named
 * for one level and declared on the other level's resource.
 */
function crossedDefinition(name: unknown, resourceType: unknown, definition: unknown): string | undefined {
  const cited =
    typeof definition === 'string'
      ? /\/OperationDefinition\/(patient|group)-export$/.exec(definition)?.[1]
      : undefined;
  const named = name === 'patient-export' ? 'patient' : name === 'group-export' ? 'group' : undefined;
  const placed = resourceType === 'Patient' ? 'patient' : resourceType === 'Group' ? 'group' : undefined;
  // A patient-export declared on Group (or the other way round) exports at a level its resource is not.
  if (named && placed && named !== placed)
    return `the operation named ${String(name)} is declared on the ${String(resourceType)} resource`;
  if (!cited) return undefined;
  const meant = named ?? placed;
  if (!meant || meant === cited) return undefined;
  const what = named ? `the operation named ${String(name)}` : `the ${String(resourceType)} export operation`;
  return `${what} cites the ${cited}-export OperationDefinition`;
}

export const metadataChecks: CheckDefinition[] = [
  {
    ...base(
      'METADATA-PUBLIC',
      'metadata answers 200 without a token',
      'GET /api/{version}/metadata with no Authorization header. BCDA documents that the CapabilityStatement needs no bearer token.',
    ),
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §2.1'],
    faults: ['metadata-requires-token'],
    async run(ctx) {
      const res = await metadata(ctx);
      const problem = statusProblem(res, 200);
      return verdict(problem, '200 without a token', [res.exchange.id]);
    },
  },
  {
    ...base(
      'METADATA-CONTENT-TYPE',
      'metadata is served as JSON',
      'The CapabilityStatement must come with a JSON media type (BCDA sends application/json; application/fhir+json is also FHIR JSON).',
    ),
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §2.1'],
    faults: ['metadata-wrong-content-type'],
    async run(ctx) {
      const res = await metadata(ctx);
      const type = mediaType(res);
      if (type === 'application/json' || type === 'application/fhir+json')
        return pass(`Content-Type ${type}`, [res.exchange.id]);
      return fail(`Content-Type is "${res.headers['content-type'] ?? '(none)'}"`, [res.exchange.id], {
        expected: 'application/json or application/fhir+json',
        actual: res.headers['content-type'] ?? '(none)',
      });
    },
  },
  {
    ...base(
      'METADATA-CAPABILITYSTATEMENT',
      'metadata is an active CapabilityStatement',
      'The body must be a CapabilityStatement resource with status "active" and kind "instance" describing this server.',
    ),
    level: 'MUST',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: [],
    faults: ['metadata-not-capabilitystatement'],
    async run(ctx) {
      const got = await capability(ctx);
      if ('missing' in got) return got.missing;
      const { res, cs } = got;
      const problems: string[] = [];
      if (cs.resourceType !== 'CapabilityStatement')
        problems.push(`resourceType is ${JSON.stringify(cs.resourceType)}`);
      if (cs.status !== 'active') problems.push(`status is ${JSON.stringify(cs.status)}, expected "active"`);
      if (cs.kind !== 'instance') problems.push(`kind is ${JSON.stringify(cs.kind)}, expected "instance"`);
      if (!Array.isArray(cs.rest) || cs.rest.length === 0) problems.push('rest is missing or empty');
      return problems.length
        ? fail(problems.join('; '), [res.exchange.id])
        : pass('active CapabilityStatement, kind instance', [res.exchange.id]);
    },
  },
  {
    ...base(
      'METADATA-FHIR-VERSION',
      'fhirVersion matches the API version',
      'v1 serves FHIR STU3 (3.0.1); v2 and v3 serve FHIR R4 (4.0.1).',
    ),
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §2.1'],
    faults: ['metadata-wrong-fhir-version'],
    async run(ctx) {
      const got = await capability(ctx);
      if ('missing' in got) return got.missing;
      const { res, cs } = got;
      const expected = ctx.version === 'v1' ? '3.0.1' : '4.0.1';
      return cs.fhirVersion === expected
        ? pass(`fhirVersion ${expected}`, [res.exchange.id])
        : fail(`fhirVersion is ${JSON.stringify(cs.fhirVersion)}`, [res.exchange.id], {
            expected,
            actual: String(cs.fhirVersion),
          });
    },
  },
  {
    ...base(
      'METADATA-INSTANTIATES-BULK-DATA',
      'CapabilityStatement instantiates the Bulk Data CapabilityStatement',
      "instantiates should list the Bulk Data IG CapabilityStatement (…/fhir/uv/bulkdata/CapabilityStatement/bulk-data); BCDA lists it with https. SHOULD: the IG's word (bulkdata@1); for BCDA, whose documented example lists it, METADATA-DOCUMENTED-FIELDS holds it as a MUST.",
    ),
    level: 'SHOULD',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: [],
    faults: ['metadata-no-instantiates', 'ig-metadata-no-instantiates'],
    async run(ctx) {
      const got = await capability(ctx);
      if ('missing' in got) return got.missing;
      const { res, cs } = got;
      const list = arr(cs.instantiates).filter((v): v is string => typeof v === 'string');
      const hit = list.find((v) => BULK_DATA_CAPABILITY.test(v));
      if (hit) return pass(`instantiates ${hit}`, [res.exchange.id]);
      return warn(`instantiates does not list the Bulk Data CapabilityStatement (${JSON.stringify(list)})`, [
        res.exchange.id,
      ]);
    },
  },
  {
    ...base(
      'METADATA-TOKEN-URL',
      'CapabilityStatement names the token endpoint',
      'rest[0].security carries the SMART oauth-uris extension whose `token` sub-extension is the absolute URL of /auth/token on the target itself: <base>/auth/token (seed 001), not another host or a path under /api/<version>.',
    ),
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §2.1'],
    faults: ['metadata-no-token-url'],
    async run(ctx) {
      const got = await capability(ctx);
      if ('missing' in got) return got.missing;
      const { res, cs } = got;
      const security = obj(obj(arr(cs.rest)[0])?.security);
      const oauth = arr(security?.extension)
        .map(obj)
        .find((e) => typeof e?.url === 'string' && e.url.endsWith('/oauth-uris'));
      const token = arr(oauth?.extension)
        .map(obj)
        .find((e) => e?.url === 'token');
      const uri = token?.valueUri;
      if (typeof uri !== 'string')
        return fail('no oauth-uris extension with a token valueUri in rest[0].security', [res.exchange.id]);
      let url: URL;
      try {
        url = new URL(uri);
      } catch {
        return fail(`token URL ${JSON.stringify(uri)} is not absolute`, [res.exchange.id]);
      }
      if (ctx.config.profile === 'bcda') {
        // <base>/auth/token: a suffix match would let <base>/api/v2/auth/token, which serves nothing, pass.
        const target = new URL(ctx.target.baseUrl);
        const want = `${target.origin}${target.pathname.replace(/\/+$/, '')}/auth/token`;
        if (`${url.origin}${url.pathname}` !== want)
          return fail(`token URL ${uri} is not ${want}`, [res.exchange.id], { expected: want, actual: uri });
      }
      return pass(`token URL ${uri}`, [res.exchange.id]);
    },
  },
  {
    ...base(
      'METADATA-EXPORT-OPERATIONS',
      'CapabilityStatement declares patient-export and group-export',
      "The Patient and Group export operations are declared (v2/v3 under rest[0].resource[].operation, v1 under rest[0].operation). Under the bulk-data-ig profile: at least one export operation (system, Patient or Group), by name or by the IG's OperationDefinition. Each cites the definition of what it is: an operation named patient-export, or declared on the Patient resource, does not cite the group-export OperationDefinition, and the other way round; and patient-export is declared on Patient, group-export on Group, not on the other resource.",
    ),
    level: 'MUST',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: ['behavior §2.1'],
    faults: ['metadata-missing-export-operations', 'ig-metadata-no-export-operations'],
    async run(ctx) {
      const got = await capability(ctx);
      if ('missing' in got) return got.missing;
      const { res, cs } = got;
      const rest = obj(arr(cs.rest)[0]);
      const names = new Set<string>();
      const definitions: string[] = [];
      const crossed: string[] = [];
      const collect = (ops: unknown, resourceType?: unknown) => {
        for (const op of arr(ops).map(obj)) {
          if (typeof op?.name === 'string') names.add(op.name);
          const def = typeof op?.definition === 'string' ? op.definition : obj(op?.definition)?.reference;
          if (typeof def === 'string') definitions.push(def);
          const wrong = crossedDefinition(op?.name, resourceType, def);
          if (wrong) crossed.push(wrong);
        }
      };
      collect(rest?.operation);
      for (const r of arr(rest?.resource).map(obj)) collect(r?.operation, r?.type);
      if (crossed.length) return fail(crossed.join('; '), [res.exchange.id]);
      const has = (n: string) =>
        names.has(n) || definitions.some((d) => d.endsWith(`/OperationDefinition/${n}`));
      if (ctx.generic) {
        // A generic server offers any of the three levels; it must declare the ones it offers.
        const offered = ['export', 'patient-export', 'group-export'].filter(has);
        return offered.length
          ? pass(`export operations declared: ${offered.join(', ')}`, [res.exchange.id])
          : fail('no export operation (export, patient-export or group-export) is declared', [
              res.exchange.id,
            ]);
      }
      const missing = ['patient-export', 'group-export'].filter(
        (n) => !has(n) && !(n && names.has('export')),
      );
      return missing.length
        ? fail(`missing operation(s): ${missing.join(', ')}`, [res.exchange.id])
        : pass('patient-export and group-export are declared', [res.exchange.id]);
    },
  },
  {
    ...base(
      'METADATA-DOCUMENTED-FIELDS',
      'the CapabilityStatement has the values the documented example fixes',
      'The fields whose values the documented CapabilityStatement fixes: publisher "Centers for Medicare & Medicaid Services"; format lists application/json and application/fhir+json; software.name "Beneficiary Claims Data API" with a version and a releaseDate that is a FHIR dateTime; instantiates the Bulk Data CapabilityStatement and the BFD metadata of the same API version (…/baseDstu3/metadata/, …/v2/fhir/metadata, …/v3/fhir/metadata); rest[0] mode "server", interactions batch and search-system, security with cors true and the OAuth service in the restful-security-service code system; every export operation defined by the IG\'s patient-export or group-export OperationDefinition. The date, the release and its date, and the BFD host vary and are not compared.',
    ),
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §2.1'],
    faults: ['metadata-wrong-format', 'metadata-no-instantiates', 'metadata-no-release-date'],
    async run(ctx) {
      const got = await capability(ctx);
      if ('missing' in got) return got.missing;
      const { res, cs } = got;
      const problem = joinProblems(documentedFieldProblems(cs, ctx.version));
      return verdict(problem, 'publisher, format, software, instantiates, rest as documented', [
        res.exchange.id,
      ]);
    },
  },
  {
    ...base(
      'METADATA-ACCEPT-UNKNOWN',
      'the v1 CapabilityStatement accepts unknown extensions',
      'The v1 (FHIR STU3) CapabilityStatement has acceptUnknown "extensions", as the documented v1 example shows: the server accepts resources carrying extensions it does not know. STU3 only; FHIR R4 dropped the element, so v2 and v3 do not have it.',
    ),
    level: 'MUST',
    profiles: ['bcda'],
    versions: ['v1'],
    refs: ['behavior §2.1'],
    faults: ['metadata-v1-no-accept-unknown'],
    async run(ctx) {
      const got = await capability(ctx);
      if ('missing' in got) return got.missing;
      const { res, cs } = got;
      return cs.acceptUnknown === 'extensions'
        ? pass('acceptUnknown "extensions"', [res.exchange.id])
        : fail(`acceptUnknown is ${JSON.stringify(cs.acceptUnknown) ?? 'absent'}`, [res.exchange.id], {
            expected: 'extensions',
            actual: String(cs.acceptUnknown),
          });
    },
  },
  {
    ...base(
      'METADATA-IMPLEMENTATION-URL',
      'implementation.url is the server that answered',
      "implementation.url names the server the CapabilityStatement describes: its scheme, host, port and path are the target's base URL (the sandbox's metadata names https://sandbox.bcda.cms.gov), not another host and not a FHIR base under it (<base>/api/v2). A copied or hard-coded host sends clients elsewhere.",
    ),
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §2.1'],
    faults: ['metadata-wrong-implementation-url'],
    async run(ctx) {
      const got = await capability(ctx);
      if ('missing' in got) return got.missing;
      const { res, cs } = got;
      const url = obj(cs.implementation)?.url;
      // The server's base, not a FHIR base under it (<base>/api/v2): scheme, host, port and path.
      const want = serverBase(ctx.target.baseUrl);
      let given: string | undefined;
      try {
        given = typeof url === 'string' ? serverBase(url) : undefined;
      } catch {
        given = undefined;
      }
      return given === want
        ? pass(`implementation.url ${String(url)}`, [res.exchange.id])
        : fail(`implementation.url is ${JSON.stringify(url)}, not the target ${want}`, [res.exchange.id], {
            expected: want,
            actual: String(url),
          });
    },
  },
  /* ------------------------------------------------ the service endpoints */
  {
    id: 'SERVICE-VERSION',
    title: '/_version names the build',
    description:
      'GET /_version (public) answers 200 application/json {"version": "<build version>"}. Seed 003 documents it among the endpoints that need no token.',
    level: 'MUST',
    area: 'metadata',
    profiles: ['bcda'],
    refs: ['behavior §2.9'],
    operations: ['getVersion'],
    faults: ['service-version-wrong-shape'],
    async run(ctx) {
      const res = await ctx.target.call('getVersion', { label: 'build version', auth: 'none' });
      const body = jsonObject(res);
      const problem = joinProblems([
        statusProblem(res, 200),
        mediaType(res) === 'application/json'
          ? undefined
          : `Content-Type "${res.headers['content-type'] ?? '(none)'}"`,
        nonEmptyString(body?.version) ? undefined : `version is ${JSON.stringify(body?.version)}`,
      ]);
      return verdict(problem, `version ${String(body?.version)}`, [res.exchange.id]);
    },
  },
  {
    id: 'SERVICE-AUTH-INFO',
    title: '/_auth names the auth provider',
    description:
      'GET /_auth (public) answers 200 application/json with auth_provider and either its version or an "error message" when the provider cannot be reached. Seed 003 documents it among the endpoints that need no token.',
    level: 'MUST',
    area: 'metadata',
    profiles: ['bcda'],
    refs: ['behavior §2.9'],
    operations: ['getAuthInfo'],
    faults: ['auth-info-wrong-shape'],
    async run(ctx) {
      const res = await ctx.target.call('getAuthInfo', { label: 'auth provider', auth: 'none' });
      const body = jsonObject(res);
      const problem = joinProblems([
        statusProblem(res, 200),
        nonEmptyString(body?.auth_provider)
          ? undefined
          : `auth_provider is ${JSON.stringify(body?.auth_provider)}`,
        nonEmptyString(body?.version) || nonEmptyString(body?.['error message'])
          ? undefined
          : 'neither version nor "error message"',
      ]);
      return verdict(problem, `auth provider ${String(body?.auth_provider)}`, [res.exchange.id]);
    },
  },
  {
    id: 'SERVICE-SWAGGER',
    title: '/api/v1/swagger/ serves the Swagger documentation of the API',
    description:
      'GET /api/v1/swagger/ without a token answers 200 with the Swagger UI (an HTML page) or an OpenAPI document. The document (for a page, the one it loads, e.g. ./swagger.json, fetched too) names the v1 Patient and Group export, job status and metadata endpoints (under /api/v1/, itself or by its base path) and the file download endpoint. BCDA documents the Swagger page on the sandbox and in production.',
    level: 'MUST',
    area: 'metadata',
    profiles: ['bcda'],
    versions: ['v1'],
    refs: ['behavior §0', 'behavior §8'],
    operations: [],
    faults: ['swagger-missing'],
    async run(ctx) {
      const get = (url: string, label: string) =>
        ctx.target.http.send({
          method: 'GET',
          url,
          label,
          headers: { accept: 'text/html, application/json' },
        });
      const page = await get(SWAGGER_PATH, 'the Swagger page');
      const evidence = [page.exchange.id];
      const wrong = statusProblem(page, 200);
      if (wrong) return fail(`${SWAGGER_PATH}: ${wrong}`, evidence);
      let doc = openApiDocument(page);
      let text = page.text();
      if (!doc) {
        if (!/swagger-?ui|SwaggerUIBundle/i.test(text))
          return fail(
            `${SWAGGER_PATH} answered 200 with neither the Swagger UI nor an OpenAPI document (Content-Type "${page.headers['content-type'] ?? '(none)'}")`,
            evidence,
          );
        const url = swaggerDocumentUrl(text, page.exchange.request.url);
        if (url) {
          const loaded = await get(url, 'the OpenAPI document the Swagger page loads');
          evidence.push(loaded.exchange.id);
          doc = openApiDocument(loaded);
          if (!doc)
            return fail(
              `the document the Swagger page loads (${url}) is not an OpenAPI document: ${statusProblem(loaded, 200) ?? 'no openapi/swagger and paths'}`,
              evidence,
            );
          text = loaded.text();
        }
      }
      const gaps = swaggerGaps(doc, text);
      return verdict(
        gaps.length
          ? `the Swagger documentation does not name the ${gaps.join(', ')} endpoint(s)`
          : undefined,
        doc
          ? `Swagger documentation of ${Object.keys(obj(doc.paths) ?? {}).length} paths, the export, job, metadata and download endpoints among them`
          : 'the Swagger page names the export, job, metadata and download endpoints',
        evidence,
      );
    },
  },
  {
    id: 'SERVICE-HEALTH',
    title: '/_health reports each dependency, and 502 when one is down',
    description:
      'GET /_health answers 200 with database, ssas and ssas_introspect all "ok". With the auth provider down (on a target whose dependencies can be switched off: the embedded mock) it answers 502 naming the failing one. The real server sends this JSON as text/plain, a known deviation. SHOULD: the real server\'s service endpoint, not in the public documents.',
    level: 'SHOULD',
    area: 'metadata',
    profiles: ['bcda'],
    refs: ['behavior §2.9'],
    operations: ['getHealth'],
    faults: ['health-always-ok'],
    async run(ctx) {
      const res = await health(ctx, 'health');
      const body = jsonObject(res);
      const evidence = [res.exchange.id];
      const problems = [
        statusProblem(res, 200),
        body ? undefined : `the body is not a JSON object (${res.jsonError() ?? 'empty'})`,
        ...HEALTH_KEYS.map((k) =>
          body && body[k] !== 'ok' ? `${k} is ${JSON.stringify(body[k])}` : undefined,
        ),
      ];
      if (ctx.control) {
        await ctx.settled(); // nothing of the run may be in flight while the provider is down
        await ctx.control.setAuthProvider('timeout');
        try {
          const down = await health(ctx, 'health while the auth provider is down');
          evidence.push(down.exchange.id);
          const downBody = jsonObject(down);
          problems.push(
            statusProblem(down, 502),
            downBody && (downBody.ssas !== 'ok' || downBody.ssas_introspect !== 'ok')
              ? undefined
              : 'the failing auth provider is not named',
          );
        } finally {
          await ctx.control.setAuthProvider('ok');
        }
      }
      const problem = joinProblems(problems);
      if (problem) return fail(problem, evidence);
      const note = ctx.control ? '200 all ok; 502 naming the auth provider while it was down' : '200 all ok';
      if (mediaType(res) !== 'application/json') {
        return warn(`${note}, but served as "${res.headers['content-type'] ?? '(none)'}"`, evidence, {
          knownDeviation:
            'the real server writes the status before the Content-Type, so the JSON goes out as text/plain',
        });
      }
      return pass(note, evidence);
    },
  },
];

/*
 * Reading and searching Group on a generic server that offers the Group-level export
 * (bulk-data-ig, bulkdata@42).
 */
// The IG feature checks' helpers (imports are hoisted: kept here, by the checks that use them).

const groupReadCheck: CheckDefinition = {
  id: 'METADATA-GROUP-READ',
  title: 'a server with Group export reads and searches Group',
  description:
    "A server that declares the Group-level export and the read or search-type interaction on Group answers GET [base]/Group with a searchset Bundle and GET [base]/Group/[id] (the run's group, else the first the search lists) with that Group. Skips when the CapabilityStatement declares neither interaction.",
  level: 'SHOULD',
  area: 'metadata',
  profiles: ['bulk-data-ig'],
  refs: [],
  operations: [],
  faults: ['ig-group-read-missing'],
  async run(ctx) {
    await requireLevel(ctx, 'group');
    const declared = (await igCapability(ctx)).interactions.get('Group') ?? new Set<string>();
    if (!declared.has('read') && !declared.has('search-type'))
      throw new NotApplicable(
        'the CapabilityStatement declares the Group export but neither read nor search-type on Group (the IG recommends both: not tried)',
      );
    const evidence: string[] = [];
    const problems: string[] = [];
    const get = (path: string, label: string) =>
      ctx.target.get(ctx.target.http.resolve(path), { label, headers: { accept: 'application/fhir+json' } });
    const search = await get('Group', 'search Group');
    evidence.push(search.exchange.id);
    const bundle = search.json<{
      resourceType?: unknown;
      type?: unknown;
      entry?: Array<{ resource?: { resourceType?: unknown; id?: unknown } }>;
    }>();
    if (search.status !== 200) problems.push(`GET [base]/Group answered ${search.status}`);
    else if (bundle?.resourceType !== 'Bundle' || bundle.type !== 'searchset')
      problems.push('GET [base]/Group answered no searchset Bundle');
    const listed = (bundle?.entry ?? []).map((e) => e.resource).find((r) => r?.resourceType === 'Group');
    const id = ctx.config.group ?? (typeof listed?.id === 'string' ? listed.id : undefined);
    if (id !== undefined) {
      const read = await get(`Group/${encodeURIComponent(id)}`, 'read the group');
      evidence.push(read.exchange.id);
      const group = read.json<{ resourceType?: unknown; id?: unknown }>();
      if (read.status !== 200) problems.push(`GET [base]/Group/${id} answered ${read.status}`);
      else if (group?.resourceType !== 'Group' || group.id !== id)
        problems.push(`GET [base]/Group/${id} answered no Group ${id}`);
    }
    return verdict(
      joinProblems(problems),
      `GET [base]/Group answered a searchset${id !== undefined ? ` and GET [base]/Group/${id} the Group` : ' (no Group to read)'}`,
      evidence,
    );
  },
};

export const metadataIgChecks: CheckDefinition[] = [groupReadCheck];

// ---- transport security (bulkdata@2): TLS 1.2 or later on every exchange ------------------------

/** Offending exchanges a message names; all of them (up to the limit) are evidence. */
const TLS_NAMED = 5;
const TLS_EVIDENCE = 25;

/** A loopback host: the embedded mock or a local test double, which may well run without TLS. */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Why a plain-http target is not judged (loopback), or undefined when the check applies. */
function plainLoopbackSkip(target: URL): CheckOutcome | undefined {
  if (target.protocol === 'https:' || !isLoopbackHost(target.hostname)) return undefined;
  return skip(
    `the target ${target.origin} is a loopback address reached over plain http (a local test double such as the embedded mock): transport security is not judged; run against an https target, or the embedded mock with --mock-tls`,
  );
}

const tlsVersionCheck: CheckDefinition = {
  id: 'TLS-VERSION',
  title: 'every exchange of the run went over TLS 1.2 or later',
  description:
    'Judges every exchange the run made (token, kick-off, status, cancel, download), after the others: each must use an https URL and have negotiated TLS 1.2 or later, the version recorded from the connection. An exchange addressed to a plain http URL (the target itself, or a Content-Location or file URL the server handed out) fails, sent or not. A loopback target reached over plain http (the embedded mock, a local test double) is not judged. Sends nothing.',
  level: 'MUST',
  area: 'metadata',
  profiles: ['bcda', 'bulk-data-ig'],
  refs: [],
  operations: [],
  faults: ['tls-plain-http-links'],
  phase: 'final',
  run(ctx) {
    const target = new URL(ctx.config.target ?? '');
    const notJudged = plainLoopbackSkip(target);
    if (notJudged) return Promise.resolve(notJudged);
    const exchanges = ctx.log.all();
    const plain = exchanges.filter((x) => /^http:/i.test(x.request.url));
    const old = exchanges.filter((x) => x.tls !== undefined && isTls12OrLater(x.tls) === false);
    const name = (x: Exchange) =>
      `${x.id} ${x.request.method} ${x.request.url}${x.tls ? ` over ${x.tls}` : ''}${x.error?.startsWith('not sent') ? ' (not sent)' : x.error ? ` (${x.error})` : ''}`;
    const problems: string[] = [];
    if (plain.length)
      problems.push(
        `${plain.length} exchanges addressed over plain http: ${plain.slice(0, TLS_NAMED).map(name).join('; ')}`,
      );
    if (old.length)
      problems.push(
        `${old.length} exchanges negotiated a protocol older than TLS 1.2: ${old.slice(0, TLS_NAMED).map(name).join('; ')}`,
      );
    if (problems.length)
      return Promise.resolve(
        fail(
          problems.join('; '),
          [...plain, ...old].slice(0, TLS_EVIDENCE).map((x) => x.id),
        ),
      );
    const recorded = exchanges.filter((x) => x.tls !== undefined);
    if (!recorded.length)
      return Promise.resolve(
        skip('no exchange of this run recorded the TLS version it went over: cannot tell'),
      );
    const versions = [...new Set(recorded.map((x) => x.tls!))].sort().join(', ');
    const untold = exchanges.filter((x) => x.response && x.tls === undefined).length;
    return Promise.resolve(
      pass(
        `${recorded.length} https exchanges went over ${versions}${untold ? ` (${untold} more answered without a recorded version)` : ''}`,
        recorded.slice(0, 3).map((x) => x.id),
      ),
    );
  },
};

const tlsOldRefusedCheck: CheckDefinition = {
  id: 'TLS-OLD-REFUSED',
  title: 'a TLS handshake capped at TLS 1.1 is refused',
  description:
    "Opens two bare TLS connections to the target's host and port and sends nothing over them: one offering the client's usual versions (it must complete, or nothing can be told) and one offering TLS 1.0 and 1.1 only, which a server that protects every exchange with TLS 1.2 or later must refuse (a protocol_version alert, or closing the connection). The certificate is not judged here. A target reached over plain http is not probed.",
  level: 'MUST',
  area: 'metadata',
  profiles: ['bcda', 'bulk-data-ig'],
  refs: [],
  operations: [],
  faults: ['tls-accepts-tls11'],
  async run(ctx) {
    const target = new URL(ctx.config.target ?? '');
    if (target.protocol !== 'https:')
      return (
        plainLoopbackSkip(target) ??
        skip(
          `the target ${target.origin} is reached over plain http: no TLS listener to probe (TLS-VERSION judges that)`,
        )
      );
    const port = Number(target.port || 443);
    const timeoutMs = Math.max(
      1,
      Math.min(10_000, ctx.config.requestTimeoutSeconds * 1000, ctx.deadline - Date.now()),
    );
    const where = `${target.hostname}:${port}`;
    const current = await tryHandshake({ host: target.hostname, port, timeoutMs });
    if (current.kind !== 'connected')
      return skip(
        `a handshake with the usual TLS versions to ${where} did not complete either (${current.reason}): cannot tell`,
      );
    const old = await tryHandshake({ host: target.hostname, port, timeoutMs, olderThanTls12: true });
    if (old.kind === 'connected')
      return fail(`${where} completed a handshake capped at TLS 1.1: it negotiated ${old.protocol}`, [], {
        expected: 'the handshake refused',
        actual: `negotiated ${old.protocol}`,
      });
    if (old.kind === 'failed')
      return skip(`the handshake capped at TLS 1.1 to ${where} had no answer: ${old.reason}`);
    return pass(
      `${where} refused a handshake capped at TLS 1.1 (${old.reason}); with the usual versions it negotiated ${current.protocol}`,
    );
  },
};

export const metadataTlsChecks: CheckDefinition[] = [tlsVersionCheck, tlsOldRefusedCheck];
