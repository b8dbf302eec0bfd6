/**
 * A check that moves the target's clock (STATUS-EXPIRED-AFTER-24H) against a separately started
 * mock with --control, which other clients may share: with only a fixed --token it skips, since
 * that token would be expired on the moved clock; with credentials it runs on a fresh token; and
 * either way the mock's clock is where it was when the run ends.
 */
import { lead, MAIN as main, mockWith, runCheck as runOne, tokenFrom } from './separate-mock';

jest.setTimeout(60_000);

const CHECK = 'STATUS-EXPIRED-AFTER-24H';
const runCheck = (mock: Parameters<typeof runOne>[0], auth: Parameters<typeof runOne>[2]) =>
  runOne(mock, CHECK, auth);

describe(`${CHECK} against a shared mock with control`, () => {
  test('with only a fixed --token: skipped saying why, and the clock is left where it was', async () => {
    const mock = await mockWith();
    const before = lead(mock);
    const result = await runCheck(mock, { token: await tokenFrom(mock) });
    expect({ outcome: result.outcome, message: result.message }).toEqual({
      outcome: 'skip',
      message: expect.stringMatching(/fixed --token/) as unknown,
    });
    expect(Math.abs(lead(mock) - before)).toBeLessThan(60_000);
  });

  test('with client credentials: passes on a fresh token, and the clock is put back', async () => {
    const mock = await mockWith();
    const before = lead(mock);
    const result = await runCheck(mock, { clientId: main.clientId, clientSecret: main.clientSecret });
    expect({ outcome: result.outcome, message: result.message }).toEqual({
      outcome: 'pass',
      message: expect.stringMatching(/^status 4\d\d, download 4\d\d/) as unknown,
    });
    expect(Math.abs(lead(mock) - before)).toBeLessThan(60_000);
  });

  test.each(['status-expired-200', 'download-available-after-expiry'])(
    'the fault %s still trips it, and the clock is put back',
    async (fault) => {
      const mock = await mockWith([fault]);
      const before = lead(mock);
      const result = await runCheck(mock, { clientId: main.clientId, clientSecret: main.clientSecret });
      expect(result.outcome).toBe('fail');
      expect(Math.abs(lead(mock) - before)).toBeLessThan(60_000);
    },
  );
});
