import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import {
  UsageError,
  credentialsListing,
  faultsListing,
  parseMockFlags,
  registerMockCommand,
  runMockCommand,
} from '../../src/mock/cli';
import { BUILT_IN_CREDENTIALS, loadCredentialsFile } from '../../src/mock/credentials';
import { FAULTS } from '../../src/mock/faults';
import { testMock } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'mock-cli-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('mock CLI flags', () => {
  it('turns flags into options', () => {
    expect(
      parseMockFlags({
        port: '4011',
        seed: '9',
        apiVersions: 'v1,v2',
        fault: ['status-no-expires,kickoff-200-instead-of-202', 'ratelimit-disabled'],
        quirks: true,
        control: true,
        jobSpeed: '2.5',
        tokenLifetime: '60',
        tokenRateLimit: '5/60',
      }),
    ).toMatchObject({
      port: 4011,
      host: '127.0.0.1',
      seed: 9,
      apiVersions: ['v1', 'v2'],
      faults: ['status-no-expires', 'kickoff-200-instead-of-202', 'ratelimit-disabled'],
      quirks: true,
      control: true,
      jobSpeed: 2.5,
      tokenLifetimeSeconds: 60,
      tokenRateLimit: { limit: 5, windowSeconds: 60 },
    });
    expect(parseMockFlags({}).port).toBe(4010);
    expect(parseMockFlags({ tokenRateLimit: '100' }).tokenRateLimit).toEqual({
      limit: 100,
      windowSeconds: 300,
    });
  });

  it.each([
    [{ port: 'abc' }, /--port must be a whole number/],
    [{ port: '70000' }, /--port must be a whole number from 0 to 65535/],
    [{ seed: '-1' }, /--seed/],
    [{ apiVersions: 'v4' }, /--api-versions takes a comma-separated list of v1, v2, v3; got "v4"/],
    [
      { fault: ['nope'] },
      /^--fault: unknown fault: nope; `bcda-conformance mock --list-faults` lists them all$/,
    ],
    [
      { fault: ['ratelimit-disabeld'] },
      /^--fault: unknown fault: ratelimit-disabeld \(did you mean "ratelimit-disabled"\?\); /,
    ],
    [{ jobSpeed: '0' }, /--job-speed must be a positive number/],
    [{ tokenLifetime: '0' }, /--token-lifetime/],
    [{ tokenRateLimit: '0' }, /--token-rate-limit takes N or N\/SECONDS/],
    [{ tokenRateLimit: '5/x' }, /--token-rate-limit takes N or N\/SECONDS/],
    [{ controlToken: 'secret-token' }, /--control-token needs --control/],
    [{ headersTimeout: '0' }, /--headers-timeout must be a whole number from 1 to 3600/],
    [{ maxJobsPerAco: '0' }, /--max-jobs-per-aco must be a whole number from 1 to 1000000/],
    [{ keepAliveTimeout: '1.5' }, /--keep-alive-timeout must be a whole number/],
    [{ headersTimeout: '60' }, /--headers-timeout cannot be longer than --request-timeout/],
    [{ control: true, controlToken: 'two words' }, /--control-token must be 1 to 512 visible ASCII/],
  ])('rejects %j', (flags, message) => {
    expect(() => parseMockFlags(flags, {})).toThrow(UsageError);
    expect(() => parseMockFlags(flags, {})).toThrow(message);
  });

  it('takes the number of jobs kept per ACO', () => {
    expect(parseMockFlags({ maxJobsPerAco: '50' }, {}).maxJobsPerAco).toBe(50);
    expect(parseMockFlags({}, {}).maxJobsPerAco).toBeUndefined();
  });

  it('takes connection timeouts in seconds', () => {
    expect(
      parseMockFlags({ headersTimeout: '10', requestTimeout: '20', keepAliveTimeout: '2' }, {}),
    ).toMatchObject({ headersTimeoutMs: 10_000, requestTimeoutMs: 20_000, keepAliveTimeoutMs: 2_000 });
    expect(parseMockFlags({ headersTimeout: '60', requestTimeout: '60' }, {}).headersTimeoutMs).toBe(60_000);
  });

  it('takes the control token from --control-token or BCDA_MOCK_CONTROL_TOKEN', () => {
    expect(parseMockFlags({ control: true, controlToken: 'from-flag' }, {}).controlToken).toBe('from-flag');
    const env = { BCDA_MOCK_CONTROL_TOKEN: 'from-env' };
    expect(parseMockFlags({ control: true }, env).controlToken).toBe('from-env');
    expect(parseMockFlags({ control: true, controlToken: 'from-flag' }, env).controlToken).toBe('from-flag');
    expect(parseMockFlags({ control: true }, { BCDA_MOCK_CONTROL_TOKEN: '' }).controlToken).toBeUndefined();
    expect(() => parseMockFlags({}, env)).toThrow(/BCDA_MOCK_CONTROL_TOKEN needs --control/);
  });

  it('lists credentials (sandbox pair on A9994) and faults', () => {
    const listing = credentialsListing();
    expect(listing).toContain('A9994  ACO Dev (extra-small): 50 beneficiaries');
    expect(listing).toContain('3841c594-a8c0-41e5-98cc-38bb45360d3c');
    for (const id of [
      'A9990',
      'A9991',
      'A9992',
      'A9993',
      'TEST001',
      'A9997',
      'TEST995',
      'TEST996',
      'SBXBM0002',
    ])
      expect(listing).toContain(id);
    expect(listing).toContain('X9999  (no such ACO)');
    const faults = faultsListing();
    for (const f of FAULTS) if (f.mock === undefined) expect(faults).toContain(f.name);
    // The generic mock's faults are listed by `mock --profile bulk-data-ig --list-faults` only.
    expect(faults).not.toContain('ig-token-no-scope');
  });

  it('exits 2 on a commander usage error and 0 for listings', async () => {
    const program = new Command().exitOverride();
    registerMockCommand(program);
    const exit = jest.spyOn(process, 'exit').mockImplementation(((code?: number) => {
      throw new Error(`exit ${code}`);
    }) as typeof process.exit);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await expect(program.parseAsync(['node', 'x', 'mock', '--bogus'])).rejects.toThrow('exit 2');
      await program.parseAsync(['node', 'x', 'mock', '--list-faults']);
      expect(out.mock.calls.map((c) => String(c[0])).join('')).toContain('kickoff-200-instead-of-202');
    } finally {
      exit.mockRestore();
      err.mockRestore();
      out.mockRestore();
    }
  });

  it('reports a bad flag in one line with exit code 2, without a stack', async () => {
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await runMockCommand({ port: 'x' });
      expect(process.exitCode).toBe(2);
      const text = err.mock.calls.map((c) => String(c[0])).join('');
      expect(text).toBe('bcda-conformance mock: --port must be a whole number from 0 to 65535, got "x"\n');
    } finally {
      process.exitCode = undefined;
      err.mockRestore();
    }
  });

  it('runs until SIGINT and closes cleanly', async () => {
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const running = runMockCommand({ port: '0', quiet: true });
      for (let i = 0; i < 100 && !err.mock.calls.some((c) => String(c[0]).includes('listening')); i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const line = err.mock.calls.map((c) => String(c[0])).find((l) => l.includes('listening')) ?? '';
      const url = /at (http:\/\/\S+) /.exec(line)?.[1];
      expect(url).toBeDefined();
      expect((await fetch(`${url}/_version`)).status).toBe(200);
      process.emit('SIGINT');
      await running;
      await expect(fetch(`${url}/_version`)).rejects.toThrow();
      expect(process.exitCode).toBeUndefined();
    } finally {
      err.mockRestore();
    }
  });
});

