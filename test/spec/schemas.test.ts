/**
 * The response schemas say what the BCDA documents say: each accepts the documents' own examples,
 * each tightening refuses a value that breaks it, each cites where it comes from (`x-source`), and
 * each real-server quirk the schema refuses is admitted by its `x-bcda-quirk-accepts` (a known
 * deviation, not a pass).
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import YAML from 'yaml';
import {
  SEED_001_ATTRIBUTION,
  SEED_001_CAPABILITY,
  SEED_001_MANIFEST,
  SEED_001_TASK_BUNDLE,
  SEED_002_CAPABILITY,
  SEED_002_MANIFEST,
  TOKEN,
} from './seed-examples';

const SPEC_PATH = path.resolve(__dirname, '..', '..', 'spec', 'bcda.openapi.yaml');

type Node = Record<string, unknown>;
interface Spec {
  components: {
    schemas: Record<string, Node>;
    headers: Record<string, Node>;
    responses: Record<string, Node>;
  };
}
const spec = YAML.parse(fs.readFileSync(SPEC_PATH, 'utf8'), { maxAliasCount: -1 }) as Spec;

/** Every node with `x-bcda-quirk-accepts` widened to `anyOf [documented, what the real server sends]`. */
function tolerant(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tolerant);
  if (!node || typeof node !== 'object') return node;
  const out: Node = {};
  for (const [key, value] of Object.entries(node)) out[key] = tolerant(value);
  const accepts = out['x-bcda-quirk-accepts'];
  return accepts === undefined ? out : { anyOf: [out, accepts] };
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'documented', components: spec.components });
ajv.addSchema({ $id: 'tolerant', components: tolerant(spec.components) as object });

function validator(doc: 'documented' | 'tolerant', name: string): ValidateFunction {
  const validate = ajv.getSchema(`${doc}#/components/schemas/${name}`);
  if (!validate) throw new Error(`no schema ${name}`);
  return validate;
}
const valid = (name: string, value: unknown): boolean => validator('documented', name)(value) as boolean;
const quirkValid = (name: string, value: unknown): boolean => validator('tolerant', name)(value) as boolean;

/** A header's value against its schema, documented or with the header's quirk admitted. */
function headerValid(name: string, value: string, withQuirk = false): boolean {
  const header = spec.components.headers[name];
  if (!header) throw new Error(`no header ${name}`);
  const schema = header.schema as object;
  const accepts = header['x-bcda-quirk-accepts'] as object | undefined;
  return ajv.validate(withQuirk && accepts ? { anyOf: [schema, accepts] } : schema, value);
}

/** A copy of `value` with `change` applied (the examples stay untouched). */
function edited<T>(value: T, change: (copy: T) => void): T {
  const copy = structuredClone(value);
  change(copy);
  return copy;
}

describe('the documents’ own examples pass', () => {
  it.each([
    ['ExportManifest', 'seed 001 manifest', SEED_001_MANIFEST],
    ['ExportManifest', 'seed 002 manifest with an error file', SEED_002_MANIFEST],
    ['TaskBundle', 'seed 001 job history', SEED_001_TASK_BUNDLE],
    ['AttributionStatus', 'seed 001 attribution status', SEED_001_ATTRIBUTION],
    ['TokenResponse', 'token answer', TOKEN],
    ['CapabilityStatementR4', 'seed 001 CapabilityStatement (v2)', SEED_001_CAPABILITY],
    ['CapabilityStatementV1', 'seed 002 CapabilityStatement (v1)', SEED_002_CAPABILITY],
  ])('%s accepts the %s', (schema, _what, example) => {
    expect(valid(schema, example)).toBe(true);
  });

  it('each CapabilityStatement schema refuses the other version’s example', () => {
    expect(valid('CapabilityStatementV1', SEED_001_CAPABILITY)).toBe(false);
    expect(valid('CapabilityStatementR4', SEED_002_CAPABILITY)).toBe(false);
  });
});

