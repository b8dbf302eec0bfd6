import { readExpiresIn, TokenCache } from '../../src/auth/token-cache';

describe('TokenCache', () => {
  function cache(lifetimeMs: number) {
    let clock = 0;
    let fetched = 0;
    const tokens = new TokenCache(
      async () => ({ value: `t${++fetched}`, lifetimeMs }),
      () => clock,
    );
    return { tokens, fetches: () => fetched, advance: (ms: number) => (clock += ms) };
  }

  it('asks once for callers that wait together, then keeps the token', async () => {
    const c = cache(1_200_000);
    expect(await Promise.all([c.tokens.get(), c.tokens.get(), c.tokens.get()])).toEqual(['t1', 't1', 't1']);
    c.advance(1_000_000);
    expect(await c.tokens.get()).toBe('t1');
    expect(c.fetches()).toBe(1);
  });

  it('asks again a minute before a 20-minute token expires', async () => {
    const c = cache(1_200_000);
    await c.tokens.get();
    c.advance(1_140_000);
    expect(await c.tokens.get()).toBe('t2');
  });

  it('keeps a short-lived token for four fifths of its life, not zero', async () => {
    const c = cache(30_000);
    await c.tokens.get();
    c.advance(23_000);
    expect(await c.tokens.get()).toBe('t1');
    c.advance(1_000);
    expect(await c.tokens.get()).toBe('t2');
  });

  it('forgets the token on demand', async () => {
    const c = cache(1_200_000);
    await c.tokens.get();
    c.tokens.forget();
    expect(await c.tokens.get()).toBe('t2');
  });
});

describe('readExpiresIn', () => {
  it.each([
    [1200, { type: 'number', seconds: 1200 }],
    ['1200', { type: 'string', seconds: 1200 }],
    [undefined, { type: 'missing' }],
    [0, { type: 'number' }],
    ['soon', { type: 'string' }],
    [true, { type: 'other' }],
    [null, { type: 'other' }],
  ])('%p', (raw, read) => expect(readExpiresIn(raw)).toEqual(read));
});
