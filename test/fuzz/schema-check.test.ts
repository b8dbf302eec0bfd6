import { conforms, decodeValue } from '../../src/fuzz/schema-check';
import { loadFuzzOperations, operationsOfVersion, type FuzzParameter } from '../../src/fuzz/spec';

let params: Map<string, FuzzParameter>;
beforeAll(async () => {
  const ops = operationsOfVersion(await loadFuzzOperations(), 'v2');
  params = new Map(ops.flatMap((op) => op.parameters.map((p) => [`${op.base}:${p.name}`, p])));
});
const schemaOf = (key: string) => params.get(key)!.schema;

describe('the spec as the fuzzer reads it', () => {
  it('has the parameters and headers each v2 operation declares', async () => {
    const ops = operationsOfVersion(await loadFuzzOperations(), 'v2');
    const group = ops.find((o) => o.operationId === 'exportGroupV2')!;
    expect(group.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(
      expect.arrayContaining([
        'path:groupId',
        'header:Accept',
        'header:Prefer',
        'query:_type',
        'query:_since',
      ]),
    );
    expect(group.statuses).toEqual(expect.arrayContaining([202, 400, 429]));
    expect(ops.map((o) => o.version ?? 'none')).not.toContain('v1');
    expect(ops.find((o) => o.operationId === 'downloadFile')?.version).toBeUndefined();
  });
});

describe('conforms', () => {
  it.each([
    ['exportGroup:_type', 'Patient,Coverage', true],
    ['exportGroup:_type', 'Patient,', false],
    ['exportGroup:_type', 'patient', false],
    ['exportGroup:_type', '', false],
    ['exportGroup:_since', '2020-02-13T08:00:00.000-05:00', true],
    ['exportGroup:_since', '2020-02-13', false],
    ['exportGroup:_since', '2020-02-30T00:00:00Z', false],
    ['exportGroup:groupId', 'runout', true],
    ['exportGroup:groupId', 'All', false],
    ['getJobStatus:jobId', '42', true],
    ['getJobStatus:jobId', '0', false],
    ['getJobStatus:jobId', 'abc', false],
    ['getJobStatus:jobId', '9223372036854775807', true],
    ['getJobStatus:jobId', '9223372036854775808', false],
    ['downloadFile:fileName', '00000000-0000-4000-8000-000000000000-error.ndjson', true],
    ['downloadFile:fileName', '../x.ndjson', false],
  ])('%s = %j → %s', (key, raw, expected) => {
    expect(conforms(raw, schemaOf(key))).toBe(expected);
  });

  it('reads a comma-separated array and an integer the way they go on the wire', () => {
    expect(decodeValue('a,,b', { type: 'array', items: { type: 'string' } })).toEqual(['a', '', 'b']);
    expect(decodeValue('12', { type: 'integer' })).toBe(12);
    expect(decodeValue('1e3', { type: 'integer' })).toBe('1e3');
  });
});