describe('manifest', () => {
  const m = SEED_001_MANIFEST;
  it.each<[string, (copy: typeof m) => void]>([
    ['transactionTime a date only', (c) => (c.transactionTime = '2019-12-09')],
    ['transactionTime without a zone', (c) => (c.transactionTime = '2019-12-09T20:44:01')],
    ['transactionTime without seconds', (c) => (c.transactionTime = '2019-12-09T20:44Z')],
    [
      'request that is not a kick-off URL',
      (c) => (c.request = 'https://sandbox.bcda.cms.gov/api/v2/jobs/42'),
    ],
    ['request relative', (c) => (c.request = '/api/v2/Group/all/$export')],
    ['requiresAccessToken false', (c) => (c.requiresAccessToken = false as true)],
    [
      'a relative output url',
      (c) => (c.output[0]!.url = '/data/42/afd22dfa-c239-4063-8882-eb2712f9f638.ndjson'),
    ],
    ['an output url not named by a UUID', (c) => (c.output[0]!.url = 'https://h/data/42/patient-1.ndjson')],
    [
      'an output url outside /data/<job id>/',
      (c) => (c.output[0]!.url = 'https://h/files/afd22dfa-c239-4063-8882-eb2712f9f638.ndjson'),
    ],
    ['an output item without type', (c) => delete (c.output[0] as { type?: string }).type],
    ['an unknown output type', (c) => (c.output[0]!.type = 'Observation' as 'Patient')],
    ['count as a string', (c) => ((c.output[0] as { count?: unknown }).count = '3')],
    ['error null', (c) => (c.error = null as unknown as [])],
    [
      'an error item of another type',
      (c) => c.error.push({ type: 'Patient' as 'OperationOutcome', url: m.output[0]!.url }),
    ],
    ['extension not an object', (c) => ((c as { extension?: unknown }).extension = [])],
  ])('refuses %s', (_what, change) => {
    expect(valid('ExportManifest', edited(m, change))).toBe(false);
  });

  it.each(['transactionTime', 'request', 'requiresAccessToken', 'output', 'error'])(
    'requires %s',
    (field) => {
      expect(
        valid(
          'ExportManifest',
          edited(m, (c) => delete (c as Record<string, unknown>)[field]),
        ),
      ).toBe(false);
    },
  );

  it('takes counts, extensions, a query on the request and v3’s warnings file', () => {
    const richer = edited(m, (c) => {
      c.request += '?_type=Patient&_since=2020-02-13T08:00:00.000-05:00';
      c.output[0]!.count = 3;
      c.extension = { note: 'x' };
      c.error.push({ type: 'OperationOutcome', url: 'https://h:8080/data/42/warnings-and-info.ndjson' });
    });
    expect(valid('ExportManifest', richer)).toBe(true);
  });
});

