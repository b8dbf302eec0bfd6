/**
 * A small, hand-made RunReport whose target data is hostile: `<script>` in messages, headers,
 * bodies, validation messages and X-Progress. Used by the HTML unit tests and the browser test.
 */
import type { CheckResult, RunReport } from '../../src/engine/results';
import type { Exchange } from '../../src/http/exchange';
import { RULE } from '../../src/fhir';

export const PWN = '<script>window.__pwned=1</script>';
export const PWN_ATTR = '"><img src=x onerror="window.__pwned=2">';

function check(
  id: string,
  outcome: CheckResult['outcome'],
  level: CheckResult['level'],
  area: CheckResult['area'],
  extra: Partial<CheckResult> = {},
): CheckResult {
  return {
    id,
    title: `title of ${id}`,
    description: `What ${id} sends and expects.`,
    level,
    area,
    profiles: ['bcda'],
    refs: ['seed:001 §Start a job', 'bulkdata@300', 'behavior §2.2'],
    requirements: [],
    operations: ['exportPatientV2'],
    startedAt: '2026-01-01T00:00:01.000Z',
    durationMs: 12,
    outcome,
    message: `message of ${id}`,
    evidence: ['x0001'],
    ...extra,
  };
}

export function exchange(id: string, extra: Partial<Exchange> = {}): Exchange {
  return {
    id,
    label: `request ${id}`,
    operationId: 'exportPatientV2',
    request: {
      method: 'GET',
      url: 'https://bcda.example.org/api/v2/Patient/$export',
      headers: {
        accept: 'application/fhir+json',
        prefer: 'respond-async',
        authorization: 'Bearer <redacted>',
      },
    },
    response: {
      status: 400,
      headers: { 'content-type': 'application/fhir+json', 'x-evil': PWN },
      body: `{"resourceType":"OperationOutcome","issue":[{"diagnostics":"${PWN.replace(/"/g, '\\"')}"}]}`,
      bodyBytes: 90,
      bodyTruncated: false,
    },
    startedAt: '2026-01-01T00:00:01.000Z',
    headersMs: 5,
    durationMs: 9,
    ...extra,
  };
}

export function hostileReport(): RunReport {
  const results: CheckResult[] = [
    check('KICKOFF-PATIENT-ACCEPT-MISSING', 'fail', 'MUST', 'kickoff', {
      message: `status 202, expected 400 ${PWN}`,
      actual: PWN_ATTR,
    }),
    check('KICKOFF-PATIENT-PREFER-MISSING', 'pass', 'MUST', 'kickoff'),
    check('STATUS-X-PROGRESS', 'warn', 'SHOULD', 'status', { evidence: ['x0002', 'x0003'] }),
    check('DOWNLOAD-GZIP', 'skip', 'MAY', 'download', { evidence: [] }),
    check('METADATA-PUBLIC', 'error', 'MUST', 'metadata', { title: `title with ${PWN}` }),
    check('AUTH-TOKEN-SUCCESS', 'pass', 'MUST', 'auth', { knownDeviation: `quirk ${PWN}` }),
  ];
  const exchanges: Exchange[] = [
    exchange('x0001'),
    exchange('x0002', {
      label: 'poll the main export',
      operationId: 'getJobStatusV2',
      request: {
        method: 'GET',
        url: 'https://bcda.example.org/api/v2/jobs/7',
        headers: { authorization: 'Bearer <redacted>' },
      },
      response: { status: 202, headers: { 'x-progress': PWN }, bodyBytes: 0, bodyTruncated: false },
    }),
    exchange('x0003', {
      label: 'download output file (Patient)',
      operationId: 'downloadFile',
      request: {
        method: 'GET',
        url: 'https://bcda.example.org/data/7/abc.ndjson',
        headers: { authorization: 'Bearer <redacted>', 'accept-encoding': 'gzip' },
      },
      response: {
        status: 200,
        headers: { 'content-type': 'application/fhir+ndjson' },
        bodyBytes: 1234,
        bodyTruncated: false,
      },
    }),
    exchange('x0004', { response: undefined, error: `connection reset ${PWN}` }),
  ];
  return {
    schemaVersion: '1.0.0',
    tool: { name: 'bcda-conformance', version: '0.0.0-test' },
    run: {
      target: `https://bcda.example.org/${PWN}`,
      embeddedMock: false,
      apiVersion: 'v2',
      profile: 'bcda',
      group: 'all',
      suites: ['metadata', 'auth', 'kickoff', 'status', 'download'],
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:09.000Z',
      durationMs: 9000,
      requests: 4,
      kickoffs: 1,
      jobsStarted: 1,
      maxKickoffs: 40,
      mockFaults: [],
      mockQuirks: false,
      privacy: { syntheticTarget: false, includeSamples: false, omittedBodies: ['x0003'] },
    },
    summary: {
      total: results.length,
      counts: { pass: 2, fail: 1, warn: 1, skip: 1, error: 1 },
      mustFailures: ['KICKOFF-PATIENT-ACCEPT-MISSING', 'METADATA-PUBLIC'],
      verdict: 'not conformant',
    },
    results,
    coverage: [
      {
        operationId: 'exportPatientV2',
        method: 'GET',
        path: '/api/v2/Patient/$export',
        documented: [202, 400, 401],
        observed: { '400': 2, '418': 1 },
        undocumented: [418],
      },
      {
        operationId: 'getJobStatusV2',
        method: 'GET',
        path: '/api/v2/jobs/{jobId}',
        documented: [200, 202],
        observed: { '202': 1 },
        undocumented: [],
      },
    ],
    validation: [
      {
        file: 'https://bcda.example.org/data/7/abc.ndjson',
        kind: 'output',
        bytes: 1234,
        lines: 3,
        validatedLines: 3,
        invalidLines: 1,
        countsByType: { Patient: 3 },
        firstFailingLine: 2,
        issues: [
          {
            file: 'https://bcda.example.org/data/7/abc.ndjson',
            line: 2,
            path: 'Patient.name[0].family',
            message: `bad value ${PWN}`,
            ruleId: RULE.schema,
            severity: 'error',
          },
        ],
        issuesDropped: 0,
      },
    ],
    exports: [
      {
        name: `main ${PWN}`,
        jobUrl: 'https://bcda.example.org/api/v2/jobs/7',
        kickoffExchange: 'x0001',
        kickoffAt: '2026-01-01T00:00:01.000Z',
        polls: [
          { exchangeId: 'x0002', status: 202, at: '2026-01-01T00:00:02.000Z', xProgress: PWN },
          { exchangeId: 'x0002', status: 200, at: '2026-01-01T00:00:04.000Z' },
        ],
        finalExchange: 'x0002',
        downloads: [
          {
            url: 'https://bcda.example.org/data/7/abc.ndjson',
            type: 'Patient',
            kind: 'output',
            exchangeId: 'x0003',
            status: 200,
            bytes: 1234,
            wireBytes: 600,
            startedAt: '2026-01-01T00:00:04.500Z',
            durationMs: 300,
          },
        ],
      },
    ],
    exchanges,
  };
}
