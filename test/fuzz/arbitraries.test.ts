/**
 * The generated values keep their promises: in-schema values are inside the schema and documented
 * as accepted, out-of-schema values are outside it or documented as refused, and nothing the
 * documents leave open (or a DELETE could misread as a real job) is ever generated.
 */
import fc from 'fast-check';
import {
  breakersOf,
  inSchemaValues,
  isIn,
  isOut,
  outOfSchemaValues,
  rulesOf,
  transportable,
} from '../../src/fuzz/arbitraries';
import type { RefinementContext } from '../../src/fuzz/refinements';
import { hasToken, instantText } from '../../src/fuzz/refinements';
import { loadFuzzOperations, operationsOfVersion, type FuzzOperation } from '../../src/fuzz/spec';
import { API_VERSIONS } from '../../src/core/vocabulary';

const NOW = Date.UTC(2026, 2, 10);
const rctx: RefinementContext = { nowMs: NOW, ownJobId: '7' };
const SEED = 1;

let all: FuzzOperation[];
beforeAll(async () => {
  all = await loadFuzzOperations();
});

const every = () =>
  API_VERSIONS.flatMap((v) =>
    operationsOfVersion(all, v).flatMap((op) => op.parameters.map((p) => ({ op, rules: rulesOf(p) }))),
  );

describe('in-schema values', () => {
  it('are inside the schema, documented as accepted, and sendable', () => {
    for (const { op, rules } of every()) {
      const values = inSchemaValues(rules, op, rctx, SEED);
      if (!values) continue;
      for (const raw of fc.sample(values, { numRuns: 60, seed: SEED }))
        expect([op.operationId, rules.param.name, raw, isIn(rules, raw)]).toEqual([
          op.operationId,
          rules.param.name,
          raw,
          true,
        ]);
    }
  });

  it('never name a type whose answer depends on the version or the organization', () => {
    const op = operationsOfVersion(all, 'v2').find((o) => o.operationId === 'exportGroupV2')!;
    const type = rulesOf(op.parameters.find((p) => p.name === '_type')!);
    const types = fc.sample(inSchemaValues(type, op, rctx, SEED)!, { numRuns: 200, seed: SEED });
    expect(types.flatMap((t) => t.split(',')).filter((t) => ['Claim', 'ClaimResponse'].includes(t))).toEqual(
      [],
    );
  });

  it('give _since only past instants, and leave _elements out', () => {
    const op = operationsOfVersion(all, 'v3').find((o) => o.operationId === 'exportPatientV3')!;
    const since = rulesOf(op.parameters.find((p) => p.name === '_since')!);
    for (const raw of fc.sample(inSchemaValues(since, op, rctx, SEED)!, { numRuns: 100, seed: SEED }))
      expect(Date.parse(raw)).toBeLessThan(NOW);
    const elements = rulesOf(op.parameters.find((p) => p.name === '_elements')!);
    expect(inSchemaValues(elements, op, rctx, SEED)).toBeUndefined();
  });
});

describe('out-of-schema values', () => {
  it('are outside the schema or refused by the documents, never undecided, always sendable', () => {
    for (const { op, rules } of every()) {
      const breakers = breakersOf(rules, op, rctx, SEED);
      const values = outOfSchemaValues(rules, breakers, SEED);
      if (!values) continue;
      for (const raw of [...breakers, ...fc.sample(values, { numRuns: 60, seed: SEED })]) {
        if (raw === null) {
          expect(rules.param.required).toBe(true);
          continue;
        }
        expect([op.operationId, rules.param.name, raw, isOut(rules, raw)]).toEqual([
          op.operationId,
          rules.param.name,
          raw,
          true,
        ]);
      }
    }
  });

  it('never send a job id a lenient server could read as a real job', () => {
    const cancel = operationsOfVersion(all, 'v2').find((o) => o.operationId === 'cancelJobV2')!;
    const jobId = rulesOf(cancel.parameters[0]!);
    const breakers = breakersOf(jobId, cancel, rctx, SEED);
    const values = [
      ...breakers,
      ...fc.sample(outOfSchemaValues(jobId, breakers, SEED)!, { numRuns: 300, seed: SEED }),
    ];
    expect(values.filter((v) => v !== null && /\d/.test(v) && !/^(0|-\d+|\d{21,})$/.test(v))).toEqual([]);
  });

  it('start with the breakers: the header left out, then values that break the schema', () => {
    const op = operationsOfVersion(all, 'v2').find((o) => o.operationId === 'exportPatientV2')!;
    const accept = rulesOf(op.parameters.find((p) => p.name === 'Accept')!);
    expect(breakersOf(accept, op, rctx, SEED).slice(0, 2)).toEqual([null, '"><script>alert(1)</script>']);
    const type = rulesOf(op.parameters.find((p) => p.name === '_type')!);
    expect(breakersOf(type, op, rctx, SEED).slice(0, 3)).toEqual([
      'Patient,',
      'patient',
      '"><script>alert(1)</script>',
    ]);
  });

  it('leave out a parameter that has nothing outside its schema (Accept-Encoding: any text)', () => {
    const download = all.find((o) => o.operationId === 'downloadFile')!;
    const encoding = rulesOf(download.parameters.find((p) => p.name === 'Accept-Encoding')!);
    expect(outOfSchemaValues(encoding, breakersOf(encoding, download, rctx, SEED), SEED)).toBeUndefined();
  });
});

describe('helpers', () => {
  it('writes one moment at any offset', () => {
    const ms = Date.UTC(2020, 1, 13, 13, 0, 0, 500);
    expect(instantText(ms, 'Z', 0)).toBe('2020-02-13T13:00:00Z');
    expect(instantText(ms, '-05:00', 3)).toBe('2020-02-13T08:00:00.500-05:00');
    expect(Date.parse(instantText(ms, '+05:45', 6))).toBe(ms);
  });

  it('finds a header token as BCDA reads it', () => {
    expect(hasToken('application/json, APPLICATION/FHIR+JSON; q=1', 'application/fhir+json')).toBe(true);
    expect(hasToken('application/fhir+jsonx', 'application/fhir+json')).toBe(false);
  });

  it('sends no value that would change the request instead of the parameter', () => {
    const header = { name: 'Accept', in: 'header', required: true, schema: {}, explode: false } as const;
    const path = { ...header, name: 'jobId', in: 'path' } as const;
    expect(transportable(header, ' padded')).toBe(false);
    expect(transportable(header, 'a\nb')).toBe(false);
    expect(transportable(path, '..')).toBe(false);
    expect(transportable(path, '')).toBe(false);
    expect(transportable(path, '\ud800')).toBe(false);
    expect(transportable(path, '../x')).toBe(true);
  });
});
