/** The generic mock's SMART Backend Services token endpoint: what it grants and what it refuses. */
import { FULL, NARROW, assertion, igTestMock, tokenForm, tokenRequest, type IgTestMock } from './helpers';

let m: IgTestMock;
beforeAll(async () => {
  m = await igTestMock();
});
afterAll(() => m.close());

const refused = (status: number, error: string) =>
  expect.objectContaining({
    status,
    body: expect.objectContaining({ error, error_description: expect.any(String) }),
  });

describe('granted scopes', () => {
  it.each([
    [FULL, 'system/*.read', 'system/*.read'],
    [FULL, 'system/Patient.read system/Observation.rs', 'system/Patient.read system/Observation.rs'],
    [NARROW, 'system/Patient.rs', 'system/Patient.rs'],
    [NARROW, 'system/*.read', 'system/Patient.read'],
    [NARROW, 'system/Patient.read system/Observation.read', 'system/Patient.read'],
    [FULL, 'system/Patient.read launch openid', 'system/Patient.read'],
  ])('%s asking %s gets %s', async (clientId, scope, granted) => {
    const res = await tokenRequest(m, { clientId }, scope);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect((res.body as { scope: string }).scope).toBe(granted);
  });

  it('refuses a scope it cannot grant at all with invalid_scope', async () => {
    expect(await tokenRequest(m, { clientId: NARROW }, 'system/Observation.read')).toEqual(
      refused(400, 'invalid_scope'),
    );
    expect(await tokenRequest(m, {}, 'patient/*.read')).toEqual(refused(400, 'invalid_scope'));
    expect(await tokenRequest(m, {}, '')).toEqual(refused(400, 'invalid_scope'));
  });
});

describe('refused assertions (RFC 6749 §5.2 JSON errors)', () => {
  it.each([
    ['an expired assertion', { expIn: -60 }],
    ['an assertion expiring more than five minutes ahead', { expIn: 600 }],
    ['a wrong audience', { aud: 'https://elsewhere.example/token' }],
    ['an unregistered client', { iss: 'who-is-this' }],
    ['an unknown kid', { kid: 'no-such-key' }],
  ])('%s: 401 invalid_client', async (_name, o) => {
    const res = await tokenRequest(m, o);
    expect(res).toEqual(refused(401, 'invalid_client'));
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });

  it('a reused jti: the second use is refused', async () => {
    expect((await tokenRequest(m, { jti: 'once-only' })).status).toBe(200);
    expect(await tokenRequest(m, { jti: 'once-only' })).toEqual(refused(401, 'invalid_client'));
  });

  it("a bad signature, and another client's key", async () => {
    const jwt = await assertion(m);
    const [h, p, s] = jwt.split('.') as [string, string, string];
    const tampered = `${h}.${p}.${s.slice(0, -4)}${s.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    const res = await m.http().post('/auth/token').type('form').send(tokenForm(tampered, 'system/*.read'));
    expect(res).toEqual(refused(401, 'invalid_client'));
    // Signed with the narrow client's key but claiming the full client: the kid is not in its JWKS.
    expect(await tokenRequest(m, { clientId: NARROW, iss: FULL })).toEqual(refused(401, 'invalid_client'));
  });

  it('grant and assertion types, and the form', async () => {
    const form = tokenForm(await assertion(m), 'system/*.read');
    const post = () => m.http().post('/auth/token').type('form');
    expect(await post().send({ ...form, grant_type: 'password' })).toEqual(
      refused(400, 'unsupported_grant_type'),
    );
    expect(await post().send({ ...form, grant_type: undefined })).toEqual(refused(400, 'invalid_request'));
    expect(await post().send({ ...form, client_assertion_type: 'x' })).toEqual(
      refused(401, 'invalid_client'),
    );
    expect(await m.http().post('/auth/token').type('json').send(form)).toEqual(
      refused(400, 'invalid_request'),
    );
  });

  it('access tokens expire after expires_in', async () => {
    const res = await tokenRequest(m);
    const t = (res.body as { access_token: string }).access_token;
    const meta = () => m.http().get('/fhir/Group').set('Authorization', `Bearer ${t}`);
    expect((await meta()).status).toBe(200);
    m.ctx.clock.advance(301);
    const late = await meta();
    expect(late.status).toBe(401);
    expect(late.headers['www-authenticate']).toMatch(/^Bearer/);
  });
});
