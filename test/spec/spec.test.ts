/**
 * The contract itself: spec/bcda.openapi.yaml validates, lists every BCDA operation with the statuses
 * BCDA returns, gives versioned errors the right OperationOutcome shape, and generated/ is not stale
 * (the response schemas themselves: schemas.test.ts).
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import YAML from 'yaml';
import { OPERATIONS, SPEC_SHA256 } from '../../generated/operations';

const ROOT = path.resolve(__dirname, '..', '..');
const SPEC_PATH = path.join(ROOT, 'spec', 'bcda.openapi.yaml');
const GENERATOR = path.join(ROOT, 'scripts', 'generate-types.js');

type Version = 'v1' | 'v2' | 'v3';
const VERSIONS: Version[] = ['v1', 'v2', 'v3'];
const suffix = (v: Version): string => v.toUpperCase();

// Minimal structural views of the parts of an OpenAPI document the assertions read.
interface RefOr {
  $ref?: string;
}
interface MediaType {
  schema?: RefOr & Record<string, unknown>;
}
interface Response extends RefOr {
  description?: string;
  headers?: Record<string, RefOr & { required?: boolean }>;
  content?: Record<string, MediaType>;
}
interface Parameter extends RefOr {
  name: string;
  in: string;
  required?: boolean;
  schema?: Record<string, unknown> & { items?: { enum?: string[] } };
}
interface Operation {
  operationId: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: Parameter[];
  responses: Record<string, Response>;
  'x-operation-base'?: string;
  'x-api-version'?: string;
}
interface Spec {
  openapi: string;
  security?: Array<Record<string, string[]>>;
  paths: Record<string, Record<string, Operation>>;
  components: {
    responses: Record<string, Response>;
    parameters: Record<string, Parameter>;
    schemas: Record<string, unknown>;
    securitySchemes: Record<string, { type: string; scheme?: string }>;
  };
}

const spec = YAML.parse(fs.readFileSync(SPEC_PATH, 'utf8'), { maxAliasCount: -1 }) as Spec;

/** Follows a local `#/components/<kind>/<name>` reference. */
function deref<T extends RefOr>(value: T): T {
  if (!value.$ref) return value;
  const [, , kind, name] = value.$ref.split('/');
  const target = (spec.components as unknown as Record<string, Record<string, T>>)[kind ?? '']?.[name ?? ''];
  if (!target) throw new Error(`unresolved ${value.$ref}`);
  return deref(target);
}

function findOperation(operationId: string): { method: string; route: string; op: Operation } {
  for (const [route, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (op.operationId === operationId) return { method, route, op };
    }
  }
  throw new Error(`operation ${operationId} is not in the spec`);
}

// ---------------------------------------------------------------- the expected contract, as data
/** Per versioned base: method, path under /api/vN, and every status BCDA can return. */
const VERSIONED_OPERATIONS: Record<string, { method: string; path: string; statuses: number[] }> = {
  getMetadata: { method: 'get', path: '/metadata', statuses: [200, 400, 401, 403, 500, 503] },
  exportPatient: {
    method: 'get',
    path: '/Patient/$export',
    statuses: [202, 400, 401, 403, 404, 405, 429, 500, 503],
  },
  exportGroup: {
    method: 'get',
    path: '/Group/{groupId}/$export',
    statuses: [202, 400, 401, 403, 404, 405, 429, 500, 503],
  },
  getJobStatus: {
    method: 'get',
    path: '/jobs/{jobId}',
    statuses: [200, 202, 400, 401, 403, 404, 410, 500, 503],
  },
  cancelJob: { method: 'delete', path: '/jobs/{jobId}', statuses: [202, 400, 401, 403, 404, 410, 500, 503] },
  listJobs: { method: 'get', path: '/jobs', statuses: [200, 400, 401, 403, 404, 500, 503] },
  getAttributionStatus: {
    method: 'get',
    path: '/attribution_status',
    statuses: [200, 400, 401, 403, 404, 500, 503],
  },
};

const UNVERSIONED_OPERATIONS: Record<
  string,
  { method: string; path: string; statuses: number[]; security: 'none' | 'basic' | 'bearer' }
