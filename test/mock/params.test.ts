import { goTimeString, httpDate, rfc3339Nano } from '../../src/mock/formats';
import { DAY_MS, jobState, type Job } from '../../src/mock/jobs';
import { QueryParams, checkExportHeaders, parseInstant } from '../../src/mock/params';

describe('parseInstant (Go RFC3339Nano)', () => {
  it.each([
    ['2020-02-13T08:00:00Z', '2020-02-13T08:00:00.000Z'],
    ['2020-02-13T08:00:00.000-05:00', '2020-02-13T13:00:00.000Z'],
    ['2024-02-29T23:59:59.123456789+01:00', '2024-02-29T22:59:59.123Z'],
  ])('accepts %s', (text, iso) => {
    expect(parseInstant(text)?.toISOString()).toBe(iso);
  });

  it.each([
    '2020-02-13',
    '2020-02-13T08:00:00',
    '2020-02-30T00:00:00Z',
    '2021-02-29T00:00:00Z',
    '2020-13-01T00:00:00Z',
    '2020-01-01T24:00:00Z',
    '2020-01-01T00:00:00+25:00',
    '2020-01-01 00:00:00Z',
    '123invalid',
    '',
  ])('rejects %j', (text) => {
    expect(parseInstant(text)).toBeUndefined();
  });
});

describe('QueryParams', () => {
  it('decodes like Go url.Query(): + is a space, repeats kept, ?-keys kept', () => {
    const q = new QueryParams('/x?_type=A&_type=B&_since=2020-01-01T00:00:00+05:00&?bad=1');
    expect(q.all('_type')).toEqual(['A', 'B']);
    expect(q.first('_since')).toBe('2020-01-01T00:00:00 05:00');
    expect(q.pairs.some(([k]) => k === '?bad')).toBe(true);
    expect(new QueryParams('/x').pairs).toEqual([]);
  });

  it('reads a repeated parameter as its first value, or all values comma-joined (the IG)', () => {
    const q = new QueryParams('/x?_type=Patient&_type=Coverage');
    expect(q.value('_type', false)).toBe('Patient');
    expect(q.value('_type', true)).toBe('Patient,Coverage');
    expect(q.value('_since', true)).toBeUndefined();
  });
});

describe('checkExportHeaders', () => {
  it('reads multi-valued headers and skips checks a fault turns off', () => {
    expect(
      checkExportHeaders({ accept: ['text/html', 'application/fhir+json'], prefer: 'respond-async' }),
    ).toBeUndefined();
    expect(checkExportHeaders({ prefer: 'respond-async' })?.error).toBe('Accept header is required');
    expect(checkExportHeaders({ prefer: 'respond-async' }, { skipAccept: true })).toBeUndefined();
  });
});

describe('formats', () => {
  const d = new Date('2026-08-22T15:02:15.120Z');
  it('writes HTTP-dates, Go time strings and RFC3339', () => {
    expect(httpDate(d)).toBe('Sat, 22 Aug 2026 15:02:15 GMT');
    expect(goTimeString(d)).toBe('2026-08-22 15:02:15.12 +0000 UTC');
    expect(goTimeString(new Date('2026-08-22T15:02:15.000Z'))).toBe('2026-08-22 15:02:15 +0000 UTC');
    expect(rfc3339Nano(d)).toBe('2026-08-22T15:02:15.12Z');
  });
});

describe('jobState', () => {
  const job = { createdAtMs: 0, durationMs: 2000, willFail: false } as Job;
  it('walks the lifecycle on the clock', () => {
    expect(jobState(job, 0).status).toBe('Pending');
    expect(jobState(job, 1000)).toMatchObject({ status: 'In Progress', percent: 33 });
    expect(jobState(job, 2000)).toMatchObject({ status: 'Completed', updatedAtMs: 2000 });
    expect(jobState(job, 2000 + DAY_MS)).toMatchObject({ status: 'Archived', updatedAtMs: 2000 + DAY_MS });
    expect(jobState(job, 2000 + 5 * DAY_MS).status).toBe('Expired');
    expect(jobState({ ...job, willFail: true }, 600).status).toBe('Failed');
    expect(
      jobState({ ...job, override: { status: 'Cancelled', atMs: 10, sticky: false } }, 10 + DAY_MS).status,
    ).toBe('CancelledExpired');
    expect(
      jobState({ ...job, override: { status: 'Completed', atMs: 10, sticky: true } }, 10 + 9 * DAY_MS).status,
    ).toBe('Completed');
  });
});
