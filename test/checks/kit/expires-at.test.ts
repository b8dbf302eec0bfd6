import { expiresAtMs, expiryOf } from '../../../src/checks/kit/expires-at';
import type { HttpResponse } from '../../../src/http/client';

const answer = (headers: Record<string, string>, startedAt = '2026-03-10T12:00:05.000Z') =>
  ({ headers, exchange: { startedAt } }) as unknown as HttpResponse;

describe('expiresAtMs', () => {
  test.each([
    ['Wed, 11 Mar 2026 12:00:00 GMT', '2026-03-11T12:00:00.000Z'],
    // The real server's Go time strings: fraction of any length, or none, and a zone offset.
    ['2026-03-11 12:00:00.123456789 +0000 UTC', '2026-03-11T12:00:00.123Z'],
    ['2026-03-11 12:00:00.5 +0000 UTC', '2026-03-11T12:00:00.500Z'],
    ['2026-03-11 12:00:00 +0000 UTC', '2026-03-11T12:00:00.000Z'],
    ['2026-03-11 07:00:00 -0500 EST', '2026-03-11T12:00:00.000Z'],
  ])('%s is %s', (value, iso) => {
    expect(expiresAtMs(value)).toBe(Date.parse(iso));
  });

  test.each([undefined, '', 'tomorrow', '2026-03-11T12:00:00Z', '0'])('%p is not read', (value) => {
    expect(expiresAtMs(value)).toBeUndefined();
  });
});

describe('expiryOf', () => {
  test("counts the lifetime from the answer's Date, the target's own clock", () => {
    const reading = expiryOf(
      answer({ expires: 'Wed, 11 Mar 2026 14:00:00 GMT', date: 'Tue, 10 Mar 2026 14:00:00 GMT' }),
    );
    expect(reading).toEqual({
      expiresAtMs: Date.parse('2026-03-11T14:00:00Z'),
      lifetimeMs: 24 * 3_600_000,
      fromDateHeader: true,
    });
  });

  test('without a Date header, from when the request was sent by our clock', () => {
    const reading = expiryOf(answer({ expires: 'Wed, 11 Mar 2026 12:00:05 GMT' }));
    expect(reading).toMatchObject({ lifetimeMs: 24 * 3_600_000, fromDateHeader: false });
  });

  test('says why when there is no Expires it can read', () => {
    expect(expiryOf(answer({}))).toBe('the completed answer carries no Expires header');
    expect(expiryOf(answer({ expires: 'soon' }))).toMatch(/^Expires "soon" is neither/);
  });
});
