import { Redactor } from '../../src/http/redaction';
import { retryAfterMs } from '../../src/http/retry-after';

describe('Redactor', () => {
  const secret = 'f9780d323588f1cdfc3e63e95a8cbdcd';
  const r = new Redactor();
  r.addSecret(secret, 'client-secret');

  it('hides registered secrets wherever they appear', () => {
    expect(r.text(`secret=${secret}&x=1`)).toBe('secret=<client-secret>&x=1');
    expect(r.text(`q=${encodeURIComponent(secret)}`)).not.toContain(secret);
  });

  it('redacts every string of a record, however deep, and leaves the rest as it was', () => {
    const record = {
      jobUrl: `https://t.example/jobs/1?echo=${secret}`,
      polls: [{ status: 202, xProgress: `for ${secret}`, at: '2026-01-01T00:00:00Z' }],
      downloads: [{ url: `https://t.example/f?sig=${secret}`, bytes: 10, error: undefined, ok: true }],
      none: null,
    };
    const out = r.deep(record);
    expect(out).toEqual({
      jobUrl: 'https://t.example/jobs/1?echo=<client-secret>',
      polls: [{ status: 202, xProgress: 'for <client-secret>', at: '2026-01-01T00:00:00Z' }],
      downloads: [{ url: 'https://t.example/f?sig=<client-secret>', bytes: 10, error: undefined, ok: true }],
      none: null,
    });
    expect(record.jobUrl).toContain(secret);
  });

  it('hides Authorization credentials, JWTs and access_token values', () => {
    const jwt = 'eyJhbGciOiJSUzUxMiJ9.eyJpc3MiOiJzc2FzIn0.c2lnbmF0dXJl';
    expect(r.text(`Authorization: Bearer ${jwt}`)).not.toContain(jwt);
    expect(r.text('Basic YWJjOmRlZmdoaWpr')).toBe('Basic <redacted>');
    expect(r.text(`{"access_token": "opaque-token-123", "expires_in": "1200"}`)).toBe(
      '{"access_token": "<redacted>", "expires_in": "1200"}',
    );
    expect(r.text(`see ${jwt} here`)).toBe('see <redacted-jwt> here');
  });

  it('keeps the scheme of an Authorization header and drops cookies', () => {
    expect(
      r.headers({ Authorization: 'Bearer abc.def.ghi', Cookie: 'a=b', Accept: 'application/fhir+json' }),
    ).toEqual({
      authorization: 'Bearer <redacted>',
      cookie: '<redacted>',
      accept: 'application/fhir+json',
    });
  });

  it('drops the whole Authorization value when it has no scheme (a bare token is the credential)', () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl';
    expect(r.headers({ Authorization: token })).toEqual({ authorization: '<redacted>' });
    expect(r.headers({ Authorization: `  ${token}  ` })).toEqual({ authorization: '<redacted>' });
    expect(r.headers({ Authorization: `bearer ${token}` })).toEqual({ authorization: 'bearer <redacted>' });
    // A first word too long to be a scheme is not kept either.
    expect(r.headers({ Authorization: `${'x'.repeat(40)} rest` })).toEqual({ authorization: '<redacted>' });
  });
});

describe('retryAfterMs', () => {
  it('reads delta-seconds and HTTP-dates, and ignores anything else', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('5', now)).toBe(5000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(retryAfterMs('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('-3', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});
