/** `bcda-conformance list --requirements` prints the requirements table from the built CLI, as a user runs it. */
import { ensureBuiltCli, ROOT, runCli } from './built-cli';
import { loadRequirements } from '../../src/requirements/table';

beforeAll(() => ensureBuiltCli(), 300_000);

describe('list --requirements', () => {
  const table = loadRequirements(ROOT);

  test('prints one line per requirement with its checks or why it has none, and a count', async () => {
    const out = await runCli(['list', '--requirements'], ROOT);
    expect(out.code).toBe(0);
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines.filter((l) => /^(BCDA-|bulkdata@|bulkdata-stu3@|smart-backend@)/.test(l))).toHaveLength(
      table.requirements.length,
    );
    const metadata = lines.find((l) => l.startsWith('bulkdata@300 '));
    expect(metadata).toMatch(/SHALL/);
    expect(lines.find((l) => l.startsWith('bulkdata@10 '))).toMatch(/untestable: /);
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^${table.requirements.length} of ${table.requirements.length} requirements; \\d+ testable, \\d+ of them verified by a check$`,
      ),
    );
  });

  test('--profile bulk-data-ig keeps the IG (v2 and STU3) and SMART Backend Services rows only; --json gives the rows as data', async () => {
    const out = await runCli(['list', '--requirements', '--profile', 'bulk-data-ig', '--json'], ROOT);
    expect(out.code).toBe(0);
    const rows = JSON.parse(out.stdout) as Array<{ id: string; source: string; checks: string[] }>;
    const generic = new Set(['bulkdata', 'bulkdata-stu3', 'smart-backend']);
    expect(new Set(rows.map((r) => r.source))).toEqual(generic);
    expect(rows).toHaveLength(table.requirements.filter((r) => generic.has(r.source)).length);
    expect(rows.find((r) => r.id === 'bulkdata@300')!.checks.length).toBeGreaterThan(0);
  });
});
