import { followsRequestTime } from '../../src/checks/attribution';

/** An attribution_status answer whose last attribution update is `timestamp`, sent at `date`. */
const answer = (timestamp: string, date: string) => ({
  body: { ingestion_dates: [{ type: 'last_attribution_update', timestamp }] },
  headers: { date },
});

describe('followsRequestTime', () => {
  it('accepts the same ingestion time asked twice', () => {
    const first = answer('2026-12-01 02:00:00+00', 'Sun, 06 Dec 2026 19:00:00 GMT');
    const second = answer('2026-12-01 02:00:00+00', 'Sun, 06 Dec 2026 19:00:09 GMT');
    expect(followsRequestTime(first, second)).toBeUndefined();
  });

  it('accepts a new ingestion between the asks that is not the time of both requests', () => {
    const first = answer('2026-12-01 02:00:00+00', 'Sun, 06 Dec 2026 19:00:00 GMT');
    const second = answer('2026-12-06 19:00:08.5+00', 'Sun, 06 Dec 2026 19:00:09 GMT');
    expect(followsRequestTime(first, second)).toBeUndefined();
  });

  it('names a last update that is each request time', () => {
    const first = answer('2026-12-06 19:00:00.12+00', 'Sun, 06 Dec 2026 19:00:00 GMT');
    const second = answer('2026-12-06T19:00:09.3Z', 'Sun, 06 Dec 2026 19:00:09 GMT');
    expect(followsRequestTime(first, second)).toMatch(/is the time of each request/);
  });

  it('cannot tell without a Date header', () => {
    const first = { ...answer('2026-12-06 19:00:00+00', ''), headers: {} };
    expect(
      followsRequestTime(first, answer('2026-12-06 19:00:09+00', 'Sun, 06 Dec 2026 19:00:09 GMT')),
    ).toBeUndefined();
  });
});
