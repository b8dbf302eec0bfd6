import type { ContractVerdict } from '../../src/contract/judge';
import { coverageMatrix } from '../../src/engine/coverage';
import type { Exchange } from '../../src/http/exchange';

function exchange(id: string, operationId: string, status: number): Exchange {
  return {
    id,
    operationId,
    label: 'test',
    request: { method: 'GET', url: 'http://t/_version', headers: {} },
    response: { status, headers: {}, bodyBytes: 0, bodyTruncated: false },
    startedAt: new Date(0).toISOString(),
    durationMs: 1,
  };
}

const verdict = (exchangeId: string, findings: ContractVerdict['findings']): ContractVerdict => ({
  exchangeId,
  operationId: 'getVersion',
  status: 200,
  findings,
  bodyJudged: true,
});

describe('coverageMatrix', () => {
  const exchanges = [
    exchange('x1', 'getVersion', 200),
    exchange('x2', 'getVersion', 200),
    exchange('x3', 'getVersion', 200),
    exchange('x4', 'getVersion', 418),
  ];

  it('counts per cell the answers that broke the contract and those that only showed a known deviation', () => {
    const rows = coverageMatrix(exchanges, 'v1', [
      verdict('x1', []),
      verdict('x2', [{ rule: 'body', message: '/version: must be string' }]),
      verdict('x3', [{ rule: 'headers', message: 'Expires', knownDeviation: 'Go time' }]),
      verdict('x4', [{ rule: 'status', message: '418' }]),
    ]);
    const row = rows.find((r) => r.operationId === 'getVersion');
    expect(row).toMatchObject({
      observed: { '200': 3, '418': 1 },
      undocumented: [418],
      contract: { '200': { broken: 1, deviating: 1 }, '418': { broken: 1, deviating: 0 } },
    });
    // A documented operation no exchange reached has an empty contract record, not none.
    expect(rows.find((r) => r.operationId === 'getHealth')?.contract).toEqual({});
  });

  it('says nothing of the contract when the run did not judge it', () => {
    const row = coverageMatrix(exchanges, 'v1').find((r) => r.operationId === 'getVersion');
    expect(row).not.toHaveProperty('contract');
  });
});
