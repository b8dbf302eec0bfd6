/**
 * Builds the run report from what the run recorded: the check results, the exchange log and the
 * export log (the exports the run followed). Nothing here reads the checks' own state.
 */
import type { RunConfig } from '../config/config';
import { coverageMatrix } from '../engine/coverage';
import type { ContractVerdict } from '../contract/judge';
import {
  REPORT_SCHEMA_VERSION,
  summarize,
  type CheckResult,
  type ExportTimeline,
  type RunReport,
} from '../engine/results';
import { TOOL_VERSION } from '../engine/version';
import { judgeRequirements } from '../engine/requirement-verdicts';
import { requirementsTable } from '../requirements/table';
import type { ExportRun } from '../flows/export';
import { manifestItems } from '../flows/manifest';
import type { ExchangeLog } from '../http/exchange';
import { protectResourceContent } from '../report/privacy';

export interface RunRecords {
  config: RunConfig;
  /** What the report names as the target (the embedded mock is not named by its port). */
  target: string;
  embeddedMock: boolean;
  /** The run judged the target as a sandbox (--sandbox, or detected). */
  sandbox: boolean;
  started: number;
  finished: number;
  /** Requests the run sent to the target. */
  requests: number;
  /** Kick-off requests sent, and the jobs the target accepted. */
  kickoffs: number;
  jobsStarted: number;
  results: CheckResult[];
  log: ExchangeLog;
  /** The exports the run followed, settled (src/flows/export.ts). */
  exports: readonly ExportRun[];
  /** The contract verdict of each exchange, when the run judged the contract. */
  contract?: readonly ContractVerdict[];
}

export function assembleReport(records: RunRecords): RunReport {
  const { config, log } = records;
  const validation = records.exports.flatMap((run) =>
    run.downloads.flatMap((d) => {
      if (!d.validation) return [];
      const { references: _references, ...rest } = d.validation;
      return [rest];
    }),
  );
  const timelines = records.exports.map((run) => exportTimeline(run, log, config.maxFiles));
  return protectResourceContent(
    {
      schemaVersion: REPORT_SCHEMA_VERSION,
      tool: { name: 'bcda-conformance', version: TOOL_VERSION },
      run: {
        target: records.target,
        embeddedMock: records.embeddedMock,
        sandbox: records.sandbox,
        apiVersion: config.apiVersion,
        profile: config.profile,
        ...(config.group !== undefined ? { group: config.group } : {}),
        suites: config.suites,
        ...(config.grep ? { grep: config.grep } : {}),
        startedAt: new Date(records.started).toISOString(),
        finishedAt: new Date(records.finished).toISOString(),
        durationMs: records.finished - records.started,
        requests: records.requests,
        kickoffs: records.kickoffs,
        jobsStarted: records.jobsStarted,
        maxKickoffs: config.maxKickoffs,
        mockFaults: records.embeddedMock ? config.mockFaults : [],
        mockQuirks: records.embeddedMock ? config.mockQuirks : false,
      },
      summary: summarize(records.results),
      results: records.results,
      requirements: judgeRequirements(requirementsTable(), records.results, {
        profile: config.profile,
        apiVersion: config.apiVersion,
        sandbox: records.sandbox,
      }),
      coverage: coverageMatrix(log.all(), config.apiVersion, records.contract),
      // Built from target data outside the exchanges (URLs, header values): redacted like them.
      validation: log.redactor.deep(validation),
      exports: log.redactor.deep(timelines),
      exchanges: [...log.all()],
    },
    config.includeSamples,
  );
}

/** One export as the report's timeline shows it: polls, then each file with its exchange. */
function exportTimeline(run: ExportRun, log: ExchangeLog, maxFiles: number): ExportTimeline {
  const t: ExportTimeline = {
    name: run.name,
    polls: run.polls,
    downloads: run.downloads.map((d) => {
      const ex = d.exchangeId ? log.get(d.exchangeId) : undefined;
      return {
        url: d.item.url,
        type: d.item.type,
        kind: d.kind,
        bytes: d.bytes,
        wireBytes: d.wireBytes,
        ...(d.exchangeId ? { exchangeId: d.exchangeId } : {}),
        ...(d.status !== undefined ? { status: d.status } : {}),
        ...(ex ? { startedAt: ex.startedAt, durationMs: ex.durationMs } : {}),
        ...(d.error ? { error: d.error } : {}),
      };
    }),
  };
  if (run.jobUrl) t.jobUrl = run.jobUrl;
  if (run.kickoff) {
    t.kickoffExchange = run.kickoff.exchange.id;
    t.kickoffAt = run.kickoff.exchange.startedAt;
  }
  if (run.final) t.finalExchange = run.final.exchange.id;
  // A manifest may list more files than the run downloads (--max-files): say so.
  const inManifest = run.manifest
    ? manifestItems(run.manifest.output).length + manifestItems(run.manifest.error).length
    : 0;
  const problems = [
    ...(run.problem ? [run.problem] : []),
    ...(run.downloads.length && inManifest > run.downloads.length
      ? [
          `the manifest lists ${inManifest} files; the run downloaded only the first ${run.downloads.length} (at most ${maxFiles} per export, --max-files)`,
        ]
      : []),
  ];
  if (problems.length) t.problem = problems.join('; ');
  return t;
}