describe('credentials files', () => {
  it('adds and replaces ACOs with their credentials', async () => {
    const path = file(
      'good.json',
      JSON.stringify({
        acos: [
          { cmsId: 'Z9999', beneficiaries: 12, clientId: 'z-client', clientSecret: 'z-secret' },
          { cmsId: 'A9994', beneficiaries: 10 },
        ],
      }),
    );
    const m = await testMock({ credentialsFile: path });
    try {
      const token = await m
        .http()
        .post('/auth/token')
        .set('Authorization', `Basic ${Buffer.from('z-client:z-secret').toString('base64')}`);
      expect(token.status).toBe(200);
      expect(m.ctx.acos.get('Z9999')?.beneficiaries).toBe(12);
      expect(m.ctx.acos.get('A9994')?.beneficiaries).toBe(10);
      // The replaced ACO keeps the sandbox credentials.
      expect(m.ctx.credentialsById.get('3841c594-a8c0-41e5-98cc-38bb45360d3c')?.cmsId).toBe('A9994');
    } finally {
      await m.close();
    }
  });

  it.each([
    ['missing.json', undefined, /cannot read credentials file/],
    ['broken.json', '{', /is not valid JSON/],
    ['shape.json', '{"x":1}', /expected an array of ACOs or \{"acos": \[\.\.\.\]\}/],
    ['noid.json', '[{}]', /entry 0: "cmsId" must be a string/],
    ['bool.json', '[{"cmsId":"Z1","denylisted":"yes"}]', /"denylisted" must be true or false/],
    ['size.json', '[{"cmsId":"Z1","beneficiaries":0}]', /"beneficiaries" must be an integer/],
    ['half.json', '[{"cmsId":"Z1","clientId":"a"}]', /give both "clientId" and "clientSecret"/],
    ['attr.json', '[{"cmsId":"Z1","attribution":"old"}]', /"attribution" must be/],
  ])('%s → clear error', (name, text, message) => {
    const path = text === undefined ? join(dir, name) : file(name, text);
    expect(() => loadCredentialsFile(path)).toThrow(message);
  });
});

describe('src/mock/README.md', () => {
  const readme = readFileSync(join(__dirname, '../../src/mock/README.md'), 'utf8');
  // The generic mock's faults have their table in src/mock/ig/README.md.
  const igReadme = readFileSync(join(__dirname, '../../src/mock/ig/README.md'), 'utf8');
  it('documents every built-in credential and every fault', () => {
    for (const c of BUILT_IN_CREDENTIALS) {
      expect(readme).toContain(c.clientId);
      expect(readme).toContain(c.clientSecret);
    }
    // Each fault's row says what core/faults.ts says, so the table cannot drift from the catalog.
    const rows = new Map(
      [readme, igReadme]
        .join('\n')
        .split('\n')
        .filter((l) => l.startsWith('| `'))
        .map((l) => [/^\| `([^`]+)`/.exec(l)?.[1] ?? '', l]),
    );
    for (const f of FAULTS) {
      const row = rows.get(f.name) ?? '';
      expect([f.name, row.includes(f.description), row.includes(f.refs.join(', '))]).toEqual([
        f.name,
        true,
        true,
      ]);
    }
  });
});
