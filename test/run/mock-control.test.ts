/**
 * A run finds which of this project's mocks offers control (the BCDA mock's, the generic mock's, or
 * none) and speaks only what that control can do.
 */
import { NotApplicable } from '../../src/checks/context';
import { TimeBudget } from '../../src/http/budget';
import { startMock } from '../../src/mock';
import { igContextOf, startIgMock } from '../../src/mock/ig';
import { controlClient, httpControl, offersMockControl } from '../../src/run/mock-control';

const budget = () => new TimeBudget(30_000, 'the test budget');

async function kindAt(url: string) {
  const http = controlClient(url, 'test');
  try {
    return await offersMockControl(http, 5_000, budget());
  } finally {
    await http.close();
  }
}

test('tells the BCDA mock, the generic mock and a mock without control apart', async () => {
  const bcda = await startMock({ port: 0, quiet: true, control: true });
  const generic = await startIgMock({ port: 0, quiet: true, control: true });
  const bare = await startIgMock({ port: 0, quiet: true, control: false });
  try {
    expect(await kindAt(bcda.url)).toBe('bcda');
    expect(await kindAt(generic.url)).toBe('bulk-data-ig');
    expect(await kindAt(bare.url)).toBeUndefined();
  } finally {
    await Promise.all([bcda.close(), generic.close(), bare.close()]);
  }
});

test("the generic mock's control moves its clock, sets job states and refuses, as not applicable, what it cannot do", async () => {
  const generic = await startIgMock({ port: 0, quiet: true, control: true });
  const http = controlClient(generic.url, 'test');
  try {
    const control = httpControl(http, 5_000, budget(), 'bulk-data-ig');
    expect(control.jobIdOf(`${generic.fhirBase}/bulkstatus/abc-123`)).toBe('abc-123');
    expect(control.jobIdOf(`${generic.url}/api/v2/jobs/42`)).toBeUndefined();
    await control.advanceClock(3600);
    expect(igContextOf(generic.app).clock.nowMs() - Date.now()).toBeGreaterThan(3590_000);
    await control.rewindClock(3600);
    await expect(control.rewindClock(1)).rejects.toThrow(/answered 400/);
    await expect(control.setAuthProvider('timeout')).rejects.toBeInstanceOf(NotApplicable);
    await expect(control.forceJobState('abc-123', 'Archived')).rejects.toBeInstanceOf(NotApplicable);
    await expect(control.forceJobState('abc-123', 'Failed')).rejects.toThrow(/answered 404/);
  } finally {
    await http.close();
    await generic.close();
  }
});