describe('job list', () => {
  const b = SEED_001_TASK_BUNDLE;
  type Task = NonNullable<typeof b.entry>[number]['resource'];
  const task = (change: (t: Task) => void) => edited(b, (c) => change(c.entry![0]!.resource));

  it.each<[string, typeof b]>([
    ['a Bundle of another type', edited(b, (c) => (c.type = 'collection' as 'searchset'))],
    ['an empty entry array (FHIR JSON has none)', edited(b, (c) => (c.entry = []))],
    ['no total', edited(b, (c) => delete (c as { total?: number }).total)],
    ['Task.status ready', task((t) => (t.status = 'ready' as 'completed'))],
    ['intent proposal', task((t) => (t.intent = 'proposal' as 'order'))],
    ['an identifier without use', task((t) => delete (t.identifier[0] as { use?: string }).use)],
    [
      'an identifier system that is not …/api/vN/jobs',
      task((t) => (t.identifier[0]!.system = 'https://h/jobs')),
    ],
    ['a job id that is not a number', task((t) => (t.identifier[0]!.value = 'abc'))],
    ['another input text', task((t) => (t.input[0]!.type.text = 'Export' as 'BULK FHIR Export'))],
    ['an input valueString without GET', task((t) => (t.input[0]!.valueString = 'https://h/x'))],
    ['no executionPeriod.start', task((t) => delete (t.executionPeriod as { start?: string }).start)],
    ['a Go time string as start', task((t) => (t.executionPeriod.start = '2021-08-13 00:07:48 +0000 UTC'))],
  ])('refuses %s', (_what, bundle) => {
    expect(valid('TaskBundle', bundle)).toBe(false);
  });

  it('takes a list with no entry (no job matched the filter)', () => {
    expect(valid('TaskBundle', { resourceType: 'Bundle', type: 'searchset', total: 0 })).toBe(true);
  });

  it('Pending as `accepted` is the real server’s known deviation, not the documented mapping', () => {
    const accepted = task((t) => (t.status = 'accepted' as 'completed'));
    expect(valid('TaskBundle', accepted)).toBe(false);
    expect(quirkValid('TaskBundle', accepted)).toBe(true);
    expect(
      quirkValid(
        'TaskBundle',
        task((t) => (t.status = 'ready' as 'completed')),
      ),
    ).toBe(false);
  });
});

describe('attribution status and token', () => {
  it('attribution timestamps: the documented database text or RFC 3339, nothing vaguer', () => {
    const at = (timestamp: string) => ({ ingestion_dates: [{ type: 'last_attribution_update', timestamp }] });
    expect(valid('AttributionStatus', at('2020-12-22T22:31:40.397916Z'))).toBe(true);
    expect(valid('AttributionStatus', at('2020-12-22T22:31:40+00:00'))).toBe(true);
    for (const bad of ['last month', '2020-12-22', '2020-12-22 22:31', '2020-12-22 22:31:40'])
      expect([bad, valid('AttributionStatus', at(bad))]).toEqual([bad, false]);
    expect(valid('AttributionStatus', { ingestion_dates: [] })).toBe(false);
    expect(
      valid('AttributionStatus', {
        ingestion_dates: [{ type: 'last_update', timestamp: '2020-12-22T22:31:40Z' }],
      }),
    ).toBe(false);
    expect(valid('AttributionStatus', { dates: SEED_001_ATTRIBUTION.ingestion_dates })).toBe(false);
  });

  it('expires_in: BCDA’s string or RFC 6749’s number, a positive count of seconds either way', () => {
    expect(valid('TokenResponse', { ...TOKEN, expires_in: 1200 })).toBe(true);
    for (const bad of ['20 minutes', '0', 0, -5, ''])
      expect([bad, valid('TokenResponse', { ...TOKEN, expires_in: bad })]).toEqual([bad, false]);
  });

  it('the token: a JWT without whitespace, token_type bearer, every field present', () => {
    expect(valid('TokenResponse', { ...TOKEN, access_token: `${TOKEN.access_token} ` })).toBe(false);
    expect(valid('TokenResponse', { ...TOKEN, token_type: 'mac' })).toBe(false);
    for (const field of ['access_token', 'expires_in', 'token_type']) {
      const partial: Record<string, unknown> = { ...TOKEN };
      delete partial[field];
      expect([field, valid('TokenResponse', partial)]).toEqual([field, false]);
    }
  });
});

