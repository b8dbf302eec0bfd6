import { curlFor, shellQuote } from '../../src/report/curl';
import { exchange } from './fixture';

describe('curl', () => {
  test('single-quotes anything, including quotes and $', () => {
    expect(shellQuote(`a'b $HOME`)).toBe(`'a'\\''b $HOME'`);
  });

  test('a bearer request uses $BCDA_TOKEN and keeps the other headers', () => {
    const cmd = curlFor(exchange('x0001'));
    expect(cmd).toBe(
      `curl -sS -i -H 'accept: application/fhir+json' -H 'prefer: respond-async' -H "Authorization: Bearer $BCDA_TOKEN" 'https://bcda.example.org/api/v2/Patient/$export'`,
    );
  });

  test('a token request uses $BCDA_BASIC and sends its body', () => {
    const cmd = curlFor(
      exchange('x0002', {
        label: 'get a bearer token',
        request: {
          method: 'POST',
          url: 'https://bcda.example.org/auth/token',
          headers: {
            authorization: 'Basic <redacted>',
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': '29',
          },
          body: 'grant_type=client_credentials',
        },
      }),
    );
    expect(cmd).toContain('-X POST');
    expect(cmd).toContain('"Authorization: Basic $BCDA_BASIC"');
    expect(cmd).toContain(`--data-raw 'grant_type=client_credentials'`);
    expect(cmd).not.toContain('content-length');
    expect(cmd).not.toContain('<redacted>');
  });

  test('gzip becomes --compressed; deliberately bad credentials get a note', () => {
    const cmd = curlFor(
      exchange('x0003', {
        label: 'jobs (GET) with an expired token',
        request: {
          method: 'GET',
          url: 'https://h/api/v2/jobs',
          headers: { authorization: 'Bearer <redacted>', 'accept-encoding': 'gzip' },
        },
      }),
    );
    expect(cmd).toContain('--compressed');
    expect(cmd.split('\n')[0]).toMatch(/^# the original request sent a deliberately invalid credential/);
  });
});
