import { createHash } from 'node:crypto';
import * as dataModule from '../../../src/mock/data';
import { fileLines, planExport } from '../../../src/mock/data';
import { ACOS, generateAll, spec } from './helpers';

describe('determinism', () => {
  const s = spec({
    aco: ACOS.TEST001!,
    types: ['Patient', 'Coverage', 'ExplanationOfBenefit', 'Claim', 'ClaimResponse'],
  });

  test('the same spec gives byte-identical files twice', () => {
    const a = generateAll(s);
    const b = generateAll(s);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [name, lines] of a) expect(b.get(name)).toEqual(lines);
    expect([...a.values()].flat().length).toBeGreaterThan(100);
  });

  test('a file is the same whatever was generated before it, even interleaved', () => {
    const plan = planExport(s);
    const forward = generateAll(s, plan);
    const backward = generateAll(s, [...plan].reverse());
    for (const [name, lines] of forward) expect(backward.get(name)).toEqual(lines);

    // Two generators advanced in lockstep (as two concurrent downloads would be).
    const [first, second] = plan.filter((f) => f.kind === 'output');
    const itA = fileLines(s, first!)[Symbol.iterator]();
    const itB = fileLines(s, second!)[Symbol.iterator]();
    const gotA: string[] = [];
    const gotB: string[] = [];
    for (;;) {
      const a = itA.next();
      const b = itB.next();
      if (!a.done) gotA.push(a.value);
      if (!b.done) gotB.push(b.value);
      if (a.done && b.done) break;
    }
    expect(gotA).toEqual(forward.get(first!.name));
    expect(gotB).toEqual(forward.get(second!.name));
  });

  test('a different seed gives different data; another job of the same day the same data', () => {
    const plan = planExport(s);
    const file = plan.find((f) => f.type === 'Patient')!;
    const base = [...fileLines(s, file)];
    const otherSeed = spec({ ...s, seed: 43 });
    const otherFile = planExport(otherSeed).find((f) => f.type === 'Patient')!;
    expect([...fileLines(otherSeed, otherFile)]).not.toEqual(base);
    // Data is anchored to the transaction day, so a later job that day sees the same resources.
    const later = spec({
      ...s,
      jobId: 99,
      transactionTime: new Date(s.transactionTime.getTime() + 3_600_000),
    });
    const laterFile = planExport(later).find((f) => f.type === 'Patient')!;
    expect(laterFile.name).not.toBe(file.name);
    expect([...fileLines(later, laterFile)]).toEqual(base);
  });

  test('a freshly loaded module (no warm caches or PRNG state) produces the same bytes', () => {
    const digest = (gen: typeof import('../../../src/mock/data'), reverse: boolean): string => {
      const hash = createHash('sha256');
      const plan = gen.planExport(s);
      for (const file of reverse ? [...plan].reverse() : plan) {
        hash.update(file.name);
        for (const line of gen.fileLines(s, file)) hash.update(line);
      }
      return hash.digest('hex');
    };
    const warm = digest(dataModule, false);
    let fresh = '';
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      fresh = digest(require('../../../src/mock/data') as typeof import('../../../src/mock/data'), false);
    });
    expect(fresh).toBe(warm);
    expect(digest(dataModule, true)).not.toBe(warm); // order of files differs, so the digest must too
  });
});
