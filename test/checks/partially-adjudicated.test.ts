/**
 * EXPORT-PARTIALLY-ADJUDICATED against the mock's entitled organization (TEST001): its default v2
 * export lists Claim and ClaimResponse files, and those files serve data (seed 001: v2 serves
 * partially adjudicated claims data to the organizations entitled to it).
 */
import { BUILT_IN_CREDENTIALS } from '../../src/mock/credentials';
import { MAIN_CREDENTIALS, mockWith, runCheck } from './separate-mock';

jest.setTimeout(60_000);

const ID = 'EXPORT-PARTIALLY-ADJUDICATED';
const ENTITLED = BUILT_IN_CREDENTIALS.find((c) => c.cmsId === 'TEST001')!;
const WITH_ENTITLED = {
  ...MAIN_CREDENTIALS,
  partiallyAdjudicatedClientId: ENTITLED.clientId,
  partiallyAdjudicatedClientSecret: ENTITLED.clientSecret,
};

describe(ID, () => {
  test('without an entitled client: skipped', async () => {
    expect((await runCheck(await mockWith([], false), ID)).outcome).toBe('skip');
  });

  test('clean: both types listed, each with resources', async () => {
    const result = await runCheck(await mockWith([], false), ID, WITH_ENTITLED);
    expect(result.outcome).toBe('pass');
  });

  test('files listed but empty: fails, naming each type', async () => {
    const result = await runCheck(
      await mockWith(['partially-adjudicated-files-empty'], false),
      ID,
      WITH_ENTITLED,
    );
    expect(result).toMatchObject({
      outcome: 'fail',
      message:
        'the 1 Claim file(s) listed hold no resource; the 1 ClaimResponse file(s) listed hold no resource',
    });
  });
});
