/**
 * Chooses the export data generator: the real one in ./data (another module, built against
 * src/mock/data/types.ts) when it is present, else the small fallback below so the server stays
 * usable while the generator is being written.
 */
import { createHash } from 'node:crypto';
import type { ExportDataGenerator, ExportResourceType, ExportSpec, PlannedFile } from './data/types';

let cached: ExportDataGenerator | undefined;

export function loadGenerator(): ExportDataGenerator {
  if (cached) return cached;
  cached = tryRealGenerator() ?? fallbackGenerator;
  return cached;
}

/** True when the real generator module is in use (tests that need real data shapes check it). */
export function usingRealGenerator(): boolean {
  return loadGenerator() !== fallbackGenerator;
}

function tryRealGenerator(): ExportDataGenerator | undefined {
  let mod: Partial<ExportDataGenerator>;
  try {
    // A runtime require: the module may not exist yet, and a static import would not compile.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require('./data/index') as Partial<ExportDataGenerator>;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'MODULE_NOT_FOUND' && /data[\\/]index/.test(e.message)) return undefined;
    throw err;
  }
  if (typeof mod.planExport !== 'function' || typeof mod.fileLines !== 'function') {
    throw new Error('src/mock/data/index does not export planExport and fileLines');
  }
  return { planExport: mod.planExport, fileLines: mod.fileLines };
}

/** Beneficiaries per file, as BCDA batches them (behavior §2.3, getMaxBeneCount). */
const BATCH: Record<ExportResourceType, number> = {
  Patient: 5000,
  Coverage: 4000,
  ExplanationOfBenefit: 50,
  Claim: 4000,
  ClaimResponse: 4000,
  Observation: 5000,
};

function uuidFor(...parts: Array<string | number>): string {
  const h = createHash('sha256').update(parts.join('|')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Minimal deterministic generator: a Patient, a Coverage or an EOB per beneficiary. */
const fallbackGenerator: ExportDataGenerator = {
  planExport(spec: ExportSpec): PlannedFile[] {
    const files: PlannedFile[] = [];
    for (const type of spec.types) {
      for (let start = 0; start < spec.aco.beneficiaries; start += BATCH[type]) {
        const end = Math.min(spec.aco.beneficiaries, start + BATCH[type]);
        const uuid = uuidFor(spec.seed, spec.jobId, type, start);
        files.push({ name: `${uuid}.ndjson`, type, kind: 'output', beneficiaries: [start, end] });
      }
    }
    return files;
  },
  *fileLines(spec: ExportSpec, file: PlannedFile): Iterable<string> {
    const [start, end] = file.beneficiaries;
    const lastUpdated = new Date(spec.transactionTime.getTime() - 86_400_000).toISOString();
    for (let i = start; i < end; i++) {
      const bene = `-${String(10000000000000 + i * 7 + (spec.seed % 7))}`;
      const meta = { lastUpdated };
      if (file.type === 'Patient') {
        yield JSON.stringify({ resourceType: 'Patient', id: bene, meta, gender: i % 2 ? 'female' : 'male' });
      } else if (file.type === 'Coverage') {
        yield JSON.stringify({
          resourceType: 'Coverage',
          id: `part-a${bene}`,
          meta,
          status: 'active',
          beneficiary: { reference: `Patient/${bene}` },
          payor: [{ identifier: { value: 'Centers for Medicare and Medicaid Services' } }],
        });
      } else {
        yield JSON.stringify({
          resourceType: file.type,
          id: `carrier${bene}`,
          meta,
          status: 'active',
          patient: { reference: `Patient/${bene}` },
        });
      }
    }
  },
};
