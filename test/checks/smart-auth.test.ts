/**
 * The SMART Backend Services checks against the generic mock (src/mock/ig), as a user would run
 * them: each passes on the clean mock, with either of the published client's keys, and fails (the
 * SHOULD one warns) under the fault written for it; without SMART settings they skip.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { loadConfig, type RawSettings } from '../../src/config/config';
import type { CheckResult } from '../../src/engine/results';
import { runConformance } from '../../src/run/run-conformance';
import { FULL_CLIENT_ID, startIgMock, type IgMockServer } from '../../src/mock/ig';
import type { SmartTokenAnswer } from '../../src/auth/smart';
import { refusalVerdict } from '../../src/checks/kit/smart-auth';

const SMART_CHECKS: ReadonlyArray<[string, string]> = [
  ['AUTH-SMART-CONFIGURATION', 'ig-smart-config-incomplete'],
  ['AUTH-SMART-TOKEN', 'ig-token-no-scope'],
  ['AUTH-SMART-SCOPE-GRANTED', 'ig-token-grants-extra-scope'],
  ['AUTH-SMART-EXPIRED-ASSERTION', 'ig-token-accepts-expired-assertion'],
  ['AUTH-SMART-WRONG-AUDIENCE', 'ig-token-accepts-wrong-audience'],
  ['AUTH-SMART-BAD-SIGNATURE', 'ig-token-skips-signature'],
  ['AUTH-SMART-REUSED-JTI', 'ig-token-accepts-reused-jti'],
  ['AUTH-SMART-LONG-ASSERTION', 'ig-token-accepts-long-assertion'],
  ['AUTH-SMART-UNKNOWN-CLIENT', 'ig-token-accepts-unknown-client'],
  ['AUTH-SMART-ERROR-BODY', 'ig-token-error-not-json'],
  ['AUTH-SCOPE-KICKOFF', 'ig-kickoff-ignores-scope'],
  ['AUTH-SCOPE-DOWNLOAD', 'ig-download-ignores-scope'],
  ['AUTH-TOKEN-SHORT-LIVED', 'ig-token-long-lived'],
];
const IDS = SMART_CHECKS.map(([id]) => id);

let mock: IgMockServer;
beforeAll(async () => {
  mock = await startIgMock();
});
afterAll(() => mock.close());
afterEach(() => mock.reset());

function smartSettings(alg: 'RS384' | 'ES384' = 'RS384'): RawSettings {
  const full = mock.clients.find((c) => c.clientId === FULL_CLIENT_ID)!;
  return { smartClientId: full.clientId, smartKey: full.keyFiles[alg] };
}

/** Runs the checks whose id contains `grep` against the mock and returns their results by id. */
async function run(grep: string, auth: RawSettings = smartSettings()): Promise<Map<string, CheckResult>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'smart-auth-'));
  const config = loadConfig(
    { ...auth, target: mock.fhirBase, profile: 'bulk-data-ig', grep, outDir: dir, timeoutSeconds: 60 },
    {},
    dir,
  );
  const { report } = await runConformance(config);
  return new Map(report.results.map((r) => [r.id, r]));
}

const smartResults = (results: Map<string, CheckResult>) =>
  IDS.filter((id) => results.has(id)).map((id) => [id, results.get(id)!.outcome, results.get(id)!.message]);

describe('the SMART checks on the clean generic mock', () => {
  test.each([['RS384' as const], ['ES384' as const]])(
    'all pass with the %s key',
    async (alg) => {
      const results = new Map([
        ...(await run('AUTH-SMART', smartSettings(alg))),
        ...(await run('AUTH-SCOPE', smartSettings(alg))),
        ...(await run('AUTH-TOKEN-SHORT-LIVED', smartSettings(alg))),
      ]);
      expect(smartResults(results).filter(([, outcome]) => outcome !== 'pass')).toEqual([]);
      expect([...results.keys()].filter((id) => IDS.includes(id)).sort()).toEqual([...IDS].sort());
    },
    60_000,
  );

  test('the token requests in the report hold neither the assertion nor the token', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'smart-auth-'));
    const config = loadConfig(
      {
        ...smartSettings(),
        target: mock.fhirBase,
        profile: 'bulk-data-ig',
        grep: 'AUTH-SMART-TOKEN',
        outDir: dir,
      },
      {},
      dir,
    );
    const { report } = await runConformance(config);
    const text = JSON.stringify(report);
    // Booleans, not the text: a failure must not print the report.
    expect(text.includes('client_assertion=<client-assertion>')).toBe(true);
    expect(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/.test(text)).toBe(false);
    expect(/\\"access_token\\":\\"<redacted>\\"/.test(text)).toBe(true);
  });
});

describe('each SMART check catches its fault', () => {
  test.each(SMART_CHECKS)(
    '%s under %s',
    async (id, fault) => {
      mock.setFaults([fault]);
      const result = (await run(id)).get(id)!;
      expect([result.outcome, result.message]).toEqual([
        id === 'AUTH-TOKEN-SHORT-LIVED' ? 'warn' : 'fail',
        expect.any(String),
      ]);
    },
    30_000,
  );
});