> = {
  getToken: {
    method: 'post',
    path: '/auth/token',
    statuses: [200, 400, 401, 405, 429, 500, 503],
    security: 'basic',
  },
  getWelcome: {
    method: 'get',
    path: '/auth/welcome',
    statuses: [200, 400, 401, 403, 500, 503],
    security: 'bearer',
  },
  downloadFile: {
    method: 'get',
    path: '/data/{jobId}/{fileName}',
    statuses: [200, 400, 401, 403, 404, 500, 503],
    security: 'bearer',
  },
  getVersion: {
    method: 'get',
    path: '/_version',
    statuses: [200, 400, 401, 403, 500, 503],
    security: 'none',
  },
  getHealth: {
    method: 'get',
    path: '/_health',
    statuses: [200, 400, 401, 403, 500, 502, 503],
    security: 'none',
  },
  getAuthInfo: { method: 'get', path: '/_auth', statuses: [200, 400, 401, 403, 500, 503], security: 'none' },
};

const statusesOf = (op: Operation): number[] =>
  Object.keys(op.responses)
    .map(Number)
    .sort((a, b) => a - b);

// ---------------------------------------------------------------- validity
describe('spec/bcda.openapi.yaml', () => {
  it('is a valid OpenAPI 3.0.3 document (swagger-parser)', async () => {
    const api = await SwaggerParser.validate(SPEC_PATH);
    expect('openapi' in api ? api.openapi : undefined).toBe('3.0.3');
  });

  it('declares basic and bearer security schemes and bearer as the default', () => {
    expect(spec.components.securitySchemes.basicAuth).toMatchObject({ type: 'http', scheme: 'basic' });
    expect(spec.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(spec.security).toEqual([{ bearerAuth: [] }]);
  });
});

// ---------------------------------------------------------------- operations × statuses
describe('operations and statuses', () => {
  const expectedCount =
    Object.keys(VERSIONED_OPERATIONS).length * 3 + Object.keys(UNVERSIONED_OPERATIONS).length;

  it(`has exactly the ${expectedCount} expected operations`, () => {
    const ids = Object.values(spec.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    const expected = [
      ...Object.keys(VERSIONED_OPERATIONS).flatMap((base) => VERSIONS.map((v) => base + suffix(v))),
      ...Object.keys(UNVERSIONED_OPERATIONS),
    ];
    expect([...ids].sort()).toEqual([...expected].sort());
  });

  for (const [base, want] of Object.entries(VERSIONED_OPERATIONS)) {
    for (const version of VERSIONS) {
      const id = base + suffix(version);
      it(`${id}: ${want.method.toUpperCase()} /api/${version}${want.path} → ${want.statuses.join(',')}`, () => {
        const { method, route, op } = findOperation(id);
        expect(method).toBe(want.method);
        expect(route).toBe(`/api/${version}${want.path}`);
        expect(statusesOf(op)).toEqual(want.statuses);
        expect(op['x-operation-base']).toBe(base);
        expect(op['x-api-version']).toBe(version);
        expect(op.tags?.length).toBeGreaterThan(0);
      });
    }
  }

  for (const [id, want] of Object.entries(UNVERSIONED_OPERATIONS)) {
    it(`${id}: ${want.method.toUpperCase()} ${want.path} → ${want.statuses.join(',')}`, () => {
      const { method, route, op } = findOperation(id);
      expect(method).toBe(want.method);
      expect(route).toBe(want.path);
      expect(statusesOf(op)).toEqual(want.statuses);
      expect(op['x-operation-base']).toBe(id);
      expect(op['x-api-version']).toBeUndefined();
    });
  }

  it('the generated OPERATIONS table matches the expected matrix', () => {
    for (const [base, want] of Object.entries(VERSIONED_OPERATIONS)) {
      for (const version of VERSIONS) {
        const row = OPERATIONS[(base + suffix(version)) as keyof typeof OPERATIONS];
        expect(row).toMatchObject({
          method: want.method,
          path: `/api/${version}${want.path}`,
          base,
          version,
        });
        expect([...row.statuses]).toEqual(want.statuses);
        expect(row.security).toBe(base === 'getMetadata' ? 'none' : 'bearer');
      }
    }
    for (const [id, want] of Object.entries(UNVERSIONED_OPERATIONS)) {
      const row = OPERATIONS[id as keyof typeof OPERATIONS];
      expect(row).toMatchObject({ method: want.method, path: want.path, base: id, version: null });
      expect([...row.statuses]).toEqual(want.statuses);
      expect(row.security).toBe(want.security);
    }
  });
});

// ---------------------------------------------------------------- error bodies
describe('error bodies', () => {
  const jsonTypes = (res: Response): string[] =>
    Object.keys(res.content ?? {}).filter((t) => /json$/.test(t));

  it('every 4xx/5xx JSON response on a versioned path is the OperationOutcome of that version', () => {
    let checked = 0;
    for (const [route, item] of Object.entries(spec.paths)) {
      const version = /^\/api\/(v[123])\//.exec(route)?.[1] as Version | undefined;
      if (!version) continue;
      for (const op of Object.values(item)) {
        for (const [status, raw] of Object.entries(op.responses)) {
          if (Number(status) < 400) continue;
          const res = deref(raw);
          for (const type of jsonTypes(res)) {
            expect({ op: op.operationId, status, type, ref: res.content?.[type]?.schema?.$ref }).toEqual({
              op: op.operationId,
              status,
              type: 'application/fhir+json',
              ref: `#/components/schemas/OperationOutcome${suffix(version)}`,
            });
            checked += 1;
          }
        }
      }
    }
    // 7 operations × 3 versions, each with several error statuses: the loop must have seen them.
    expect(checked).toBeGreaterThan(100);
  });

  it('unversioned OperationOutcomes (/data, /auth/welcome, /_*) use the v1 shape; /auth/token errors are plain text', () => {
    for (const id of ['downloadFile', 'getWelcome', 'getVersion', 'getHealth', 'getAuthInfo']) {
      const { op } = findOperation(id);
      for (const [status, raw] of Object.entries(op.responses)) {
        if (Number(status) < 400 || status === '502') continue;
        const res = deref(raw);
        expect(res.content?.['application/fhir+json']?.schema?.$ref).toBe(
          '#/components/schemas/OperationOutcomeV1',
        );
      }
    }
    const { op: token } = findOperation('getToken');
    for (const [status, raw] of Object.entries(token.responses)) {
      if (Number(status) < 400 || status === '405') continue;
      expect(Object.keys(deref(raw).content ?? {})).toEqual(['text/plain']);
    }
  });
});

// ---------------------------------------------------------------- headers and parameters
describe('headers and parameters', () => {
  const headerNames = (id: string, status: number): string[] =>
    Object.keys(deref(findOperation(id).op.responses[String(status)] ?? {}).headers ?? {});
  const params = (id: string): Parameter[] => (findOperation(id).op.parameters ?? []).map((p) => deref(p));

  it.each(VERSIONS)('%s: kick-off, status, cancel and 429 responses carry their headers', (v) => {
    const s = suffix(v);
    expect(headerNames(`exportPatient${s}`, 202)).toEqual(['Content-Location']);
    expect(headerNames(`exportGroup${s}`, 202)).toEqual(['Content-Location']);
    expect(headerNames(`exportPatient${s}`, 429)).toEqual(['Retry-After']);
    expect(headerNames(`getJobStatus${s}`, 202)).toEqual(['X-Progress', 'Retry-After']);
    expect(headerNames(`getJobStatus${s}`, 200)).toEqual(['Expires']);
    expect(headerNames(`getJobStatus${s}`, 410)).toEqual(['Expires']);
    expect(headerNames(`exportPatient${s}`, 405)).toEqual(['Allow']);
  });

  it('download: fhir+ndjson body, Content-Encoding header, optional Accept-Encoding', () => {
    const { op } = findOperation('downloadFile');
    const ok = deref(op.responses['200'] ?? {});
    expect(Object.keys(ok.content ?? {})).toEqual(['application/fhir+ndjson']);
    expect(Object.keys(ok.headers ?? {})).toEqual(['Content-Encoding']);
    expect(params('downloadFile').find((p) => p.name === 'Accept-Encoding')).toMatchObject({
      in: 'header',
      required: false,
    });
  });

  it.each(VERSIONS)('%s: exports and /jobs require Accept and Prefer headers', (v) => {
    for (const base of ['exportPatient', 'exportGroup', 'listJobs']) {
      const headers = params(base + suffix(v)).filter((p) => p.in === 'header');
      expect(headers.map((p) => [p.name, p.required])).toEqual([
        ['Accept', true],
        ['Prefer', true],
      ]);
    }
  });

  it('allowed _type values differ by version; _typeFilter exists only on v3', () => {
    const typeEnum = (id: string): string[] | undefined =>
      params(id).find((p) => p.name === '_type')?.schema?.items?.enum;
    expect(typeEnum('exportPatientV1')).toEqual(['Patient', 'Coverage', 'ExplanationOfBenefit']);
    expect(typeEnum('exportGroupV2')).toEqual([
      'Patient',
      'Coverage',
      'ExplanationOfBenefit',
      'Claim',
      'ClaimResponse',
    ]);
    expect(typeEnum('exportPatientV3')).toEqual(['Patient', 'Coverage', 'ExplanationOfBenefit']);
    for (const base of ['exportPatient', 'exportGroup']) {
      expect(params(`${base}V1`).some((p) => p.name === '_typeFilter')).toBe(false);
      expect(params(`${base}V2`).some((p) => p.name === '_typeFilter')).toBe(false);
      expect(params(`${base}V3`).some((p) => p.name === '_typeFilter')).toBe(true);
    }
    for (const name of ['_since', '_outputFormat', '_elements']) {
      expect(params('exportGroupV2').some((p) => p.name === name)).toBe(true);
    }
    expect(params('listJobsV2').some((p) => p.name === '_status')).toBe(true);
  });

  it('group ids are all|runout and job ids are integers', () => {
    expect(params('exportGroupV2').find((p) => p.name === 'groupId')?.schema).toMatchObject({
      type: 'string',
      enum: ['all', 'runout'],
    });
    expect(params('getJobStatusV2').find((p) => p.name === 'jobId')?.schema).toMatchObject({
      type: 'integer',
    });
  });
});

// ---------------------------------------------------------------- generated/ staleness
describe('generated/', () => {
  /** Runs the generator in a plain node process (openapi-typescript and prettier need real ESM loading). */
  function runNode(args: string[]): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it('regenerating from the spec in memory yields exactly the committed files', () => {
    const script = `require(${JSON.stringify(GENERATOR)}).render().then((r) => process.stdout.write(JSON.stringify(r)))`;
    const run = runNode(['-e', script]);
    // Show the generator's error output only when it failed (warnings on stderr are not failures).
    expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({
      status: 0,
      stderr: '',
    });
    const rendered = JSON.parse(run.stdout) as Record<string, string>;
    expect(Object.keys(rendered).sort()).toEqual(['generated/bcda.ts', 'generated/operations.ts']);
    for (const [file, content] of Object.entries(rendered)) {
      // Compare file by file so a failure names the stale file; run `npm run generate` to fix it.
      expect({ file, upToDate: fs.readFileSync(path.join(ROOT, file), 'utf8') === content }).toEqual({
        file,
        upToDate: true,
      });
    }
  }, 60_000);

  it('the committed table was generated from this exact spec text', () => {
    const digest = crypto.createHash('sha256').update(fs.readFileSync(SPEC_PATH, 'utf8')).digest('hex');
    expect(SPEC_SHA256).toBe(digest);
  });

  it('--check notices an edited spec and names the stale files', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bcda-spec-'));
    try {
      const edited = path.join(dir, 'bcda.openapi.yaml');
      const text = fs.readFileSync(SPEC_PATH, 'utf8');
      const changed = text.replace(
        'summary: Poll an export job (v2)',
        'summary: Poll an export job, edited (v2)',
      );
      expect(changed).not.toBe(text);
      fs.writeFileSync(edited, changed);
      const run = runNode([GENERATOR, '--check', '--spec', edited]);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('stale: generated/bcda.ts');
      expect(run.stderr).toContain('stale: generated/operations.ts');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('--check passes on the committed spec, and a missing spec is a clear error, not a stack trace', () => {
    const ok = runNode([GENERATOR, '--check']);
    expect(ok.status).toBe(0);
    const missing = runNode([GENERATOR, '--check', '--spec', path.join(os.tmpdir(), 'no-such-spec.yaml')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/generate-types: cannot read spec .*no-such-spec\.yaml: ENOENT/);
    expect(missing.stderr).not.toContain('    at ');
  }, 60_000);
});
