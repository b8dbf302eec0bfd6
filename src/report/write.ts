/** Writes a run's reports into the output directory. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunReport } from '../engine/results';
import { renderJunit } from './junit';
import { renderHtml } from './html';

export interface WrittenReports {
  json: string;
  junit: string;
  html: string;
}

export class ReportWriteError extends Error {}

export interface WriteOptions {
  /** The run's --strict: JUnit marks as failures exactly what makes the run exit 1. */
  strict?: boolean;
}

export function writeReports(report: RunReport, outDir: string, options: WriteOptions = {}): WrittenReports {
  const files = {
    json: path.join(outDir, 'report.json'),
    junit: path.join(outDir, 'junit.xml'),
    html: path.join(outDir, 'index.html'),
  };
  try {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(files.junit, renderJunit(report, { strict: Boolean(options.strict) }));
    writeFileSync(files.html, renderHtml(report));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ReportWriteError(`cannot write reports to ${outDir}: ${e.code ?? e.message}`);
  }
  return files;
}
