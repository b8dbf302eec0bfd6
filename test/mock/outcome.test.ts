/**
 * BCDA's v3 error writer sends `details: {}` for an error without a message, which FHIR JSON does
 * not allow: the default mock (the documents) leaves details out, --quirks (the real server) keeps it.
 */
import { startMock, type MockServer } from '../../src/mock';
import { operationOutcome } from '../../src/mock/outcome';
import { basicFor } from './helpers';

describe('operationOutcome', () => {
  test('v3 without a message: no details unless the real writer is asked for', () => {
    expect(JSON.parse(operationOutcome('v3', 'not-found')).issue[0]).toEqual({
      severity: 'error',
      code: 'not-found',
    });
    expect(
      JSON.parse(operationOutcome('v3', 'not-found', '', { emptyDetails: true })).issue[0].details,
    ).toEqual({});
    expect(JSON.parse(operationOutcome('v3', 'not-found', 'gone')).issue[0].details).toEqual({
      text: 'gone',
    });
  });
});

describe.each([
  [false, undefined],
  [true, {}],
])('a v3 error answer without a message (quirks %s)', (quirks, details) => {
  let server: MockServer;
  beforeAll(async () => {
    server = await startMock({ quirks });
  });
  afterAll(() => server.close());

  test(`carries details ${JSON.stringify(details)}`, async () => {
    const token = await fetch(`${server.url}/auth/token`, {
      method: 'POST',
      headers: { Authorization: basicFor('A9994') },
    });
    const { access_token } = (await token.json()) as { access_token: string };
    // An unknown job: the status route's 404 has no message.
    const res = await fetch(`${server.url}/api/v3/jobs/987654321`, {
      headers: { Authorization: `Bearer ${access_token}` },
    });
    expect(res.status).toBe(404);
    const issue = ((await res.json()) as { issue: Array<Record<string, unknown>> }).issue[0]!;
    expect(issue.details).toEqual(details);
  });
});
