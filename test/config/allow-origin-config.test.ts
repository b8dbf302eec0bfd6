import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/config';

const dir = () => mkdtempSync(path.join(tmpdir(), 'bcda-config-'));
const TARGET = { target: 'https://target.example', token: 't0k3n-value' };

describe('--allow-origin (BCDA_ALLOW_ORIGINS, "allowOrigin")', () => {
  it('is empty by default', () => {
    const c = loadConfig(TARGET, {}, dir());
    expect(c.allowOrigins).toEqual([]);
    expect(c.sources.allowOrigins).toBe('default');
  });

  it('takes origins from flags, normalised (default port dropped, host lower-cased)', () => {
    const c = loadConfig(
      { ...TARGET, allowOrigins: ['https://Files.Example:443', 'http://cdn.example:8080/'] },
      {},
      dir(),
    );
    expect(c.allowOrigins).toEqual(['https://files.example', 'http://cdn.example:8080']);
    expect(c.sources.allowOrigins).toBe('flag');
  });

  it('takes a comma- or space-separated list from the environment', () => {
    const c = loadConfig(
      TARGET,
      { BCDA_ALLOW_ORIGINS: 'https://a.example, https://b.example  http://c.example:81' },
      dir(),
    );
    expect(c.allowOrigins).toEqual(['https://a.example', 'https://b.example', 'http://c.example:81']);
    expect(c.sources.allowOrigins).toBe('env');
  });

  it('takes a list from the config file, and flags win over it', () => {
    const d = dir();
    writeFileSync(
      path.join(d, 'bcda-conformance.config.json'),
      JSON.stringify({ allowOrigin: ['https://file.example'] }),
    );
    expect(loadConfig(TARGET, {}, d).allowOrigins).toEqual(['https://file.example']);
    expect(loadConfig(TARGET, {}, d).sources.allowOrigins).toBe('file');
    expect(loadConfig({ ...TARGET, allowOrigins: ['https://flag.example'] }, {}, d).allowOrigins).toEqual([
      'https://flag.example',
    ]);
  });

  it.each([
    [['not a url'], /--allow-origin "not a url" is not a URL/],
    [['ftp://files.example'], /--allow-origin must be an http\(s\) origin, got ftp:/],
    [['https://files.example/bucket'], /origin only .*use https:\/\/files\.example/],
    [['https://user:pw@files.example'], /origin only/],
    [['http://169.254.169.254'], /link-local or cloud metadata address/],
    [['http://[fe80::1]:8080'], /link-local or cloud metadata address/],
    [[42], /values must be strings/],
  ])('rejects %j with a message naming the setting', (allowOrigins, message) => {
    expect(() => loadConfig({ ...TARGET, allowOrigins }, {}, dir())).toThrow(ConfigError);
    expect(() => loadConfig({ ...TARGET, allowOrigins }, {}, dir())).toThrow(message);
  });

  it('names the environment variable or config key in its messages', () => {
    expect(() => loadConfig(TARGET, { BCDA_ALLOW_ORIGINS: 'file:///x' }, dir())).toThrow(
      /^BCDA_ALLOW_ORIGINS must be an http\(s\) origin/,
    );
    const d = dir();
    const file = path.join(d, 'c.json');
    writeFileSync(file, JSON.stringify({ allowOrigin: 'https://x.example/path' }));
    expect(() => loadConfig({ ...TARGET, config: file }, {}, d)).toThrow(/^"allowOrigin" in config file/);
  });

  it('refuses a target on a metadata address', () => {
    expect(() => loadConfig({ target: 'http://169.254.169.254', token: 't0k3n-value' }, {}, dir())).toThrow(
      /--target http:\/\/169\.254\.169\.254 is a link-local or cloud metadata address/,
    );
  });
});
