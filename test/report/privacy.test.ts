import {
  isSyntheticTarget,
  looksLikeResourceContent,
  protectResourceContent,
} from '../../src/report/privacy';
import { exchange, hostileReport } from './fixture';

const ndjson = '{"resourceType":"Patient","id":"-1","name":[{"family":"Doe"}]}\n';

describe('privacy', () => {
  test('the embedded mock and the public sandbox are synthetic; anything else is not', () => {
    expect(isSyntheticTarget({ target: 'embedded mock', embeddedMock: true })).toBe(true);
    expect(isSyntheticTarget({ target: 'https://sandbox.bcda.cms.gov', embeddedMock: false })).toBe(true);
    expect(isSyntheticTarget({ target: 'https://api.bcda.cms.gov', embeddedMock: false })).toBe(false);
    expect(
      isSyntheticTarget({ target: 'https://sandbox.bcda.cms.gov.evil.example', embeddedMock: false }),
    ).toBe(false);
    expect(isSyntheticTarget({ target: 'not a url', embeddedMock: false })).toBe(false);
  });

  test('recognises resource content: /data bodies, NDJSON, patient resources; not OperationOutcomes', () => {
    const data = exchange('x0001', {
      request: { method: 'GET', url: 'https://h/data/1/a.ndjson', headers: {} },
      response: { status: 200, headers: {}, body: ndjson, bodyBytes: 60, bodyTruncated: false },
    });
    expect(looksLikeResourceContent(data)).toBe(true);
    const bundle = exchange('x0002', {
      response: {
        status: 200,
        headers: { 'content-type': 'application/fhir+json' },
        body: `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"ExplanationOfBenefit"}}]}`,
        bodyBytes: 80,
        bodyTruncated: false,
      },
    });
    expect(looksLikeResourceContent(bundle)).toBe(true);
    expect(looksLikeResourceContent(exchange('x0003'))).toBe(false);
  });

  test('against a real target, resource bodies are dropped and listed; ids and paths remain', () => {
    const base = hostileReport();
    const withData = {
      ...base,
      run: { ...base.run, privacy: undefined },
      exchanges: [
        ...base.exchanges,
        exchange('x0009', {
          request: { method: 'GET', url: 'https://h/data/1/a.ndjson', headers: {} },
          response: { status: 200, headers: {}, body: ndjson, bodyBytes: 60, bodyTruncated: false },
        }),
      ],
    };
    const safe = protectResourceContent(withData, false);
    expect(safe.run.privacy).toEqual({
      syntheticTarget: false,
      includeSamples: false,
      omittedBodies: ['x0009'],
    });
    const x9 = safe.exchanges.find((x) => x.id === 'x0009');
    expect(x9?.response?.body).toBeUndefined();
    expect(x9?.request.url).toBe('https://h/data/1/a.ndjson');
    expect(JSON.stringify(safe)).not.toContain('Doe');
    // The OperationOutcome of x0001 is the service's own message and stays.
    expect(safe.exchanges.find((x) => x.id === 'x0001')?.response?.body).toContain('OperationOutcome');

    const opted = protectResourceContent(withData, true);
    expect(opted.exchanges.find((x) => x.id === 'x0009')?.response?.body).toBe(ndjson);
    expect(opted.run.privacy?.omittedBodies).toEqual([]);

    const mock = protectResourceContent({ ...withData, run: { ...withData.run, embeddedMock: true } }, false);
    expect(mock.exchanges.find((x) => x.id === 'x0009')?.response?.body).toBe(ndjson);
  });
});
