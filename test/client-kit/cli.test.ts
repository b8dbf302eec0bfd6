/** `bcda-conformance client` as a client team runs it: list, a usage error, a graded run and its reports. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLIENT_CHECKS } from '../../src/client-kit/checks';
import { SCENARIOS } from '../../src/client-kit/scenarios';
import { ensureBuiltCli, ROOT, runCli } from '../cli/built-cli';

const CLIENT = 'node examples/bcda-client/client.js';

describe('bcda-conformance client', () => {
  jest.setTimeout(120_000);
  let out: string;
  beforeAll(() => {
    ensureBuiltCli();
    out = mkdtempSync(path.join(os.tmpdir(), 'client-kit-'));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('--list names every scenario and client check', async () => {
    const run = await runCli(['client', '--list'], ROOT);
    expect(run.code).toBe(0);
    for (const s of SCENARIOS) expect(run.stdout).toContain(s.name);
    for (const c of CLIENT_CHECKS) expect(run.stdout).toContain(c.id);
  });

  it('refuses an unknown scenario in one line with exit 2', async () => {
    const run = await runCli(['client', '--scenario', 'happy-pth', '--out', out], ROOT);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/unknown scenario happy-pth \(known: happy-path, /);
  });

  it('exits 0 for the reference client and 1 with a JUnit failure for a MUST bug', async () => {
    const good = await runCli(
      ['client', '--scenario', 'failed-job', '--exec', CLIENT, '--out', path.join(out, 'good')],
      ROOT,
    );
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('BCDA_URL=http://127.0.0.1:');
    const bad = await runCli(
      ['client', '--scenario', 'failed-job', '--exec', CLIENT, '--out', path.join(out, 'bad')],
      ROOT,
      { BCDA_CLIENT_BUG: 'poll-failed-job' },
    );
    expect(bad.code).toBe(1);
    const junit = readFileSync(path.join(out, 'bad', 'junit.xml'), 'utf8');
    expect(junit).toMatch(
      /<testcase classname="bcda-conformance.status" name="CLIENT-POLL-FAILED-TERMINAL [^"]*"[^>]*>\s*<failure/,
    );
    const report = JSON.parse(readFileSync(path.join(out, 'bad', 'report.json'), 'utf8')) as {
      summary: { mustFailures: string[] };
    };
    expect(report.summary.mustFailures).toEqual(['CLIENT-POLL-FAILED-TERMINAL']);
    expect(readFileSync(path.join(out, 'bad', 'index.html'), 'utf8')).toContain(
      'CLIENT-POLL-FAILED-TERMINAL',
    );
  });
});