// Faults written from the smart-backend rows (issue 16 item 5) that these checks missed at first.
describe('each SMART check catches the ways its row can be broken besides its own fault', () => {
  /** The full client as the run's, the narrow one as its second client. */
  function withOtherClient(): RawSettings {
    const narrow = mock.clients.find((c) => c.clientId !== FULL_CLIENT_ID)!;
    return { ...smartSettings(), otherSmartClientId: narrow.clientId, otherSmartKey: narrow.keyFiles.RS384 };
  }
  test.each([
    ['AUTH-SMART-WRONG-AUDIENCE', 'ig-token-aud-fhir-base', /aud is the FHIR base URL/],
    ['AUTH-SMART-UNKNOWN-CLIENT', 'ig-token-sub-unchecked', /sub names an unregistered client/],
    ['AUTH-SMART-REUSED-JTI', 'ig-token-jti-last-only', /reusing a jti used two requests before/],
    ['AUTH-SMART-BAD-SIGNATURE', 'ig-token-key-of-any-client', /signed with the second client's key/],
    ['AUTH-SCOPE-KICKOFF', 'ig-untyped-export-ignores-scope', /export without _type holds .*Observation/],
    // independent faults (h4): a token endpoint given as a bare path passed before.
    [
      'AUTH-SMART-CONFIGURATION',
      'ig-smart-config-token-path',
      /token_endpoint "\/auth\/token" is not an absolute URL/,
    ],
    // independent faults (rb): a five-minute cap counted from the assertion's iat passed before.
    ['AUTH-SMART-LONG-ASSERTION', 'ig-token-assertion-cap-from-iat', /its iat twelve minutes ahead/],
  ])(
    '%s under %s',
    async (id, fault, message) => {
      const clean = (await run(id, withOtherClient())).get(id)!;
      expect(clean.outcome).toBe('pass');
      mock.setFaults([fault]);
      const result = (await run(id, withOtherClient())).get(id)!;
      expect([result.outcome, result.message]).toEqual(['fail', expect.stringMatching(message)]);
    },
    30_000,
  );
});

test('AUTH-SCOPE-KICKOFF warns when an accepted _type of covered and uncovered types leaves the uncovered out', async () => {
  mock.setFaults(['ig-kickoff-drops-uncovered-types']);
  const result = (await run('AUTH-SCOPE-KICKOFF')).get('AUTH-SCOPE-KICKOFF')!;
  expect([result.outcome, result.message]).toEqual([
    'warn',
    expect.stringMatching(/_type=Patient,\w+ was accepted/),
  ]);
}, 30_000);

describe('without SMART settings', () => {
  test('the checks that need a login skip and say how to give one; discovery is still judged', async () => {
    const results = await run('AUTH-SMART', { token: 'a-static-token' });
    expect(results.get('AUTH-SMART-CONFIGURATION')!.outcome).toBe('pass');
    for (const id of IDS.filter((i) => i.startsWith('AUTH-SMART-') && i !== 'AUTH-SMART-CONFIGURATION'))
      expect([id, results.get(id)!.outcome, results.get(id)!.message]).toEqual([
        id,
        'skip',
        expect.stringContaining('--smart-client-id and --smart-key'),
      ]);
  }, 30_000);
});

describe('refusalVerdict', () => {
  const answer = (status: number | undefined, extra: Partial<SmartTokenAnswer> = {}): SmartTokenAnswer => ({
    exchangeId: 'x1',
    requestedScope: 'system/*.read',
    assertion: { jwt: 'j', jti: 'i', exp: 0 },
    ...(status !== undefined ? { status } : { problem: 'refused' }),
    hasRefreshToken: false,
    ...extra,
  });
  test.each([
    [400, 'pass'],
    [401, 'pass'],
    [200, 'fail'],
    [403, 'fail'],
    [500, 'fail'],
    [429, 'skip'],
    [503, 'skip'],
    [undefined, 'skip'],
  ])('a %s answer to an assertion that must be refused: %s', (status, outcome) => {
    expect(refusalVerdict(answer(status), 'an assertion').outcome).toBe(outcome);
  });

  test('names the error code of a refusal and the token of an acceptance', () => {
    expect(refusalVerdict(answer(401, { body: { error: 'invalid_client' } }), 'x').message).toBe(
      'x refused with 401 (invalid_client)',
    );
    expect(refusalVerdict(answer(200, { accessToken: 't' }), 'x').message).toMatch(
      /200 with an access token/,
    );
  });
});

describe('the pre-flight with SMART settings', () => {
  test('a key the server never registered stops the run naming the SMART settings', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'smart-auth-'));
    const { privateKey } = await generateKeyPair('ES384', { extractable: true });
    const keyFile = path.join(dir, 'stranger.jwk');
    writeFileSync(
      keyFile,
      JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'stranger', alg: 'ES384' }),
    );
    const config = loadConfig(
      {
        smartClientId: FULL_CLIENT_ID,
        smartKey: keyFile,
        target: mock.fhirBase,
        profile: 'bulk-data-ig',
        // The pre-flight asks for a token only when checks beyond auth and metadata run.
        grep: 'MANIFEST-REQUEST-URL',
        outDir: dir,
      },
      {},
      dir,
    );
    const { stopped } = await runConformance(config);
    expect(stopped).toMatchObject({ kind: 'credentials' });
    expect(stopped!.message).toMatch(
      /^the target refused the credentials \(--smart-client-id\/--smart-key\): POST http:\/\/.*\/auth\/token answered 40[01]$/,
    );
  });
});