describe('OperationOutcome', () => {
  const issue = { severity: 'error', code: 'forbidden', diagnostics: 'Invalid Token' };
  const oo = (extra: object = {}) => ({ resourceType: 'OperationOutcome', issue: [{ ...issue, ...extra }] });
  const samples = {
    V1: oo(),
    V2: oo({
      details: {
        coding: [
          {
            system: 'http://hl7.org/fhir/ValueSet/operation-outcome',
            code: 'Request Error',
            display: 'Invalid Token',
          },
        ],
        text: 'Invalid Token',
      },
    }),
    V3: oo({ details: { text: 'Invalid Token' } }),
  };

  it('each version accepts its own shape only (v3 may leave details out, so it also takes v1’s)', () => {
    for (const schema of Object.keys(samples))
      for (const [version, sample] of Object.entries(samples))
        expect([schema, version, valid(`OperationOutcome${schema}`, sample)]).toEqual([
          schema,
          version,
          schema === version || (schema === 'V3' && version === 'V1'),
        ]);
  });

  it('without a message: v2 keeps its coding, v3 leaves details out; v3’s `details: {}` is a known deviation', () => {
    const bare = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] };
    expect(valid('OperationOutcomeV1', bare)).toBe(true);
    expect(valid('OperationOutcomeV3', bare)).toBe(true);
    const coding = [{ system: 'http://hl7.org/fhir/ValueSet/operation-outcome', code: 'Request Error' }];
    expect(
      valid(
        'OperationOutcomeV2',
        edited(bare, (c) => Object.assign(c.issue[0]!, { details: { coding } })),
      ),
    ).toBe(true);
    const empty = edited(bare, (c) => Object.assign(c.issue[0]!, { details: {} }));
    expect(valid('OperationOutcomeV3', empty)).toBe(false);
    expect(quirkValid('OperationOutcomeV3', empty)).toBe(true);
  });

  it('refuses empty strings, other severities, unknown codes and members', () => {
    expect(valid('OperationOutcomeV1', oo({ diagnostics: '' }))).toBe(false);
    expect(valid('OperationOutcomeV1', oo({ severity: 'warning' }))).toBe(false);
    expect(valid('OperationOutcomeV1', oo({ code: 'ouch' }))).toBe(false);
    expect(valid('OperationOutcomeV1', oo({ errType: 'Request Error' }))).toBe(false);
    expect(valid('OperationOutcomeV1', { resourceType: 'OperationOutcome', issue: [] })).toBe(false);
  });
});

describe('CapabilityStatement', () => {
  it.each<[string, string, object]>([
    [
      'R4',
      'no software.version',
      edited(SEED_001_CAPABILITY, (c) => delete (c.software as { version?: string }).version),
    ],
    ['R4', 'no status', edited(SEED_001_CAPABILITY, (c) => delete (c as { status?: string }).status)],
    ['R4', 'an empty format list', edited(SEED_001_CAPABILITY, (c) => (c.format = []))],
    ['R4', 'a date that is not a FHIR dateTime', edited(SEED_001_CAPABILITY, (c) => (c.date = '09/09/2024'))],
    [
      'R4',
      'no token URL in the security block',
      edited(SEED_001_CAPABILITY, (c) => delete (c.rest[0]!.security as { extension?: unknown }).extension),
    ],
    [
      'R4',
      'no resource in rest',
      edited(SEED_001_CAPABILITY, (c) => delete (c.rest[0] as { resource?: unknown }).resource),
    ],
    ['R4', 'fhirVersion 3.0.1', edited(SEED_001_CAPABILITY, (c) => (c.fhirVersion = '3.0.1' as '4.0.1'))],
    [
      'V1',
      'no operation list',
      edited(SEED_002_CAPABILITY, (c) => delete (c.rest[0] as { operation?: unknown }).operation),
    ],
    [
      'V1',
      'no security',
      edited(SEED_002_CAPABILITY, (c) => delete (c.rest[0] as { security?: unknown }).security),
    ],
  ])('%s refuses %s', (version, _what, statement) => {
    expect(valid(`CapabilityStatement${version}`, statement)).toBe(false);
  });
});

