/**
 * The stateful rules (issue 21) against a separately started mock, as a user would point the tool
 * at one: STATUS-FILES-UNTIL-EXPIRES reads the Expires instant by the target's own clock (even one
 * hours ahead of ours) and puts the clock back; the cancel checks skip saying why where the target
 * offers no job control or no second client is configured.
 */
import { startMock, type MockServer } from '../../src/mock';
import { lead, MAIN_CREDENTIALS, mockWith, runCheck, tokenFrom } from './separate-mock';

jest.setTimeout(60_000);

const UNTIL = 'STATUS-FILES-UNTIL-EXPIRES';

describe(`${UNTIL} against a mock with control`, () => {
  let ahead: MockServer | undefined;
  afterEach(async () => {
    await ahead?.close();
    ahead = undefined;
  });

  test('passes, and the clock is put back', async () => {
    const mock = await mockWith();
    const before = lead(mock);
    const result = await runCheck(mock, UNTIL);
    expect([result.outcome, result.message]).toEqual([
      'pass',
      expect.stringMatching(/^the file downloads 5 minutes before Expires .* answers 404 5 minutes after$/),
    ]);
    expect(Math.abs(lead(mock) - before)).toBeLessThan(60_000);
  });

  test("passes on a mock whose clock runs three hours ahead of ours (Expires read against the answer's Date)", async () => {
    ahead = await startMock({ control: true, quiet: true, clock: { start: Date.now() + 3 * 3_600_000 } });
    const result = await runCheck(ahead, UNTIL);
    expect(result.outcome).toBe('pass');
  });

  test('with only a fixed --token: skipped saying why', async () => {
    const mock = await mockWith();
    const result = await runCheck(mock, UNTIL, { token: await tokenFrom(mock) });
    expect([result.outcome, result.message]).toEqual(['skip', expect.stringMatching(/fixed --token/)]);
  });

  test.each(['files-expire-early', 'expired-files-still-served'])(
    'the fault %s trips it, and the clock is put back',
    async (fault) => {
      const mock = await mockWith([fault]);
      const before = lead(mock);
      const result = await runCheck(mock, UNTIL);
      expect(result.outcome).toBe('fail');
      expect(Math.abs(lead(mock) - before)).toBeLessThan(60_000);
    },
  );
});

describe('the cancel stages where the target cannot be steered', () => {
  test('without control: the completed job is still cancelled and judged; its files after a real cancel cannot be', async () => {
    const mock = await mockWith([], false);
    const kept = await runCheck(mock, 'CANCEL-COMPLETED-KEEPS-JOB');
    expect(kept.outcome).toBe('pass');
    const gone = await runCheck(mock, 'CANCEL-FILES-GONE');
    expect([gone.outcome, gone.message]).toEqual([
      'skip',
      expect.stringMatching(/^the target offers no way to set job states/),
    ]);
  });

  test('without a second client: the other-client cancel is skipped saying why', async () => {
    const mock = await mockWith();
    const result = await runCheck(mock, 'AUTH-OTHER-CLIENT-CANCEL', MAIN_CREDENTIALS);
    expect([result.outcome, result.message]).toEqual([
      'skip',
      expect.stringMatching(/^no second client configured/),
    ]);
  });
});
