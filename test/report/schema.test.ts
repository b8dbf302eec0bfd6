import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { AREAS } from '../../src/core/vocabulary';
import { REPORT_SCHEMA_VERSION } from '../../src/engine/results';
import { hostileReport } from './fixture';

const schema = JSON.parse(readFileSync(path.join(__dirname, '../../spec/report.schema.json'), 'utf8')) as {
  $id: string;
};

describe('spec/report.schema.json', () => {
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats(ajv);
  const validate = ajv.compile(schema);

  test('carries the version the engine writes', () => {
    expect(schema.$id).toBe(`urn:bcda-conformance:report-schema:${REPORT_SCHEMA_VERSION}`);
  });

  test('names every area of the catalog, in order', () => {
    const areas = (schema as unknown as { definitions: { area: { enum: string[] } } }).definitions.area.enum;
    expect(areas).toEqual([...AREAS]);
  });

  test('accepts a complete report, including run.privacy and a transport failure', () => {
    validate(hostileReport());
    expect(validate.errors ?? []).toEqual([]);
  });

  test.each([
    [
      'an unknown outcome',
      (r: Record<string, unknown>) => ({
        ...r,
        results: [{ ...(r.results as object[])[0], outcome: 'maybe' }],
      }),
    ],
    ['a missing summary', (r: Record<string, unknown>) => ({ ...r, summary: undefined })],
    [
      'an evidence id that is not an exchange id',
      (r: Record<string, unknown>) => ({
        ...r,
        results: [{ ...(r.results as object[])[0], evidence: ['token'] }],
      }),
    ],
    ['another major version', (r: Record<string, unknown>) => ({ ...r, schemaVersion: '2.0.0' })],
    ['an unknown top-level field', (r: Record<string, unknown>) => ({ ...r, secrets: [] })],
  ])('rejects %s', (_name, change) => {
    const report = JSON.parse(JSON.stringify(hostileReport())) as Record<string, unknown>;
    expect(validate(JSON.parse(JSON.stringify(change(report))))).toBe(false);
  });
});
