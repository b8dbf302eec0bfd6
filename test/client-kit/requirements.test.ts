/**
 * Client checks and the requirements table agree. The table maps rows to server checks only (its
 * `checks`, counted by the server run's coverage); a `subject: client` row stays `testable: false`
 * there and names the client checks that verify it in its `why`, while each client check lists the
 * rows in `requirements`. This keeps the two sides in step.
 */
import path from 'node:path';
import { CLIENT_CHECKS } from '../../src/client-kit/checks';
import { loadRequirements, type RequirementsTable } from '../../src/requirements/table';

const ROOT = path.join(__dirname, '../..');
const STRONG = new Set(['MUST', 'MUST NOT', 'SHALL', 'SHALL NOT']);

let table: RequirementsTable;
beforeAll(() => {
  table = loadRequirements(ROOT);
});

/** The client check ids a row's `why` names. */
const namedIn = (why: string | undefined): string[] => why?.match(/\bCLIENT(?:-[A-Z0-9]+)+\b/g) ?? [];

describe('client checks in the requirements table', () => {
  it('every row a client check names is a client row of the table', () => {
    const wrong = CLIENT_CHECKS.flatMap((c) =>
      (c.requirements ?? [])
        .filter((id) => table.byId.get(id)?.subject !== 'client')
        .map((id) => `${c.id} → ${id}`),
    );
    expect(wrong).toEqual([]);
  });

  it('every client row that a client check verifies names that check, and names no other', () => {
    const known = new Set(CLIENT_CHECKS.map((c) => c.id));
    const mismatched = table.requirements
      .filter((r) => r.subject === 'client')
      .flatMap((r) => {
        const named = namedIn(r.why).sort();
        const verifying = CLIENT_CHECKS.filter((c) => c.requirements?.includes(r.id))
          .map((c) => c.id)
          .sort();
        const unknown = named.filter((id) => !known.has(id));
        return JSON.stringify(named) === JSON.stringify(verifying) && !unknown.length
          ? []
          : [`${r.id}: why names [${named.join(', ')}], checks verifying it [${verifying.join(', ')}]`];
      });
    expect(mismatched).toEqual([]);
  });

  it('leaves no client row for later: each names its checks or says why no request shows it', () => {
    const deferred = table.requirements
      .filter((r) => r.subject === 'client' && /issue 19/i.test(r.why ?? ''))
      .map((r) => r.id);
    expect(deferred).toEqual([]);
  });

  it('a MUST client check verifies a MUST or SHALL row when it names rows', () => {
    const weak = CLIENT_CHECKS.filter(
      (c) =>
        c.level === 'MUST' &&
        c.requirements?.length &&
        c.requirements.every((id) => !STRONG.has(table.byId.get(id)?.level ?? '')),
    ).map((c) => c.id);
    expect(weak).toEqual([]);
  });
});
