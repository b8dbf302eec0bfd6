/**
 * The FHIR resources the server answers with (CapabilityStatement, error OperationOutcomes, job-list
 * Bundles), validated against FHIR R4 on every answer the run recorded, whichever check asked.
 */
import { bcdaOutcomeProblems, fhirChecks } from '../../src/checks/fhir';
import { recordedAnswer } from '../../src/checks/kit/recorded';
import { fakeContext } from './fake-context';

const byId = (id: string) => {
  const check = fhirChecks.find((c) => c.id === id);
  if (!check) throw new Error(`no check ${id}`);
  return check;
};

const outcome = (issue: Record<string, unknown>) => ({
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code: 'not-found', ...issue }],
});

const V2_DETAILS = (text: string) => ({
  coding: [
    { system: 'http://hl7.org/fhir/ValueSet/operation-outcome', code: 'Request Error', display: text },
  ],
  text,
});

describe('FHIR-OPERATIONOUTCOME-VALID', () => {
  const check = byId('FHIR-OPERATIONOUTCOME-VALID');

  it('skips when the run recorded no error OperationOutcome', async () => {
    const { ctx, answer } = fakeContext();
    answer({ url: '/api/v2/jobs/1', status: 202 });
    answer({
      url: '/auth/token',
      status: 401,
      body: 'Unauthorized',
      headers: { 'content-type': 'text/plain' },
    });
    expect((await check.run(ctx)).outcome).toBe('skip');
  });

  it('fails naming the answer and the path of an element R4 does not define', async () => {
    const { ctx, answer } = fakeContext();
    answer({ url: '/api/v2/jobs/0', status: 404, body: outcome({}) });
    const bad = answer({
      url: '/api/v2/jobs/7',
      status: 500,
      label: 'status of a failed job',
      body: outcome({ errType: 'Request Error' }),
    });
    const out = await check.run(ctx);
    expect(out).toMatchObject({
      outcome: 'fail',
      message: `${bad.exchange.id} (status of a failed job): OperationOutcome.issue[0].errType is not an element of this type`,
      evidence: [bad.exchange.id],
    });
  });

  it('judges every document of a doubled body', async () => {
    const { ctx, answer } = fakeContext();
    answer({
      url: '/api/v2/jobs/3',
      status: 404,
      body: JSON.stringify(outcome({})) + JSON.stringify(outcome({ code: 'nope' })),
    });
    const out = await check.run(ctx);
    expect(out.outcome).toBe('fail');
    expect(out.message).toContain('OperationOutcome.issue[0].code must be one of');
  });

  it("reports BCDA's empty v3 details as a known deviation, not a failure", async () => {
    const { ctx, answer } = fakeContext({ version: 'v3' });
    answer({ url: '/api/v3/jobs/0', status: 404, body: outcome({ details: {} }) });
    const out = await check.run(ctx);
    expect(out).toMatchObject({ outcome: 'warn', knownDeviation: expect.stringContaining('details is {}') });
  });
});

