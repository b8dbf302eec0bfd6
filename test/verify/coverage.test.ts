/**
 * The spec is the source of truth for what must be exercised: every operation × documented status
 * must be answered at least once when the whole catalog runs against the embedded mock (v1, v2
 * and v3 together, as each version has its own operations).
 */
import { OPERATIONS, type OperationId } from '../../generated/operations';
import { loadConfig } from '../../src/config/config';
import { runConformance } from '../../src/run/run-conformance';

describe('operation × status coverage against the embedded mock', () => {
  const observed = new Set<string>();
  beforeAll(async () => {
    // The three runs mostly wait on their mocks' job clocks: side by side they take the time of one.
    await Promise.all(
      (['v1', 'v2', 'v3'] as const).map(async (apiVersion) => {
        const config = loadConfig({ apiVersion, outDir: 'reports' }, {}, '/nonexistent-coverage-cwd');
        const { report } = await runConformance(config);
        for (const row of report.coverage)
          for (const status of Object.keys(row.observed)) observed.add(`${row.operationId} ${status}`);
      }),
    );
  }, 180_000);

  it('exercises every documented status of every operation', () => {
    const documented = (Object.keys(OPERATIONS) as OperationId[]).flatMap((id) =>
      OPERATIONS[id].statuses.map((s) => `${id} ${s}`),
    );
    expect(documented.length).toBeGreaterThan(100);
    expect(documented.filter((cell) => !observed.has(cell))).toEqual([]);
  });
});