describe('headers', () => {
  it('X-Progress: Pending or seed 001’s "In Progress, NN%"; the real "(NN%)" is a known deviation', () => {
    for (const ok of ['Pending', 'In Progress, 80%', 'In Progress, 0%'])
      expect([ok, headerValid('XProgress', ok)]).toEqual([ok, true]);
    for (const bad of ['In Progress', 'In Progress (80%)', 'Completed', 'working...'])
      expect([bad, headerValid('XProgress', bad)]).toEqual([bad, false]);
    expect(headerValid('XProgress', 'In Progress (10%)', true)).toBe(true);
    expect(headerValid('XProgress', 'In Progress', true)).toBe(false);
  });

  it('Expires: an HTTP-date; the Go time string is a known deviation', () => {
    expect(headerValid('Expires', 'Sat, 22 Aug 2026 15:02:15 GMT')).toBe(true);
    const go = '2026-08-22 15:02:15.123456 +0000 UTC';
    expect(headerValid('Expires', go)).toBe(false);
    expect(headerValid('Expires', go, true)).toBe(true);
    expect(headerValid('Expires', 'tomorrow', true)).toBe(false);
  });

  it('Content-Location: an absolute …/api/vN/jobs/<id>', () => {
    expect(headerValid('ContentLocation', 'https://sandbox.bcda.cms.gov/api/v2/jobs/42')).toBe(true);
    expect(headerValid('ContentLocation', 'http://127.0.0.1:4010/api/v1/jobs/7')).toBe(true);
    for (const bad of [
      '/api/v2/jobs/42',
      'https://h/api/v2/jobs/abc',
      'https://h/api/v4/jobs/1',
      'https://h/jobs/1',
    ])
      expect([bad, headerValid('ContentLocation', bad)]).toEqual([bad, false]);
  });

  it('Retry-After: delay-seconds, required where the documents promise it', () => {
    expect(headerValid('RetryAfter', '120')).toBe(true);
    expect(headerValid('RetryAfter', 'soon')).toBe(false);
    expect(headerValid('PollAfter', 'Fri, 31 Dec 1999 23:59:59 GMT')).toBe(true);
    expect(spec.components.headers.RetryAfterRequired?.required).toBe(true);
    const headers = spec.components.responses.ExportTooManyRequests?.headers as Record<
      string,
      { $ref: string }
    >;
    expect(headers['Retry-After']?.$ref).toBe('#/components/headers/RetryAfterRequired');
  });
});

describe('sources', () => {
  const SOURCE = /^(seed 00[0-4] §|Bulk Data IG §|behavior §|FHIR R4 §)/;

  it.each([
    ...[
      'ExportManifest',
      'ManifestOutputFile',
      'ManifestErrorFile',
      'FhirInstant',
      'TaskBundle',
      'Task',
      'AttributionStatus',
      'TokenResponse',
      'OperationOutcomeV1',
      'OperationOutcomeV2',
      'OperationOutcomeV3',
      'CapabilityStatementBase',
      'CapabilityStatementV1',
      'CapabilityStatementR4',
      'CapabilityStatementSecurity',
    ].map((name) => ['schemas', name] as const),
    ...['ContentLocation', 'XProgress', 'RetryAfter', 'RetryAfterRequired', 'Expires'].map(
      (name) => ['headers', name] as const,
    ),
    ...['ExportAccepted', 'ExportTooManyRequests', 'JobInProgress', 'JobComplete', 'JobList'].map(
      (name) => ['responses', name] as const,
    ),
  ])('%s/%s cites its source', (kind, name) => {
    const source = spec.components[kind][name]?.['x-source'];
    expect(typeof source === 'string' && SOURCE.test(source) ? 'cited' : source).toBe('cited');
  });

  it('every x-bcda-quirk-accepts has an x-bcda-quirk note beside it', () => {
    const missing: string[] = [];
    const walk = (node: unknown, where: string): void => {
      if (!node || typeof node !== 'object') return;
      const n = node as Node;
      if ('x-bcda-quirk-accepts' in n && typeof n['x-bcda-quirk'] !== 'string') missing.push(where);
      for (const [key, value] of Object.entries(n)) walk(value, `${where}/${key}`);
    };
    walk(spec.components, '#/components');
    expect(missing).toEqual([]);
  });
});
