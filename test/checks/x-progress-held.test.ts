/**
 * STATUS-X-PROGRESS on a mock with control: besides the run's own polls, a job of its own held
 * Pending must say "Pending", since whether the polls catch a job before it starts is timing, and
 * one held In Progress must report its progress on each of two answers in a row.
 */
import { mockWith, runCheck } from './separate-mock';

jest.setTimeout(60_000);

const ID = 'STATUS-X-PROGRESS';

describe('STATUS-X-PROGRESS with a job held Pending', () => {
  test('clean: passes, the held job among the evidence', async () => {
    const result = await runCheck(await mockWith(), ID);
    expect(result.outcome).toBe('pass');
    expect(result.evidence?.length).toBeGreaterThan(0);
  });

  test('a Pending job answering without X-Progress fails, however the polls fell', async () => {
    const result = await runCheck(await mockWith(['status-pending-no-x-progress']), ID);
    expect(result).toMatchObject({ outcome: 'fail', message: expect.stringMatching(/no X-Progress header/) });
  });

  test('X-Progress on the first answer only: fails, on the held job asked again if no poll showed it', async () => {
    const result = await runCheck(await mockWith(['status-x-progress-first-poll-only']), ID);
    expect(result).toMatchObject({
      outcome: 'fail',
      message: expect.stringMatching(/x\d+: no X-Progress header$/),
    });
  });
});
