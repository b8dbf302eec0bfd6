/**
 * The cross-client checks under bulk-data-ig, whose second client is a second SMART login
 * (--other-smart-client-id, --other-smart-key): on the embedded generic mock they pass with its
 * other published client and fail under ig-other-client-job-readable; without a second client they
 * skip naming the flags; a bad key of the second client is a one-line error naming its flag.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type RawSettings } from '../../src/config/config';
import { embeddedOtherSmartSettings } from '../../src/auth/smart-setup';
import { runConformance } from '../../src/run/run-conformance';

jest.setTimeout(60_000);

const ROOT = path.join(__dirname, '..', '..');
const IDS = ['AUTH-OTHER-CLIENT-CANCEL', 'AUTH-OTHER-CLIENT-DATA', 'AUTH-OTHER-CLIENT-JOB'];
const key = (client: string) => path.join(ROOT, `fixtures/smart/${client}.rs384.private.jwk.json`);

async function outcomes(settings: RawSettings): Promise<Array<[string, string, string]>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ig-other-client-'));
  const config = loadConfig(
    { profile: 'bulk-data-ig', grep: 'AUTH-OTHER-CLIENT', outDir: dir, ...settings },
    {},
    dir,
  );
  const { report } = await runConformance(config);
  return report.results.map((r) => [r.id, r.outcome, r.message]);
}

describe('the cross-client checks with a second SMART client', () => {
  test('pass on the embedded generic mock, its other published client playing the other client', async () => {
    const got = await outcomes({});
    expect(got.map(([id, outcome]) => [id, outcome]).sort()).toEqual(IDS.map((id) => [id, 'pass']));
  });

  test('fail when the mock lets any client read, cancel and download a job', async () => {
    const got = await outcomes({ mockFaults: ['ig-other-client-job-readable'] });
    expect(got.map(([id, outcome]) => [id, outcome]).sort()).toEqual(IDS.map((id) => [id, 'fail']));
  });

  test('skip without a second client, naming the flags', async () => {
    // The main client alone, as a user would give it: no default second client for a target of theirs.
    const { startIgMock } = await import('../../src/mock/ig');
    const mock = await startIgMock({ quiet: true });
    try {
      const got = await outcomes({
        target: mock.fhirBase,
        smartClientId: 'bulk-ig-full-client',
        smartKey: key('bulk-ig-full-client'),
      });
      expect(got.map(([id, outcome, message]) => [id, outcome, message]).sort()).toEqual(
        IDS.map((id) => [
          id,
          'skip',
          'no second client configured (--other-smart-client-id and --other-smart-key)',
        ]),
      );
    } finally {
      await mock.close();
    }
  });

  test('a bad key of the second client is a one-line error naming --other-smart-key', async () => {
    const bad = path.join(mkdtempSync(path.join(tmpdir(), 'ig-other-key-')), 'bad.jwk.json');
    writeFileSync(bad, 'not a key');
    await expect(
      outcomes({ otherSmartClientId: 'bulk-ig-narrow-client', otherSmartKey: bad }),
    ).rejects.toThrow(
      /^--other-smart-key .*bad\.jwk\.json: neither JSON \(a JWK or JWKS\) nor a PEM private key$/,
    );
  });
});

describe('embeddedOtherSmartSettings', () => {
  const clients = [
    { clientId: 'full', scopes: ['system/*.read'], keyFiles: { RS384: 'f.rs', ES384: 'f.es' } },
    { clientId: 'narrow', scopes: ['system/Patient.read'], keyFiles: { RS384: 'n.rs', ES384: 'n.es' } },
  ];
  const config = (raw: RawSettings = {}) =>
    loadConfig({ profile: 'bulk-data-ig', ...raw }, {}, mkdtempSync(path.join(tmpdir(), 'ig-other-')));

  test('the first published client other than the main one, with the key of --smart-alg', () => {
    expect(embeddedOtherSmartSettings(config(), 'full', clients)).toEqual({
      otherSmartClientId: 'narrow',
      otherSmartKey: 'n.rs',
    });
    expect(embeddedOtherSmartSettings(config({ smartAlg: 'ES384' }), 'narrow', clients)).toEqual({
      otherSmartClientId: 'full',
      otherSmartKey: 'f.es',
    });
  });

  test("the user's own second client wins", () => {
    expect(
      embeddedOtherSmartSettings(
        config({ otherSmartClientId: 'mine', otherSmartKey: 'k.jwk' }),
        'full',
        clients,
      ),
    ).toEqual({ otherSmartClientId: 'mine', otherSmartKey: 'k.jwk' });
  });
});
