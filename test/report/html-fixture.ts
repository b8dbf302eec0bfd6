/**
 * A run against the embedded mock where one fault breaks the kick-off: three kick-off checks fail
 * with the same answer, the export has no job to follow, and the checks downstream skip, quoting
 * that problem or naming the check they needed. Alongside: a failure of its own, a warning, a known
 * deviation and a skip by design. Values are long (URLs, ids, messages) to test narrow screens.
 * Built on the hostile fixture, so target text still carries `<script>`.
 */
import type { CheckResult, RunReport } from '../../src/engine/results';
import type { Exchange } from '../../src/http/exchange';
import { exchange, hostileReport, PWN } from './fixture';

export const MOCK = 'http://127.0.0.1:41234';
export const PROBLEM = 'the kick-off answered 200, so there is no job to follow';
const LONG_URL = `${MOCK}/api/v2/Group/all/$export?_type=Patient,Coverage,ExplanationOfBenefit&_since=2026-01-01T00:00:00.000Z&_outputFormat=application%2Ffhir%2Bndjson`;

function result(
  id: string,
  outcome: CheckResult['outcome'],
  level: CheckResult['level'],
  area: CheckResult['area'],
  message: string,
  evidence: string[],
  extra: Partial<CheckResult> = {},
): CheckResult {
  return {
    id,
    title: `what ${id.toLowerCase()} checks`,
    description: `What ${id} sends and expects.`,
    level,
    area,
    profiles: ['bcda'],
    refs: ['seed:001 §Start a job (Request header)', 'bulkdata@300', 'bulkdata@301', 'behavior §2.2'],
    requirements: [],
    operations: ['exportGroupV2'],
    startedAt: '2026-01-01T00:00:01.000Z',
    durationMs: 5,
    outcome,
    message,
    evidence,
    ...extra,
  };
}

function kickoff(id: string, url: string, status: number): Exchange {
  return exchange(id, {
    label: `kick-off ${id}`,
    operationId: 'exportGroupV2',
    request: {
      method: 'GET',
      url,
      headers: {
        accept: 'application/fhir+json',
        prefer: 'respond-async',
        authorization: 'Bearer <redacted>',
      },
    },
    response: {
      status,
      headers: { 'content-type': 'application/fhir+json' },
      bodyBytes: 2,
      bodyTruncated: false,
    },
  });
}

export function cascadeReport(): RunReport {
  const base = hostileReport();
  const results: CheckResult[] = [
    result('METADATA-PUBLIC', 'pass', 'MUST', 'metadata', '200 without a token', ['x0001']),
    result('AUTH-NEEDS-SECOND-CLIENT', 'skip', 'MUST', 'auth', 'no second client is configured', []),
    result('KICKOFF-GROUP-ALL-ACCEPTED', 'fail', 'MUST', 'kickoff', 'status 200, expected 202', ['k0002'], {
      expected: 'status 202',
      actual: 'status 200',
    }),
    result('KICKOFF-PATIENT-ACCEPTED', 'fail', 'MUST', 'kickoff', 'status 200, expected 202', ['k0003']),
    result('KICKOFF-TYPE-PATIENT', 'fail', 'MUST', 'kickoff', 'status 200, expected 202', ['k0004']),
    result('STATUS-COMPLETE-200', 'skip', 'MUST', 'status', `the shared export did not finish: ${PROBLEM}`, [
      'k0001',
    ]),
    result(
      'MANIFEST-OUTPUT-ITEMS',
      'skip',
      'MUST',
      'status',
      `the shared export did not finish: ${PROBLEM}`,
      ['k0001'],
    ),
    result('DOWNLOAD-OK', 'skip', 'MUST', 'download', `the shared export did not complete: ${PROBLEM}`, []),
    result(
      'FHIR-SCHEMA',
      'skip',
      'MUST',
      'fhir',
      `no file of the shared export was validated: ${PROBLEM}`,
      [],
    ),
    result('CANCEL-ACCEPTED', 'skip', 'MUST', 'cancel', 'skipped: KICKOFF-PATIENT-ACCEPTED failed', []),
    result('JOBS-FILTER-STATUS', 'fail', 'MUST', 'jobs', `status 404, not a Bundle ${PWN}`, ['k0005']),
    result(
      'STATUS-X-PROGRESS-FORMAT-OF-THE-PROGRESS-HEADER',
      'warn',
      'SHOULD',
      'status',
      `X-Progress was "${'in-progress-'.repeat(12)}" at ${LONG_URL}`,
      ['x0002'],
    ),
    result(
      'JOBS-PENDING-LISTED',
      'warn',
      'SHOULD',
      'jobs',
      'a Pending job is listed as accepted',
      ['k0005'],
      {
        knownDeviation: 'BCDA lists a Pending job as accepted',
      },
    ),
  ];
  const exchanges: Exchange[] = [
    ...base.exchanges,
    kickoff('k0001', `${MOCK}/api/v2/Group/all/$export`, 200),
    kickoff('k0002', `${MOCK}/api/v2/Group/all/$export`, 200),
    kickoff('k0003', `${MOCK}/api/v2/Patient/$export`, 200),
    kickoff('k0004', `${LONG_URL}`, 200),
    exchange('k0005', {
      label: 'list completed jobs',
      operationId: 'listJobsV2',
      request: { method: 'GET', url: `${MOCK}/api/v2/jobs?_status=Completed`, headers: {} },
    }),
  ];
  const counts = { pass: 0, fail: 0, warn: 0, skip: 0, error: 0 };
  for (const r of results) counts[r.outcome] += 1;
  return {
    ...base,
    run: {
      ...base.run,
      target: MOCK,
      embeddedMock: true,
      mockFaults: ['kickoff-200-instead-of-202'],
      mockQuirks: true,
      privacy: { syntheticTarget: true, includeSamples: false, omittedBodies: [] },
    },
    summary: {
      total: results.length,
      counts,
      mustFailures: results.filter((r) => r.level === 'MUST' && r.outcome === 'fail').map((r) => r.id),
      verdict: 'not conformant',
    },
    results,
    exports: [
      {
        name: 'main',
        kickoffExchange: 'k0001',
        kickoffAt: '2026-01-01T00:00:01.000Z',
        polls: [],
        problem: PROBLEM,
        downloads: [],
      },
    ],
    validation: [],
    exchanges,
  };
}
