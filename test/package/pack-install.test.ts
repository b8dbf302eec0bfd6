/**
 * The package as a user gets it: `npm pack`, installed into a new project, used through its CLI and
 * its programmatic API (JavaScript and TypeScript types).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureBuiltCli, ROOT } from '../cli/built-cli';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let project: string;
let packs: string;

const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: 'pipe',
    timeout: 240_000,
    env: { ...process.env, CI: 'true' },
  });

beforeAll(() => {
  ensureBuiltCli();
  packs = mkdtempSync(path.join(tmpdir(), 'bcda-pack-'));
  // The build is ensured above; prepack would rebuild dist under the other tests' feet.
  run(NPM, ['pack', '--ignore-scripts', '--silent', '--pack-destination', packs], ROOT);
  const tarball = path.join(
    packs,
    readdirSync(packs).find((f) => f.endsWith('.tgz'))!,
  );
  project = mkdtempSync(path.join(tmpdir(), 'bcda-consumer-'));
  writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }),
  );
  run(NPM, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball], project);
}, 300_000);

afterAll(() => {
  for (const dir of [project, packs]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the packed package', () => {
  it("holds the built code, the validators, spec/, the mocks' published keys and the reference client, but no tests, other fixtures or benches", () => {
    const listing = run(NPM, ['ls', '--parseable', '--depth=0'], project);
    expect(listing).toContain('bcda-conformance');
    const installed = path.join(project, 'node_modules', 'bcda-conformance');
    const top = readdirSync(installed).sort();
    expect(top).toEqual(expect.arrayContaining(['dist', 'build', 'spec', 'package.json']));
    for (const absent of ['test', 'bench', 'src', 'suites']) expect(top).not.toContain(absent);
    // The generic mock's SMART test clients and the HTTPS mock's test certificate, nothing else.
    expect(readdirSync(path.join(installed, 'fixtures')).sort()).toEqual(['smart', 'tls']);
    expect(readdirSync(path.join(installed, 'dist'))).not.toContain('bench');
    // The client kit's reference client, for client teams to read and run.
    expect(readdirSync(path.join(installed, 'examples'))).toEqual(['bcda-client']);
    expect(readdirSync(path.join(installed, 'examples', 'bcda-client')).sort()).toEqual([
      'README.md',
      'client.js',
    ]);
  });

  it('runs its CLI: list, and a run of one suite against the embedded mock', () => {
    const bin = path.join(project, 'node_modules', '.bin', 'bcda-conformance');
    expect(run(bin, ['list'], project)).toMatch(/\d+ of \d+ checks/);
    const out = run(bin, ['run', '--suite', 'metadata', '--out', 'reports', '--quiet'], project);
    expect(out).toMatch(/^CONFORMANT: /m);
    expect(readdirSync(path.join(project, 'reports')).sort()).toEqual([
      'index.html',
      'junit.xml',
      'report.json',
    ]);
  }, 120_000);

  it('serves its programmatic API: validateNdjson, startMock, runConformance and gradeClient', () => {
    const script = `
      const { Readable } = require('node:stream');
      const api = require('bcda-conformance');
      // Not an export of the package: found beside its package.json.
      const shipped = require('node:path').join(require.resolve('bcda-conformance/package.json'), '../examples/bcda-client/client.js');
      const { runBcdaClient } = require(shipped);
      (async () => {
        const lines = '{"resourceType":"Patient","id":"-1","gender":"female"}\\n{"resourceType":"Patient","id":"x","gender":"nope"}\\n';
        const summary = await api.validateNdjson(Readable.from([lines]), { file: 'p.ndjson', kind: 'output', expectedType: 'Patient', apiVersion: 'v2' });
        const mock = await api.startMock({ port: 0 });
        const config = api.loadConfig({ suites: ['metadata'], outDir: 'api-reports' }, {});
        const outcome = await api.runConformance(config);
        await mock.close();
        // The shipped reference client, graded in this process.
        const graded = await api.gradeClient({ scenarios: ['happy-path'], run: (info) => runBcdaClient({ ...info, log: info.output, error: info.output }) });
        console.log(JSON.stringify({ lines: summary.lines, gender: summary.issues.some((i) => i.line === 2 && /gender/.test(i.path)), verdict: outcome.report.summary.verdict, schema: api.REPORT_SCHEMA_VERSION, mockUrl: typeof mock.url, client: graded.summary.verdict }));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const result = JSON.parse(run(process.execPath, ['-e', script], project).trim()) as Record<
      string,
      unknown
    >;
    expect(result).toEqual({
      lines: 2,
      gender: true,
      verdict: 'conformant',
      schema: expect.stringMatching(/^1\./),
      mockUrl: 'string',
      client: 'conformant',
    });
  }, 120_000);

  it('types its API for TypeScript consumers', () => {
    writeFileSync(
      path.join(project, 'use.ts'),
      `import { loadConfig, runConformance, gradeClient, type RunReport, type CheckResult, type ClientRunInfo } from 'bcda-conformance';
       export async function verdict(): Promise<RunReport['summary']['verdict']> {
         const outcome = await runConformance(loadConfig({ suites: ['metadata'] }, {}));
         const first: CheckResult | undefined = outcome.report.results[0];
         return first ? outcome.report.summary.verdict : 'conformant';
       }
       export async function clientFailures(run: (info: ClientRunInfo) => Promise<void>): Promise<string[]> {
         const report = await gradeClient({ scenarios: ['happy-path'], run });
         return report.summary.mustFailures;
       }
       // @ts-expect-error a misspelt export does not exist
       export { runConformace } from 'bcda-conformance';
      `,
    );
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          skipLibCheck: true,
          module: 'commonjs',
          moduleResolution: 'node10',
          target: 'ES2022',
          types: [],
          noEmit: true,
        },
        files: ['use.ts'],
      }),
    );
    run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', '.'], project);
  }, 120_000);
});
