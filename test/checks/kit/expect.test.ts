import type { HttpResponse } from '../../../src/http/client';
import { errorAnswerProblems, statusProblem } from '../../../src/checks/kit/expect';
import { verdict } from '../../../src/checks/context';

const response = (status: number, headers: Record<string, string> = {}): HttpResponse =>
  ({ status, headers }) as unknown as HttpResponse; // only status and headers are read

describe('statusProblem', () => {
  it('says nothing when the status is one of those expected', () => {
    expect(statusProblem(response(202), [200, 202])).toBeUndefined();
  });

  it('names the status and what was expected', () => {
    expect(statusProblem(response(500), 202)).toBe('status 500, expected 202');
  });

  it('names where a redirect pointed, since the harness does not follow it', () => {
    expect(statusProblem(response(307, { location: 'https://elsewhere.example/x' }), 200)).toBe(
      'status 307 (a redirect to https://elsewhere.example/x, not followed), expected 200',
    );
    expect(statusProblem(response(302), 200)).toBe('status 302, expected 200');
  });
});

describe('errorAnswerProblems', () => {
  const answer = (status: number, body: string): HttpResponse =>
    ({
      status,
      headers: { 'content-type': 'application/fhir+json' },
      text: () => body,
      json: () => {
        try {
          return JSON.parse(body) as unknown;
        } catch {
          return undefined;
        }
      },
      jsonError: () => 'not JSON',
    }) as unknown as HttpResponse; // only status, headers and the body are read
  const outcome = (code: string) =>
    JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code }] });

  it('says nothing for the expected status with an OperationOutcome of the expected code', () => {
    expect(errorAnswerProblems(answer(404, outcome('not-found')), 404, { code: 'not-found' })).toEqual([]);
  });

  it('names only the status when it is wrong, without judging a body meant for another answer', () => {
    expect(errorAnswerProblems(answer(200, '{}'), 404, { code: 'not-found' })).toEqual([
      'status 200, expected 404',
    ]);
  });

  it('names the body problems when the status is right', () => {
    expect(errorAnswerProblems(answer(404, outcome('exception')), 404, { code: 'not-found' })).toEqual([
      'issue[0].code is "exception", expected "not-found"',
    ]);
    expect(errorAnswerProblems(answer(404, 'nope'), 404)).toEqual([
      'the body is not a JSON OperationOutcome (not JSON)',
    ]);
  });

  it('judges a separate body when given one (the first part of a doubled body)', () => {
    const doubled = answer(404, outcome('not-found') + outcome('not-found'));
    expect(errorAnswerProblems(doubled, 404, {}, answer(404, outcome('not-found')))).toEqual([]);
  });
});

describe('verdict', () => {
  it('fails with the problem, citing the evidence', () => {
    expect(verdict('expected 404, got 200', '404', ['e1'])).toEqual({
      outcome: 'fail',
      message: 'expected 404, got 200',
      evidence: ['e1'],
    });
  });

  it('passes with its message when there is no problem', () => {
    expect(verdict(undefined, '404', ['e1'])).toEqual({ outcome: 'pass', message: '404', evidence: ['e1'] });
    expect(verdict('', '404', [])).toMatchObject({ outcome: 'pass' });
  });
});
