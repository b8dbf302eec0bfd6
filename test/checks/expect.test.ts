import type { HttpResponse } from '../../src/http/client';
import { statusProblem } from '../../src/checks/expect';

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
