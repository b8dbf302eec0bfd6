/**
 * Bad input to the tool itself, through the built command line as a user runs it: every case
 * exits 2 with one paragraph naming what was wrong, and no stack trace on stdout or stderr.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureBuiltCli, runCli, type CliRun } from './built-cli';

jest.setTimeout(120_000);

const dir = mkdtempSync(path.join(tmpdir(), 'bcda-bad-input-'));
const at = (name: string): string => path.join(dir, name);
function file(name: string, text: string): string {
  writeFileSync(at(name), text);
  return at(name);
}

beforeAll(() => {
  ensureBuiltCli();
  file('bad.json', '{ "apiVersion": "v2", ');
  file('wrong-number.json', JSON.stringify({ timeout: 'soon' }));
  file('wrong-boolean.json', JSON.stringify({ includeSamples: 'yes' }));
  file('wrong-list.json', JSON.stringify({ suite: 5 }));
  file('wrong-string.json', JSON.stringify({ target: 42 }));
  file('unknown-key.json', JSON.stringify({ targte: 'https://example.org' }));
  file('array.json', '[1, 2]');
  file('regular-file', 'not a directory');
  file('notes.txt', 'not NDJSON');
  file('report-like.json', JSON.stringify({ hello: 'world' }));
  file('credentials-bad.json', '{ nope');
  mkdirSync(at('config-dir'));
  mkdirSync(at('empty-dir'));
});

type Case = [name: string, args: string[], message: RegExp, env?: Record<string, string>];

const cases: Case[] = [
  // Config files.
  ['invalid JSON config', ['run', '--config', at('bad.json')], /config file .*bad\.json is not valid JSON/],
  [
    'config number of the wrong type',
    ['run', '--config', at('wrong-number.json')],
    /"timeout" in config file .*wrong-number\.json must be a number greater than 0 \(got "soon"\)/,
  ],
  [
    'config boolean of the wrong type',
    ['run', '--config', at('wrong-boolean.json')],
    /"includeSamples" in config file .* must be true or false \(got "yes"\)/,
  ],
  [
    'config list of the wrong type',
    ['run', '--config', at('wrong-list.json')],
    /"suite" in config file .* must be a list of metadata, .*, or one comma-separated string \(got 5\)/,
  ],
  [
    'config string of the wrong type',
    ['run', '--config', at('wrong-string.json')],
    /"target" in config file .* must be a string \(got 42\)/,
  ],
  [
    'unknown config key',
    ['run', '--config', at('unknown-key.json')],
    /config file .*: unknown setting "targte" \(did you mean "target"\?\)/,
  ],
  [
    'config that is not an object',
    ['run', '--config', at('array.json')],
    /config file .*array\.json must hold an object of settings/,
  ],
  [
    'config path that does not exist',
    ['run', '--config', at('missing.json')],
    /cannot read config file .*missing\.json: no such file \(ENOENT\)/,
  ],
  [
    'directory as config',
    ['run', '--config', at('config-dir')],
    /cannot read config file .*config-dir: it is a directory, not a file \(EISDIR\)/,
  ],
  // Flags and commands.
  ['unknown flag', ['run', '--frobnicate'], /unknown option '--frobnicate'/],
  ['unknown flag of mock', ['mock', '--frobnicate'], /unknown option '--frobnicate'/],
  ['unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
  ['flag without its value', ['run', '--timeout'], /option '--timeout <seconds>' argument missing/],
  [
    'target that is not a URL',
    ['run', '--target', 'not a url', '--token', 'x'],
    /--target "not a url" is not a URL/,
  ],
  [
    'target with a non-http scheme',
    ['run', '--target', 'ftp://example.org', '--token', 'x'],
    /--target must be an http\(s\) URL, got ftp:/,
  ],
  [
    'target with a file scheme',
    ['run', '--target', 'file:///etc/passwd', '--token', 'x'],
    /--target must be an http\(s\) URL, got file:/,
  ],
  [
    'target without credentials',
    ['run', '--target', 'https://example.org'],
    /no credentials for https:\/\/example\.org/,
  ],
  ['timeout that is not a number', ['run', '--timeout', 'abc'], /--timeout must be a number \(got "abc"\)/],
  [
    'negative max-kickoffs',
    ['run', '--max-kickoffs', '-1'],
    /--max-kickoffs must be a whole number \(0 or more\) \(got "-1"\)/,
  ],
  ['zero request timeout', ['run', '--request-timeout', '0'], /--request-timeout must be greater than 0/],
  [
    'fractional validate-lines',
    ['run', '--validate-lines', '1.5'],
    /--validate-lines must be a whole number \(1 or more\)/,
  ],
  [
    'timeout from the environment',
    ['run'],
    /BCDA_TIMEOUT must be a number \(got "abc"\)/,
    { BCDA_TIMEOUT: 'abc' },
  ],
  ['api version v9', ['run', '--api-version', 'v9'], /--api-version must be one of v1, v2, v3 \(got "v9"\)/],
  ['unknown profile', ['run', '--profile', 'x'], /--profile must be one of bcda, bulk-data-ig \(got "x"\)/],
  [
    'unknown group',
    ['run', '--group', 'x'],
    /--group must be one of all, runout under the bcda profile \(BCDA's groups\), got "x"/,
  ],
  ['unknown suite', ['run', '--suite', 'nosuch'], /--suite must be one of metadata, .* \(got "nosuch"\)/],
  ['unknown suite for list', ['list', '--suite', 'nosuch'], /unknown suite "nosuch"/],
  ['unknown profile for list', ['list', '--profile', 'x'], /--profile must be bcda or bulk-data-ig/],
  [
    'unknown mock fault for run',
    ['run', '--mock-fault', 'nosuch'],
    /--mock-fault must be one of the \d+ names `bcda-conformance mock --list-faults` lists \(got "nosuch"\)\n$/,
  ],
  [
    'misspelt mock fault for run',
    ['run', '--mock-fault', 'ratelimit-disabeld'],
    /\(got "ratelimit-disabeld"\) \(did you mean "ratelimit-disabled"\?\)\n$/,
  ],
  // A selection of no check would pass vacuously.
  [
    'a --grep that matches no check',
    ['run', '--grep', 'STATUS-EXPRIED'],
    /no check matches --grep "STATUS-EXPRIED" \(--profile bcda, --api-version v2\), so nothing would be tested; closest check ids: STATUS-EXPIRED/,
  ],
  [
    'a --grep that matches nothing at all',
    ['run', '--grep', 'zzzz'],
    /no check matches --grep "zzzz" .*nothing would be tested\n$/,
  ],
  // Mock settings with another target would be silently ignored.
  [
    'mock faults with a target',
    ['run', '--target', 'http://127.0.0.1:9', '--token', 't', '--mock-fault', 'metadata-requires-token'],
    /--mock-fault applies to the embedded mock only, but --target names another server: drop one of them/,
  ],
  [
    'mock quirks with a target',
    ['run', '--target', 'http://127.0.0.1:9', '--token', 't', '--mock-quirks'],
    /--mock-quirks applies to the embedded mock only/,
  ],
  // Report directory.
  [
    'out under a regular file',
    ['run', '--out', path.join(at('regular-file'), 'reports')],
    /--out .*regular-file.reports: cannot write reports there: a part of the path is a regular file, not a directory \(ENOTDIR\)/,
  ],
  [
    'out that is a regular file',
    ['run', '--out', at('regular-file')],
    /--out .*regular-file: cannot write reports there: it exists and is not a directory \(EEXIST\)/,
  ],
  ['empty out', ['run', '--out', ''], /--out must not be empty/],
  // validate.
  ['validate without a path', ['validate'], /give at least one NDJSON file or directory/],
  [
    'validate a missing path',
    ['validate', at('missing.ndjson')],
    /no such file or directory: .*missing\.ndjson/,
  ],
  [
    'validate an empty directory',
    ['validate', at('empty-dir')],
    /no \.ndjson or \.ndjson\.gz files found in .*empty-dir/,
  ],
  [
    'validate a non-NDJSON file',
    ['validate', at('notes.txt')],
    /not an NDJSON file: .*notes\.txt \(expected a \.ndjson or \.ndjson\.gz file, or a directory\)/,
  ],
  [
    'validate with api version v9',
    ['validate', '--api-version', 'v9', at('empty-dir')],
    /--api-version must be v1, v2 or v3, got "v9"/,
  ],
  [
    'validate with workers abc',
    ['validate', '--workers', 'abc', at('empty-dir')],
    /--workers must be an integer >= 0, got "abc"/,
  ],
  // compare.
  [
    'compare missing files',
    ['compare', at('missing-a.json'), at('missing-b.json')],
    /missing-a\.json: no such file/,
  ],
  ['compare invalid JSON', ['compare', at('bad.json'), at('bad.json')], /bad\.json: not valid JSON/],
  [
    'compare JSON that is no report',
    ['compare', at('report-like.json'), at('report-like.json')],
    /report-like\.json: not a bcda-conformance report/,
  ],
  [
    'compare a directory',
    ['compare', at('config-dir'), at('config-dir')],
    /config-dir: is a directory, not a report\.json/,
  ],
  ['compare with one file', ['compare', at('bad.json')], /missing required argument 'current'/],
  [
    'compare with an unknown format',
    ['compare', '--format', 'pdf', at('bad.json'), at('bad.json')],
    /--format must be one of text, markdown, html, json \(got "pdf"\)/,
  ],
  // mock.
  [
    'mock with an unknown fault',
    ['mock', '--fault', 'nosuch'],
    /--fault: unknown fault: nosuch; `bcda-conformance mock --list-faults` lists them all\n$/,
  ],
  [
    'mock with port abc',
    ['mock', '--port', 'abc'],
    /--port must be a whole number from 0 to 65535, got "abc"/,
  ],
  [
    'mock with port 70000',
    ['mock', '--port', '70000'],
    /--port must be a whole number from 0 to 65535, got "70000"/,
  ],
  ['mock with job speed 0', ['mock', '--job-speed', '0'], /--job-speed must be a positive number, got "0"/],
  [
    'mock with api version v4',
    ['mock', '--api-versions', 'v4'],
    /--api-versions takes a comma-separated list of v1, v2, v3; got "v4"/,
  ],
  [
    'mock with a missing credentials file',
    ['mock', '--credentials', at('missing.json')],
    /cannot read credentials file .*missing\.json/,
  ],
  [
    'mock with an invalid credentials file',
    ['mock', '--credentials', at('credentials-bad.json')],
    /credentials file .*credentials-bad\.json is not valid JSON/,
  ],
  [
    'mock with a bad clock start',
    ['mock', '--clock-start', 'yesterday'],
    /--clock-start must be an instant such as 2026-06-15T12:00:00Z, got "yesterday"/,
  ],
  ['mock with a frozen clock and no control', ['mock', '--frozen-clock'], /--frozen-clock needs --control/],
];

/** A V8 stack frame line: "    at fn (file.js:1:2)" or "    at file.js:1:2". */
const STACK_FRAME = /^\s+at .*(\(.*:\d+:\d+\)|:\d+:\d+)$/m;

function expectUsageError(run: CliRun, message: RegExp): void {
  const output = `${run.stdout}${run.stderr}`;
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 2, stderr: expect.stringMatching(message) });
  expect(output).not.toMatch(STACK_FRAME);
  expect(output).not.toMatch(/unexpected error/);
  // One paragraph: no blank line, and short enough to read (the fault list is one long line).
  expect(run.stderr.trim()).not.toMatch(/\n\s*\n/);
  expect(run.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
}

describe('bad input to the command line', () => {
  it.concurrent.each(cases)(
    '%s: exit 2, a clear message, no stack trace',
    async (_name, args, message, env) => {
      expectUsageError(await runCli(args, dir, env), message);
    },
  );

  it('the checks can fail: a valid command exits 0 and an unknown one is caught by them', async () => {
    const ok = await runCli(['list', '--suite', 'metadata'], dir);
    expect(ok.code).toBe(0);
    expect(() => expectUsageError(ok, /unknown/)).toThrow();
  });
});
