/**
 * SERVICE-SWAGGER: the Swagger documentation under /api/v1/swagger/, as a Swagger UI page that
 * loads its OpenAPI document, or as the document itself; against answers of each shape, and
 * against the mock (clean, and with the fault that removes the pages).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CheckContext } from '../../src/checks/context';
import { metadataChecks, swaggerDocumentUrl, swaggerGaps } from '../../src/checks/metadata';
import { loadConfig } from '../../src/config/config';
import type { CheckResult } from '../../src/engine/results';
import type { SendOptions } from '../../src/http/client';
import { startMock, type MockServer } from '../../src/mock';
import { BUILT_IN_CREDENTIALS } from '../../src/mock/credentials';
import { runConformance } from '../../src/run/run-conformance';
import { BASE, fakeContext, type Answer } from './fake-context';

jest.setTimeout(60_000);

const check = metadataChecks.find((c) => c.id === 'SERVICE-SWAGGER')!;

const DOCUMENT = {
  openapi: '3.0.1',
  info: { title: 'BCDA', version: '1' },
  paths: {
    '/api/v1/Patient/$export': {},
    '/api/v1/Group/{groupId}/$export': {},
    '/api/v1/jobs/{jobId}': {},
    '/api/v1/metadata': {},
    '/data/{jobId}/{filename}': {},
  },
};

const PAGE = `<!DOCTYPE html><html><body><div id="swagger-ui"></div>
<script>window.ui = SwaggerUIBundle({ url: "./swagger.json", dom_id: '#swagger-ui' })</script></body></html>`;

/** A context whose target answers from `answers` (by path; anything else 404). */
function serving(answers: Record<string, Omit<Answer, 'url'>>): CheckContext {
  const fake = fakeContext({ version: 'v1' });
  const send = async (o: SendOptions) => {
    const url = o.url.startsWith('http') ? new URL(o.url).pathname : o.url;
    return fake.answer({ url, status: 404, body: '404 page not found', ...answers[url] });
  };
  return { ...fake.ctx, target: { baseUrl: BASE, http: { send } } } as unknown as CheckContext;
}

const html = { 'content-type': 'text/html; charset=utf-8' };

describe('SERVICE-SWAGGER against answers of each shape', () => {
  it('passes for a Swagger UI page whose document names the endpoints', async () => {
    const ctx = serving({
      '/api/v1/swagger/': { status: 200, headers: html, body: PAGE },
      '/api/v1/swagger/swagger.json': { status: 200, body: DOCUMENT },
    });
    const result = await check.run(ctx);
    expect(result).toMatchObject({ outcome: 'pass', message: expect.stringMatching(/of 5 paths/) });
    expect(result.evidence).toHaveLength(2);
  });

  it('passes for the OpenAPI document served at the folder itself', async () => {
    expect((await check.run(serving({ '/api/v1/swagger/': { status: 200, body: DOCUMENT } }))).outcome).toBe(
      'pass',
    );
  });

  it('fails for a 404', async () => {
    expect(await check.run(serving({}))).toMatchObject({
      outcome: 'fail',
      message: '/api/v1/swagger/: status 404, expected 200',
    });
  });

  it('fails for a page that is not Swagger', async () => {
    const ctx = serving({ '/api/v1/swagger/': { status: 200, headers: html, body: '<html>Welcome</html>' } });
    expect((await check.run(ctx)).message).toMatch(/neither the Swagger UI nor an OpenAPI document/);
  });

  it('fails when the document the page loads is missing', async () => {
    const ctx = serving({ '/api/v1/swagger/': { status: 200, headers: html, body: PAGE } });
    expect((await check.run(ctx)).message).toMatch(/is not an OpenAPI document: status 404/);
  });

  it('fails naming the endpoints the document leaves out', async () => {
    const { '/data/{jobId}/{filename}': _data, '/api/v1/metadata': _metadata, ...paths } = DOCUMENT.paths;
    const ctx = serving({
      '/api/v1/swagger/': { status: 200, headers: html, body: PAGE },
      '/api/v1/swagger/swagger.json': { status: 200, body: { ...DOCUMENT, paths } },
    });
    expect((await check.run(ctx)).message).toBe(
      'the Swagger documentation does not name the v1 metadata, file download endpoint(s)',
    );
  });

  it('fails when the document names the endpoints of v2 only', async () => {
    const paths = Object.fromEntries(
      Object.entries(DOCUMENT.paths).map(([k, v]) => [k.replace('/api/v1/', '/api/v2/'), v]),
    );
    const ctx = serving({ '/api/v1/swagger/': { status: 200, body: { ...DOCUMENT, paths } } });
    expect((await check.run(ctx)).message).toBe(
      'the Swagger documentation does not name the v1 Patient export, v1 Group export, v1 job status, v1 metadata endpoint(s)',
    );
  });

  it('reads the v1 prefix from an OpenAPI 3 server URL', async () => {
    const paths = Object.fromEntries(
      Object.entries(DOCUMENT.paths).map(([k, v]) => [k.replace('/api/v1', ''), v]),
    );
    const doc = { ...DOCUMENT, servers: [{ url: `${BASE}/api/v1` }], paths };
    expect((await check.run(serving({ '/api/v1/swagger/': { status: 200, body: doc } }))).outcome).toBe(
      'pass',
    );
  });
});