describe('FHIR-OPERATIONOUTCOME-BCDA-SHAPE', () => {
  it('accepts the writers of behavior §1 by request path', () => {
    const { ctx, answer } = fakeContext();
    const v2 = answer({
      url: '/api/v2/jobs/1',
      status: 404,
      body: outcome({
        diagnostics: 'Job has been cancelled.',
        details: V2_DETAILS('Job has been cancelled.'),
      }),
    });
    const v3 = answer({
      url: '/api/v3/jobs/1',
      status: 404,
      body: outcome({ diagnostics: 'x', details: { text: 'x' } }),
    });
    const v3Empty = answer({ url: '/api/v3/jobs/0', status: 404, body: outcome({ details: {} }) });
    // The valid R4 form of the same answer (the default mock): no message, no details.
    const v3None = answer({ url: '/api/v3/jobs/00', status: 404, body: outcome({}) });
    const data = answer({
      url: '/data/1/x.ndjson',
      status: 404,
      body: outcome({ diagnostics: 'Job not found' }),
    });
    for (const res of [v2, v3, v3Empty, v3None, data]) {
      const a = recordedAnswer(ctx, res.exchange)!;
      expect([a.exchange.request.url, bcdaOutcomeProblems(a.documents[0], a)]).toEqual([
        a.exchange.request.url,
        [],
      ]);
    }
  });

  it('names what departs: the media type, the issue count, the details of the version', () => {
    const { ctx, answer } = fakeContext();
    const res = answer({
      url: '/api/v2/jobs/1',
      status: 500,
      headers: { 'content-type': 'application/json' },
      body: {
        resourceType: 'OperationOutcome',
        issue: [
          { severity: 'error', code: 'exception', diagnostics: 'x' },
          { severity: 'warning', code: 'informational' },
        ],
      },
    });
    const a = recordedAnswer(ctx, res.exchange)!;
    const v3 = recordedAnswer(
      ctx,
      answer({ url: '/api/v3/jobs/1', status: 404, body: outcome({ diagnostics: 'x' }) }).exchange,
    )!;
    expect(bcdaOutcomeProblems(v3.documents[0], v3)).toEqual(['v3 issue[0].details is missing']);
    expect(bcdaOutcomeProblems(a.documents[0], a)).toEqual([
      'served as "application/json", not application/fhir+json',
      '2 issues, BCDA writes one',
      'v2 issue[0].details has no operation-outcome coding "Request Error"',
    ]);
  });

  it('warns (SHOULD) and skips when there is nothing', async () => {
    const check = byId('FHIR-OPERATIONOUTCOME-BCDA-SHAPE');
    const none = fakeContext();
    expect((await check.run(none.ctx)).outcome).toBe('skip');
    const { ctx, answer } = fakeContext();
    answer({ url: '/api/v2/jobs/1', status: 404, body: outcome({ diagnostics: 'x' }) });
    expect((await check.run(ctx)).outcome).toBe('warn');
  });
});

describe('FHIR-CAPABILITYSTATEMENT-VALID and FHIR-JOBS-BUNDLE-VALID', () => {
  const statement = {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2024-09-09T13:35:05+00:00',
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['application/json', 'application/fhir+json'],
    // cpb-2 and cpb-14: an instance statement names its implementation.
    implementation: { description: 'BCDA', url: 'https://sandbox.bcda.cms.gov' },
    rest: [{ mode: 'server' }],
  };

  it('pass a valid CapabilityStatement and fail an STU3 element in it', async () => {
    const check = byId('FHIR-CAPABILITYSTATEMENT-VALID');
    const good = fakeContext({ once: { metadata: undefined } });
    good.answer({ url: '/api/v2/metadata', operationId: 'getMetadataV2', status: 200, body: statement });
    expect((await check.run(good.ctx)).outcome).toBe('pass');
    const bad = fakeContext({ once: { metadata: undefined } });
    bad.answer({
      url: '/api/v2/metadata',
      operationId: 'getMetadataV2',
      status: 200,
      body: { ...statement, acceptUnknown: 'extensions' },
    });
    expect(await check.run(bad.ctx)).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('CapabilityStatement.acceptUnknown is not an element of this type'),
    });
  });

  it('skips the CapabilityStatement when no metadata answer was recorded', async () => {
    const check = byId('FHIR-CAPABILITYSTATEMENT-VALID');
    expect((await check.run(fakeContext({ once: { metadata: undefined } }).ctx)).outcome).toBe('skip');
  });

  it('validate the Tasks inside every job-list Bundle', async () => {
    const check = byId('FHIR-JOBS-BUNDLE-VALID');
    expect((await check.run(fakeContext().ctx)).outcome).toBe('skip');
    const { ctx, answer } = fakeContext();
    const task = {
      resourceType: 'Task',
      status: 'completed',
      intent: 'order',
      executionPeriod: { start: '2021-08-13 00:07:48 +0000 UTC' },
    };
    answer({
      url: '/api/v2/jobs?_status=Completed',
      operationId: 'listJobsV2',
      status: 200,
      body: { resourceType: 'Bundle', type: 'searchset', total: 1, entry: [{ resource: task }] },
    });
    expect(await check.run(ctx)).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining(
        'Bundle.entry[0].resource.executionPeriod.start is not a valid FHIR dateTime',
      ),
    });
  });

  it('count, and never guess at, a job list cut short in the record', async () => {
    const check = byId('FHIR-JOBS-BUNDLE-VALID');
    const { ctx, answer } = fakeContext();
    answer({
      url: '/api/v2/jobs',
      operationId: 'listJobsV2',
      status: 200,
      body: { resourceType: 'Bundle', type: 'searchset', total: 0 },
      truncated: true,
    });
    expect(await check.run(ctx)).toMatchObject({
      outcome: 'skip',
      message: expect.stringContaining('1 answer(s) not read'),
    });
  });
});
