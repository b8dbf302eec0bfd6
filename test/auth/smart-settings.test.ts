/**
 * The SMART settings as a run reads them: --smart-client-id and --smart-key go together, a target
 * without credentials names the SMART flags too, and the SMART scope rules the checks rely on.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/config';
import { parseScope, scopeCovers, scopeReaches, scopesBeyond } from '../../src/auth/smart-scopes';
import { embeddedSmartSettings } from '../../src/auth/smart-setup';

const dir = () => mkdtempSync(path.join(tmpdir(), 'smart-settings-'));

describe('SMART settings', () => {
  test('--smart-key without --smart-client-id is a one-line error naming both', () => {
    expect(() => loadConfig({ smartKey: 'k.jwk', target: 'http://127.0.0.1:9/fhir' }, {}, dir())).toThrow(
      /^--smart-client-id and --smart-key go together/,
    );
    expect(() => loadConfig({}, { BCDA_SMART_CLIENT_ID: 'c' }, dir())).toThrow(
      /^BCDA_SMART_CLIENT_ID and --smart-key go together/,
    );
  });

  test('a target without credentials: the message names the SMART flags too', () => {
    expect(() => loadConfig({ target: 'https://example.org/fhir' }, {}, dir())).toThrow(
      /--smart-client-id and --smart-key \(SMART Backend Services\)/,
    );
  });

  test('SMART credentials are credentials for a target; scope defaults', () => {
    const config = loadConfig(
      { target: 'https://example.org/fhir', profile: 'bulk-data-ig', smartClientId: 'c', smartKey: 'k.jwk' },
      {},
      dir(),
    );
    expect(config).toMatchObject({ scope: 'system/*.read', narrowScope: 'system/Patient.read' });
    expect(config.smartAlg).toBeUndefined();
  });
});

describe('SMART scopes', () => {
  test('v1 and v2 forms', () => {
    expect(parseScope('system/Patient.read')).toEqual({
      context: 'system',
      type: 'Patient',
      permissions: 'rs',
    });
    expect(parseScope('system/*.rs')).toEqual({ context: 'system', type: '*', permissions: 'rs' });
    expect(parseScope('system/Observation.rs?category=lab')).toMatchObject({ query: '?category=lab' });
    expect(parseScope('launch')).toBeUndefined();
    expect(parseScope('system/Patient.xyz')).toBeUndefined();
  });

  test.each([
    ['system/*.read', 'system/Patient.read', true],
    ['system/*.read', 'system/Patient.rs', true],
    ['system/*.rs', 'system/*.read', true],
    ['system/Patient.read', 'system/*.read', false],
    ['system/Patient.read', 'system/Observation.read', false],
    ['system/*.read', 'system/*.write', false],
    ['system/*.rs', 'system/Observation.rs?category=lab', true],
    ['system/Observation.rs?category=lab', 'system/Observation.rs', false],
    ['patient/*.read', 'system/Patient.read', false],
  ])('%s covers %s: %s', (wide, narrow, expected) => {
    expect(scopeCovers(wide, narrow)).toBe(expected);
  });

  test('scopesBeyond lists what a grant adds to the request', () => {
    expect(scopesBeyond('system/Patient.read', 'system/Patient.read')).toEqual([]);
    expect(scopesBeyond('system/*.read', 'system/Patient.read system/Observation.read')).toEqual([]);
    expect(scopesBeyond('system/Patient.read', 'system/Patient.read system/*.read launch')).toEqual([
      'system/*.read',
      'launch',
    ]);
  });

  test('scopeReaches: a type named by the scope, or by *', () => {
    expect(scopeReaches('system/Patient.read', 'Patient')).toBe(true);
    expect(scopeReaches('system/Patient.read', 'Observation')).toBe(false);
    expect(scopeReaches('system/*.rs', 'Observation')).toBe(true);
  });
});

describe('embeddedSmartSettings', () => {
  const clients = [
    { clientId: 'narrow', scopes: ['system/Patient.read'], keyFiles: { RS384: 'n.rs', ES384: 'n.es' } },
    {
      clientId: 'full',
      scopes: ['system/*.read', 'system/*.rs'],
      keyFiles: { RS384: 'f.rs', ES384: 'f.es' },
    },
  ];
  const config = (extra: Record<string, unknown> = {}) =>
    loadConfig({ profile: 'bulk-data-ig', ...extra }, {}, dir());

  test('the client whose scopes cover --scope, with its key of --smart-alg (RS384 by default)', () => {
    expect(embeddedSmartSettings(config(), clients)).toEqual({ smartClientId: 'full', smartKey: 'f.rs' });
    expect(embeddedSmartSettings(config({ smartAlg: 'ES384' }), clients)).toEqual({
      smartClientId: 'full',
      smartKey: 'f.es',
    });
  });

  test("the user's own SMART settings win", () => {
    expect(embeddedSmartSettings(config({ smartClientId: 'mine', smartKey: 'k.jwk' }), clients)).toEqual({
      smartClientId: 'mine',
      smartKey: 'k.jwk',
    });
  });
});
