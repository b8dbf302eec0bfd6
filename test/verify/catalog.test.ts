/**
 * The catalog and the fault catalog must line up: `npm run verify` can only prove a check that
 * names a real fault, and only detect a fault some check names, or a requirement row (a fault
 * written from the row's text, run against the row's checks: the independent proof).
 */
import path from 'node:path';
import { CATALOG } from '../../src/checks/catalog';
import { FAULTS, FAULT_NAMES } from '../../src/core/faults';
import { loadRequirements } from '../../src/requirements/table';

describe('check catalog against the fault catalog', () => {
  it('has unique check ids in the documented form', () => {
    const ids = CATALOG.map((c) => c.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    for (const id of ids) expect(id).toMatch(/^[A-Z0-9]+(-[A-Z0-9]+)*$/);
  });

  it('gives every check at least one fault, and every named fault exists in the mock', () => {
    expect(CATALOG.filter((c) => c.faults.length === 0).map((c) => c.id)).toEqual([]);
    const unknown = CATALOG.flatMap((c) =>
      c.faults.filter((f) => !FAULT_NAMES.has(f)).map((f) => `${c.id}: ${f}`),
    );
    expect(unknown).toEqual([]);
  });

  it('has every mock fault named by at least one check or requirement row', () => {
    const rows = loadRequirements(path.join(__dirname, '../..')).requirements;
    const named = new Set([...CATALOG.flatMap((c) => c.faults), ...rows.flatMap((r) => r.faults)]);
    expect(FAULTS.map((f) => f.name).filter((n) => !named.has(n))).toEqual([]);
  });
});
