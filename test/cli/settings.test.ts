/**
 * In-process unit tests of the pieces behind the bad-input messages: settings named the way the
 * user gave them, the report directory check, and the mock's clock flags.
 */
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { prepareOutDir } from '../../src/cli/out-dir';
import { ConfigError, checkSuiteNames, loadConfig } from '../../src/config/config';
import { UsageError, parseMockFlags } from '../../src/mock/cli';

const dir = (): string => mkdtempSync(path.join(tmpdir(), 'bcda-settings-'));

describe('setting names in messages', () => {
  it('names a flag, an environment variable or a config file key, whichever gave the value', () => {
    const d = dir();
    const file = path.join(d, 'c.json');
    writeFileSync(file, JSON.stringify({ maxKickoffs: 'many' }));
    expect(() => loadConfig({ maxKickoffs: 'x' }, {}, d)).toThrow('--max-kickoffs must be a number');
    expect(() => loadConfig({}, { BCDA_MAX_KICKOFFS: 'x' }, d)).toThrow('BCDA_MAX_KICKOFFS must be a number');
    expect(() => loadConfig({ config: file }, {}, d)).toThrow(`"maxKickoffs" in config file ${file} must be`);
  });

  it('takes booleans and lists from a config file only with the right JSON types', () => {
    const d = dir();
    const good = path.join(d, 'good.json');
    writeFileSync(
      good,
      JSON.stringify({ includeSamples: true, mockQuirks: false, suite: ['metadata', 'auth'] }),
    );
    expect(loadConfig({ config: good }, {}, d)).toMatchObject({
      includeSamples: true,
      mockQuirks: false,
      suites: ['metadata', 'auth'],
    });
    const bad = path.join(d, 'bad.json');
    writeFileSync(bad, JSON.stringify({ mockQuirks: 'false' }));
    expect(() => loadConfig({ config: bad }, {}, d)).toThrow(
      /"mockQuirks" .* must be true or false \(got "false"\)/,
    );
    writeFileSync(bad, JSON.stringify({ mockFault: [1] }));
    expect(() => loadConfig({ config: bad }, {}, d)).toThrow(
      /"mockFault" .* must be a list of the \d+ names `bcda-conformance mock --list-faults` lists, or one comma-separated string \(got \[1\]\)/,
    );
    // The names are checked against the fault catalog, whichever source gives them.
    writeFileSync(bad, JSON.stringify({ mockFault: 'ratelimit-disabled,nosuch' }));
    expect(() => loadConfig({ config: bad }, {}, d)).toThrow(/"mockFault" .* \(got "nosuch"\)$/);
    expect(() => loadConfig({ mockFaults: ['ratelimit-disabeld'] }, {}, d)).toThrow(
      /^--mock-fault must be one of the \d+ names .* \(got "ratelimit-disabeld"\) \(did you mean "ratelimit-disabled"\?\)$/,
    );
    expect(
      loadConfig({}, { BCDA_MOCK_FAULTS: 'ratelimit-disabled, status-no-expires' }, d).mockFaults,
    ).toEqual(['ratelimit-disabled', 'status-no-expires']);
  });

  it('rejects an empty --config path and unknown suite names', () => {
    expect(() => loadConfig({ config: '' }, {}, dir())).toThrow(
      '--config needs the path of a JSON or YAML file',
    );
    expect(() => checkSuiteNames(['auth', 'nope'])).toThrow(ConfigError);
    expect(checkSuiteNames(['auth'])).toEqual(['auth']);
  });
});

describe('prepareOutDir', () => {
  it('creates a missing report directory, nested', () => {
    const out = path.join(dir(), 'a', 'b');
    prepareOutDir(out);
    expect(statSync(out).isDirectory()).toBe(true);
  });

  it('refuses a path under a regular file', () => {
    const d = dir();
    const f = path.join(d, 'file');
    writeFileSync(f, 'x');
    expect(() => prepareOutDir(path.join(f, 'out'))).toThrow(/a part of the path is a regular file.*ENOTDIR/);
  });

  it('refuses a directory it cannot write (unless running as root)', () => {
    const d = path.join(dir(), 'locked');
    prepareOutDir(d);
    chmodSync(d, 0o500);
    try {
      if (process.getuid?.() === 0) expect(() => prepareOutDir(d)).not.toThrow();
      else expect(() => prepareOutDir(d)).toThrow(/permission denied \(EACCES\)/);
    } finally {
      chmodSync(d, 0o700);
    }
  });
});

describe('mock clock flags', () => {
  it('starts the clock at an instant, frozen with --control', () => {
    const options = parseMockFlags({ clockStart: '2026-06-15T12:00:00Z', frozenClock: true, control: true });
    expect(options.clock).toEqual({ frozen: true, start: new Date('2026-06-15T12:00:00Z') });
    expect(parseMockFlags({}).clock).toBeUndefined();
  });

  it.each([
    [{ clockStart: 'tomorrow' }, /--clock-start must be an instant/],
    [{ clockStart: '2026-06-15' }, /--clock-start must be an instant/],
    [{ clockStart: '2026-13-45T99:00:00Z' }, /--clock-start must be an instant/],
    [{ frozenClock: true }, /--frozen-clock needs --control/],
  ])('rejects %j', (flags, message) => {
    expect(() => parseMockFlags(flags)).toThrow(UsageError);
    expect(() => parseMockFlags(flags)).toThrow(message);
  });
});

describe('switches from the environment', () => {
  it('reads true/false, 1/0 and yes/no, and names the variable otherwise', () => {
    const d = dir();
    expect(loadConfig({}, { BCDA_STRICT: 'true' }, d).strict).toBe(true);
    expect(loadConfig({}, { BCDA_STRICT: '0' }, d).strict).toBe(false);
    expect(loadConfig({}, { BCDA_STRICT: 'Yes' }, d).strict).toBe(true);
    expect(() => loadConfig({}, { BCDA_STRICT: 'maybe' }, d)).toThrow(
      'BCDA_STRICT must be true or false (got "maybe")',
    );
    // Numbers and strings are not switches: "1" stays a number, "yes" a client id.
    expect(loadConfig({}, { BCDA_MAX_KICKOFFS: '1' }, d).maxKickoffs).toBe(1);
  });
});
