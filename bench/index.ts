/**
 * `npm run bench`: runs every bench/<name>.bench.ts module and prints one table. Figures are
 * ratios against a baseline measured in the same run, so they mean something on a noisy machine.
 * `--quick` runs small inputs; `--only NAME` runs the modules whose name contains NAME.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { BenchModule, BenchRow } from './types';

function formatValue(row: BenchRow): string {
  const v = Math.abs(row.value) >= 100 ? row.value.toFixed(0) : row.value.toFixed(2);
  return `${v} ${row.unit}`;
}

function printTable(rows: BenchRow[]): void {
  const header = ['bench', 'metric', 'value', 'ratio', 'target', 'ok'];
  const body = rows.map((r) => [
    r.bench,
    r.metric,
    formatValue(r),
    r.ratio !== undefined ? `${r.ratio.toFixed(2)}x ${r.baseline ?? ''}`.trim() : '',
    r.target ?? '',
    r.pass === undefined ? '' : r.pass ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const b of body) console.log(line(b));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? args[onlyAt + 1] : undefined;
  const modules = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.js'))
    .filter((f) => !only || f.includes(only))
    .sort();
  const rows: BenchRow[] = [];
  let failed = false;
  for (const file of modules) {
    console.error(`running ${file}${quick ? ' (quick)' : ''}…`);
    try {
      const mod = (await import(path.join(__dirname, file))) as BenchModule;
      rows.push(...(await mod.runBench({ quick })));
    } catch (err) {
      failed = true;
      console.error(`${file} failed: ${(err as Error).message}`);
    }
  }
  printTable(rows);
  const missed = rows.filter((r) => r.pass === false);
  if (missed.length)
    console.log(
      `\n${missed.length} target(s) not met: ${missed.map((r) => `${r.bench} ${r.metric}`).join('; ')}`,
    );
  if (failed) process.exitCode = 1;
}

void main();
