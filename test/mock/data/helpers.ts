/** Shared fixtures for the mock data generator tests. */
import { Readable } from 'node:stream';
import { validateNdjson, type FileValidationSummary } from '../../../src/fhir';
import { fileLines, planExport } from '../../../src/mock/data';
import type { AcoProfile, ExportSpec, PlannedFile } from '../../../src/mock/data/types';

export const TRANSACTION_TIME = new Date('2026-03-15T14:30:00.000Z');

export const ACOS: Record<string, AcoProfile> = {
  A9994: { cmsId: 'A9994', beneficiaries: 50, adjudicated: true, partiallyAdjudicated: false },
  A9990: { cmsId: 'A9990', beneficiaries: 2500, adjudicated: true, partiallyAdjudicated: false },
  A9991: { cmsId: 'A9991', beneficiaries: 7500, adjudicated: true, partiallyAdjudicated: false },
  A9992: { cmsId: 'A9992', beneficiaries: 20000, adjudicated: true, partiallyAdjudicated: false },
  A9993: { cmsId: 'A9993', beneficiaries: 30000, adjudicated: true, partiallyAdjudicated: false },
  TEST001: { cmsId: 'TEST001', beneficiaries: 60, adjudicated: true, partiallyAdjudicated: true },
};

export function spec(overrides: Partial<ExportSpec> = {}): ExportSpec {
  return {
    aco: ACOS.A9994!,
    version: 'v2',
    types: ['Patient', 'Coverage', 'ExplanationOfBenefit'],
    runout: false,
    transactionTime: TRANSACTION_TIME,
    seed: 42,
    jobId: 7,
    ...overrides,
  };
}

/** Every line of every file, keyed by file name. */
export function generateAll(s: ExportSpec, plan: PlannedFile[] = planExport(s)): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of plan) out.set(file.name, [...fileLines(s, file)]);
  return out;
}

export type Json = Record<string, unknown> & { resourceType: string; id?: string };

/** Parsed resources of the export's output files. */
export function outputResources(s: ExportSpec): Json[] {
  const out: Json[] = [];
  for (const file of planExport(s)) {
    if (file.kind !== 'output') continue;
    for (const line of fileLines(s, file)) out.push(JSON.parse(line) as Json);
  }
  return out;
}

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Runs the project's streaming validator over every file of an export (BCDA rules, sandbox ids). */
export async function validateExport(s: ExportSpec): Promise<FileValidationSummary[]> {
  const out: FileValidationSummary[] = [];
  for (const file of planExport(s)) {
    const text = [...fileLines(s, file)].join('\n') + '\n';
    out.push(
      await validateNdjson(Readable.from([Buffer.from(text)]), {
        file: file.name,
        kind: file.kind,
        expectedType: file.type,
        apiVersion: s.version,
        sandbox: true,
      }),
    );
  }
  return out;
}
