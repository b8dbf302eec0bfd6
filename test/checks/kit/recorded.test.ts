/** Reading back recorded answers: one JSON document or several back to back, cut records, kept ones. */
import { answersTo, jsonDocuments, recordedAnswer, resourceTypeOf } from '../../../src/checks/kit/recorded';
import { fakeContext } from '../fake-context';

describe('jsonDocuments', () => {
  it('reads one document', () => {
    expect(jsonDocuments('{"a":1}')).toEqual([{ a: 1 }]);
    expect(jsonDocuments('[1,2]')).toEqual([[1, 2]]);
  });

  it('reads documents written back to back, even when a string holds "}{"', () => {
    expect(jsonDocuments('{"a":"}{"}{"b":2}')).toEqual([{ a: '}{' }, { b: 2 }]);
    expect(jsonDocuments('{"a":1}{"b":2}{"c":3}')).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }]);
  });

  it('gives up on text that is not JSON, or JSON followed by text', () => {
    expect(jsonDocuments('Not Found')).toBeUndefined();
    expect(jsonDocuments('{"a":1}Not Found')).toBeUndefined();
  });
});

describe('recordedAnswer', () => {
  it('reads a recorded body, and says so when the record was cut short', () => {
    const { ctx, answer } = fakeContext();
    const short = answer({ url: '/api/v2/jobs', status: 200, body: { resourceType: 'Bundle' } });
    const cut = answer({
      url: '/api/v2/jobs',
      status: 200,
      body: { resourceType: 'Bundle' },
      truncated: true,
    });
    expect(recordedAnswer(ctx, short.exchange)?.documents).toEqual([{ resourceType: 'Bundle' }]);
    expect(recordedAnswer(ctx, cut.exchange)).toMatchObject({
      documents: [],
      unreadable: expect.stringContaining('longer than the run records'),
    });
  });

  it('reads a long answer whole when a check kept it', () => {
    const { ctx, answer } = fakeContext();
    const kept = answer(
      { url: '/api/v2/jobs', status: 200, body: { resourceType: 'Bundle' }, truncated: true },
      true,
    );
    expect(recordedAnswer(ctx, kept.exchange)?.documents).toEqual([{ resourceType: 'Bundle' }]);
  });

  it('finds the answers to one operation of the version under test', () => {
    const { ctx, answer } = fakeContext();
    answer({ url: '/api/v2/jobs', operationId: 'listJobsV2', status: 200, body: {} });
    answer({ url: '/api/v1/jobs', operationId: 'listJobsV1', status: 200, body: {} });
    answer({ url: '/api/v2/metadata', operationId: 'getMetadataV2', status: 200, body: {} });
    expect(answersTo(ctx, 'listJobs').map((a) => a.exchange.request.url)).toEqual([
      'http://target.test/api/v2/jobs',
    ]);
  });

  it('names a resourceType only for an object that has one', () => {
    expect(resourceTypeOf({ resourceType: 'Task' })).toBe('Task');
    expect(resourceTypeOf([{ resourceType: 'Task' }])).toBeUndefined();
    expect(resourceTypeOf(null)).toBeUndefined();
  });
});
