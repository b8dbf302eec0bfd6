/**
 * The fuzz checks in a run against the embedded mock: on by default there, caught faults named by
 * their shrunk request and curl (never a token), off elsewhere unless --fuzz is given.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type RawSettings } from '../../src/config/config';
import { embeddedFuzzSettings, fuzzKickoffs, EMBEDDED_FUZZ_RUNS } from '../../src/fuzz/embedded';
import { runConformance } from '../../src/run/run-conformance';
import { mockWith, runCheck } from '../checks/separate-mock';

jest.setTimeout(60_000);

async function fuzzRun(settings: RawSettings = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'fuzz-checks-'));
  const config = loadConfig({ grep: 'FUZZ-', outDir: dir, timeoutSeconds: 45, ...settings }, {}, dir);
  const { report } = await runConformance(config);
  return report;
}

describe('the fuzz checks against the embedded mock', () => {
  it('pass on the clean mock, fuzzing by default with the seed in every message', async () => {
    const report = await fuzzRun();
    expect(report.results.map((r) => [r.id, r.outcome])).toEqual([
      ['FUZZ-SERVER-ERROR', 'pass'],
      ['FUZZ-REJECTS-INVALID', 'pass'],
      ['FUZZ-ACCEPTS-VALID', 'pass'],
      ['FUZZ-NO-ECHO', 'pass'],
    ]);
    for (const r of report.results) expect(r.message).toContain(`--fuzz ${EMBEDDED_FUZZ_RUNS} --fuzz-seed 1`);
  });

  it('name the request that gets a 500, with a curl that holds no token', async () => {
    const report = await fuzzRun({ mockFaults: ['fuzz-type-500'] });
    const result = report.results.find((r) => r.id === 'FUZZ-SERVER-ERROR')!;
    expect(result.outcome).toBe('fail');
    expect(result.message).toMatch(
      /exportPatientV2 with .*_type="Patient," answered 500; repeat it with: curl /,
    );
    expect(result.message).toContain('"Authorization: Bearer $BCDA_TOKEN"');
    expect(result.message).not.toMatch(/Bearer ey/);
    expect(result.evidence.length).toBeGreaterThan(0);
  });

  it('skip when --fuzz is 0', async () => {
    const report = await fuzzRun({ fuzz: 0 });
    expect(new Set(report.results.map((r) => r.outcome))).toEqual(new Set(['skip']));
    expect(report.results[0]!.message).toMatch(/fuzzing is off/);
  });
});

describe('against any other target', () => {
  it('fuzzing is off unless --fuzz is given', async () => {
    const mock = await mockWith();
    expect((await runCheck(mock, 'FUZZ-NO-ECHO')).outcome).toBe('skip');
  });
});

describe('embeddedFuzzSettings', () => {
  const config = (settings: RawSettings) => loadConfig(settings, {}, '/nonexistent-cwd');
  it('fuzzes by default and adds what fuzzing needs to the default kick-off budget only', () => {
    expect(embeddedFuzzSettings(config({}))).toEqual({ fuzz: 3, maxKickoffs: 40 + fuzzKickoffs(3) });
    expect(embeddedFuzzSettings(config({ fuzz: 50 }))).toEqual({
      fuzz: 50,
      maxKickoffs: 40 + fuzzKickoffs(50),
    });
    expect(embeddedFuzzSettings(config({ fuzz: 0 }))).toEqual({ fuzz: 0, maxKickoffs: 40 });
    expect(embeddedFuzzSettings(config({ maxKickoffs: 5 }))).toEqual({ fuzz: 3, maxKickoffs: 5 });
  });
});
