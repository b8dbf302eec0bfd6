import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/config';

const dir = () => mkdtempSync(path.join(tmpdir(), 'bcda-config-'));

describe('loadConfig', () => {
  it('uses defaults and the embedded mock when nothing is given', () => {
    const c = loadConfig({}, {}, dir());
    expect(c.target).toBeUndefined();
    expect(c.apiVersion).toBe('v2');
    expect(c.profile).toBe('bcda');
    expect(c.suites).toContain('kickoff');
    expect(c.maxKickoffs).toBe(40);
    expect(c.sources.apiVersion).toBe('default');
  });

  it('takes flags over environment over file', () => {
    const d = dir();
    writeFileSync(
      path.join(d, 'bcda-conformance.config.json'),
      JSON.stringify({ apiVersion: 'v1', group: 'runout', maxKickoffs: 5 }),
    );
    const c = loadConfig({ apiVersion: 'v3' }, { BCDA_GROUP: 'all' }, d);
    expect(c.apiVersion).toBe('v3');
    expect(c.group).toBe('all');
    expect(c.maxKickoffs).toBe(5);
    expect(c.sources).toMatchObject({ apiVersion: 'flag', group: 'env', maxKickoffs: 'file' });
  });

  it('normalises the target to the server root', () => {
    const c = loadConfig({ target: 'https://sandbox.bcda.cms.gov/', token: 't0k3n-value' }, {}, dir());
    expect(c.target).toBe('https://sandbox.bcda.cms.gov');
  });

  it('takes any group id and a FHIR base with a path under bulk-data-ig, and finds the group at run time', () => {
    const c = loadConfig(
      { profile: 'bulk-data-ig', target: 'https://host.example/fhir/r4/', token: 't', group: 'g-17' },
      {},
      dir(),
    );
    expect(c.target).toBe('https://host.example/fhir/r4');
    expect(c.group).toBe('g-17');
    expect(loadConfig({ profile: 'bulk-data-ig' }, {}, dir()).group).toBeUndefined();
    expect(loadConfig({}, {}, dir()).group).toBe('all');
    expect(
      loadConfig({ profile: 'bulk-data-ig', target: 'https://h.example/api/v2', token: 't' }, {}, dir())
        .target,
    ).toBe('https://h.example/api/v2');
  });

  it.each([
    [{ group: 'g-17' }, /--group must be one of all, runout under the bcda profile/],
    [{ target: 'not a url', token: 'x' }, /is not a URL/],
    [{ target: 'ftp://example.org', token: 'x' }, /http\(s\) URL/],
    [{ target: 'https://sandbox.bcda.cms.gov/api/v2', token: 'x' }, /server root/],
    [{ target: 'https://example.org' }, /no credentials/],
    [{ clientId: 'only-id' }, /go together/],
    [{ otherSmartKey: 'k.jwk' }, /^--other-smart-client-id and --other-smart-key go together/],
    [{ otherSmartClientId: 'c' }, /^--other-smart-client-id and --other-smart-key go together/],
    [{ apiVersion: 'v9' }, /api-version must be one of v1, v2, v3/],
    [{ suites: ['metadata', 'nope'] }, /--suite must be one of .* \(got "nope"\)/],
    [{ timeoutSeconds: 'soon' }, /--timeout must be a number/],
    [{ maxKickoffs: '1.5' }, /max-kickoffs must be a whole number/],
    [{ validateLines: 0 }, /validate-lines must be a whole number \(1 or more\)/],
  ])('rejects %j with a message naming the setting', (flags, message) => {
    expect(() => loadConfig(flags, {}, dir())).toThrow(ConfigError);
    expect(() => loadConfig(flags, {}, dir())).toThrow(message);
  });

  it('reports an unreadable, malformed or unknown config file clearly', () => {
    const d = dir();
    expect(() => loadConfig({ config: path.join(d, 'missing.json') }, {}, d)).toThrow(
      /cannot read config file .*ENOENT/,
    );
    const bad = path.join(d, 'bad.json');
    writeFileSync(bad, '{ nope');
    expect(() => loadConfig({ config: bad }, {}, d)).toThrow(/is not valid JSON/);
    const unknown = path.join(d, 'unknown.json');
    writeFileSync(unknown, JSON.stringify({ targte: 'x' }));
    expect(() => loadConfig({ config: unknown }, {}, d)).toThrow(/unknown setting "targte"/);
  });
});