describe('swaggerDocumentUrl and swaggerGaps', () => {
  it('finds the document a page loads, on the page’s own origin only', () => {
    expect(swaggerDocumentUrl(PAGE, `${BASE}/api/v1/swagger/`)).toBe(`${BASE}/api/v1/swagger/swagger.json`);
    expect(
      swaggerDocumentUrl('url: "https://elsewhere.test/x.json"', `${BASE}/api/v1/swagger/`),
    ).toBeUndefined();
    expect(swaggerDocumentUrl('<html></html>', `${BASE}/api/v1/swagger/`)).toBeUndefined();
  });

  it('reads a Swagger 2 document with a basePath, or a page that names the paths in its text', () => {
    const relative = { swagger: '2.0', basePath: '/api/v1', paths: {} as Record<string, unknown> };
    for (const p of ['/Patient/$export', '/Group/{id}/$export', '/jobs/{id}', '/metadata', '/data/{a}/{b}'])
      relative.paths[p] = {};
    expect(swaggerGaps(relative, '')).toEqual([]);
    expect(
      swaggerGaps(undefined, 'GET /api/v1/Patient/$export /Group/all/$export /jobs/1 /metadata /data/'),
    ).toEqual([]);
    expect(swaggerGaps(undefined, 'nothing here')).toHaveLength(5);
  });
});

describe('SERVICE-SWAGGER against the mock', () => {
  const main = BUILT_IN_CREDENTIALS.find((c) => c.cmsId === 'A9994')!;
  const mocks: MockServer[] = [];
  afterEach(async () => {
    await Promise.all(mocks.splice(0).map((m) => m.close()));
  });

  async function run(faults: string[]): Promise<CheckResult> {
    const mock = await startMock({ quiet: true, faults });
    mocks.push(mock);
    const dir = mkdtempSync(path.join(tmpdir(), 'swagger-'));
    const config = loadConfig(
      {
        target: mock.url,
        clientId: main.clientId,
        clientSecret: main.clientSecret,
        apiVersion: 'v1',
        grep: check.id,
        outDir: path.join(dir, 'reports'),
      },
      {},
      dir,
    );
    const result = (await runConformance(config)).report.results.find((r) => r.id === check.id);
    if (!result) throw new Error(`${check.id} did not run`);
    return result;
  }

  it('passes on the clean mock: the page and the swagger.json it loads', async () => {
    const result = await run([]);
    expect(result.outcome).toBe('pass');
    expect(result.evidence).toHaveLength(2);
  });

  it('fails with swagger-missing', async () => {
    expect((await run(['swagger-missing'])).outcome).toBe('fail');
  });
});
