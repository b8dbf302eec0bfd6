/**
 * Generated from the settings table: every setting is read the same from its flag (through the
 * real option declarations), its environment variable, and its key in a JSON and a YAML config
 * file; and what the table generates (README option table, config schema) is not stale.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { addSettingOptions, settingsFromOptions } from '../../src/cli/settings-options';
import { loadConfig, type RawSettings } from '../../src/config/config';
import { SETTINGS, configKeyOf, envNameOf, type SettingRow } from '../../src/core/settings';

/** A valid value of each setting, as a file holds it, and as text (a flag's or the environment's). */
function sample(row: SettingRow): { value: unknown; text: string[] } {
  switch (row.kind) {
    case 'text':
      return { value: 'some-text', text: ['some-text'] };
    case 'secret':
      return { value: 'not-a-real-secret', text: ['not-a-real-secret'] };
    case 'url':
      return { value: 'http://127.0.0.1:9', text: ['http://127.0.0.1:9'] };
    case 'choice': {
      const last = row.values![row.values!.length - 1]!;
      return { value: last, text: [last] };
    }
    case 'choices':
      return { value: row.values!.slice(0, 2), text: [row.values!.slice(0, 2).join(',')] };
    case 'names':
      return { value: ['first', 'second'], text: ['first,second'] };
    case 'origins':
      return { value: ['https://files.example'], text: ['https://files.example'] };
    case 'seconds':
      return { value: 7.5, text: ['7.5'] };
    case 'count':
      return { value: (row.min ?? 0) + 3, text: [String((row.min ?? 0) + 3)] };
    case 'switch':
      return { value: true, text: [] };
  }
}

/** Settings a row needs beside it to be a valid configuration (its credential partner, credentials for a target). */
function companions(row: SettingRow): RawSettings {
  const partner = row.key.endsWith('Id')
    ? row.key.replace(/Id$/, 'Secret')
    : row.key.endsWith('Secret')
      ? row.key.replace(/Secret$/, 'Id')
      : undefined;
  return {
    ...(partner ? { [partner]: 'partner' } : {}),
    ...(row.key === 'target' ? { token: 'a-token' } : {}),
    // A SMART client signs with its key: the two go together.
    ...(row.key === 'smartClientId' ? { smartKey: 'key.jwk' } : {}),
    ...(row.key === 'smartKey' ? { smartClientId: 'a-client' } : {}),
    ...(row.key === 'otherSmartClientId' ? { otherSmartKey: 'key.jwk' } : {}),
    ...(row.key === 'otherSmartKey' ? { otherSmartClientId: 'a-client' } : {}),
    // Any group id is a generic server's; under bcda only all/runout (tested in config.test.ts).
    ...(row.key === 'group' ? { profile: 'bulk-data-ig' } : {}),
  };
}

const ROOT = path.join(__dirname, '..', '..');
const dir = () => mkdtempSync(path.join(tmpdir(), 'bcda-settings-table-'));

function parseFlags(args: string[]): RawSettings {
  const command = addSettingOptions(new Command('run').exitOverride());
  command.parse(args, { from: 'user' });
  return settingsFromOptions(command.opts());
}

describe.each(SETTINGS.map((row) => [`--${row.flag}`, row] as const))('setting %s', (_name, row) => {
  const { value, text } = sample(row);
  const expectGiven = (config: ReturnType<typeof loadConfig>, source: string) => {
    expect((config as unknown as Record<string, unknown>)[row.key]).toEqual(
      row.kind === 'url' ? String(value) : value,
    );
    expect(config.sources[row.key as keyof typeof config.sources]).toBe(source);
  };

  it('is declared as a flag and read from it', () => {
    const flags = parseFlags([`--${row.flag}`, ...text]);
    expectGiven(loadConfig({ ...companions(row), ...flags }, {}, dir()), 'flag');
  });

  it(`is read from the environment (${envNameOf(row)})`, () => {
    const env = { [envNameOf(row)]: text[0] ?? 'true' };
    expectGiven(loadConfig(companions(row), env, dir()), 'env');
  });

  it(`is read from a JSON and a YAML config file ("${configKeyOf(row)}")`, () => {
    const d = dir();
    const json = path.join(d, 'c.json');
    writeFileSync(json, JSON.stringify({ [configKeyOf(row)]: value }));
    expectGiven(loadConfig({ ...companions(row), config: json }, {}, d), 'file');
    const yaml = path.join(d, 'c.yaml');
    writeFileSync(yaml, toYaml({ [configKeyOf(row)]: value }));
    expectGiven(loadConfig({ ...companions(row), config: yaml }, {}, d), 'file');
  });

  it('has its default when no source gives it', () => {
    const config = loadConfig(
      row.key === 'group' ? { profile: 'bulk-data-ig' } : {},
      {},
      dir(),
    ) as unknown as Record<string, unknown>;
    expect(config[row.key]).toEqual(row.default);
  });
});

describe('config files', () => {
  it('are found by their default names, YAML too', () => {
    const d = dir();
    writeFileSync(path.join(d, 'bcda-conformance.config.yaml'), 'maxFiles: 3\napiVersion: v1\n');
    expect(loadConfig({}, {}, d)).toMatchObject({ maxFiles: 3, apiVersion: 'v1' });
  });

  it('suggest the closest key for a misspelt or renamed one', () => {
    const d = dir();
    const file = path.join(d, 'c.json');
    writeFileSync(file, JSON.stringify({ maxFile: 3 }));
    expect(() => loadConfig({ config: file }, {}, d)).toThrow(
      /unknown setting "maxFile" \(did you mean "maxFiles"\?\)/,
    );
    writeFileSync(file, JSON.stringify({ requestTimeoutSeconds: 3 }));
    expect(() => loadConfig({ config: file }, {}, d)).toThrow(/did you mean "requestTimeout"/);
  });

  it('name a bad YAML file in one line', () => {
    const d = dir();
    const file = path.join(d, 'c.yml');
    writeFileSync(file, 'maxFiles: [1\n');
    expect(() => loadConfig({ config: file }, {}, d)).toThrow(
      /^config file .*c\.yml is not valid YAML: [^\n]+$/,
    );
  });
});

describe('generated from the settings table', () => {
  it('the README option table and spec/config.schema.json are up to date (npm run generate)', () => {
    // A child process: prettier 3 loads itself with a dynamic import, which jest's VM refuses.
    const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'generate-docs.js'), '--check'], {
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, 60_000);
});
