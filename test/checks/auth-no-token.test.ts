/**
 * The NO-TOKEN rung of the auth ladder: a protected endpoint refuses a request without a bearer
 * token, whether it carries nothing or only the client's id and secret (seed 001: those buy a token
 * at the token endpoint; BCDA answers any other scheme "Invalid Token").
 */
import { mockWith, runCheck, tokenFrom } from './separate-mock';

jest.setTimeout(60_000);

describe('AUTH-NO-TOKEN-ATTRIBUTION', () => {
  const ID = 'AUTH-NO-TOKEN-ATTRIBUTION';

  test('clean: both requests refused with 401', async () => {
    const result = await runCheck(await mockWith([], false), ID);
    expect(result.outcome).toBe('pass');
    expect(result.message).toMatch(/instead of a token$/);
    expect(result.evidence).toHaveLength(2);
  });

  test('client credentials taken in place of a token: fails on that request alone', async () => {
    const result = await runCheck(await mockWith(['auth-api-accepts-basic-credentials'], false), ID);
    expect(result).toMatchObject({
      outcome: 'fail',
      message:
        'with the client id and secret (as the token endpoint takes them) instead of a token: status 200, expected 401',
    });
  });

  test('with a fixed --token and no secret: only the request without a token is sent', async () => {
    const mock = await mockWith([], false);
    const result = await runCheck(mock, ID, { token: await tokenFrom(mock) });
    expect(result.outcome).toBe('pass');
    expect(result.evidence).toHaveLength(1);
  });
});
