/**
 * The client report: a RunReport (so the existing JSON, HTML and JUnit reporters render it) whose
 * results are the client checks and whose exchanges are the client's requests as the mock recorded
 * them, credentials shown only as scheme and fingerprint. `clientKit` adds each scenario's story.
 */
import { REPORT_SCHEMA_VERSION, summarize, type CheckResult, type RunReport } from '../engine/results';
import { TOOL_VERSION } from '../engine/version';
import type { Exchange } from '../http/exchange';
import { combine, type ScenarioOutcome } from './grade';
import { isKickoff } from './requests';
import type { ClientCheck, ScenarioMeta, ScenarioRecord } from './types';

export interface ClientKitReport extends RunReport {
  clientKit: {
    scenarios: Array<
      ScenarioMeta & {
        client: Omit<ScenarioRecord['client'], 'output'>;
        requests: number;
        staged: readonly string[];
      }
    >;
    /** Each check's outcome per scenario. */
    perScenario: Record<string, ScenarioOutcome[]>;
  };
}

function kindOf(r: ScenarioRecord['requests'][number]): string {
  const path = r.url.split('?')[0] ?? r.url;
  if (path === '/auth/token') return 'token request';
  if (isKickoff(r)) return 'kick-off';
  if (/\/jobs\/[^/]+$/.test(path)) return r.method === 'DELETE' ? 'cancel' : 'status poll';
  if (/\/jobs\/?$/.test(path)) return 'job history request';
  if (/\/attribution_status\/?$/.test(path)) return 'attribution status request';
  if (path.startsWith('/data/')) return 'download';
  return 'request';
}

/** A recorded request as the reporters' Exchange (URL made absolute on the scenario's mock). */
function exchangeOf(record: ScenarioRecord, r: ScenarioRecord['requests'][number], origin: string): Exchange {
  const staged = record.staged.includes(r.id) ? ' (staged by the scenario)' : '';
  return {
    id: r.id,
    label: `${record.scenario.name}: client ${kindOf(r)}${staged}`,
    // A request to another origin (a scenario's second listener) shows the host it was sent to.
    request: {
      method: r.method,
      url: `${r.headers.host ? `${new URL(origin || 'http://x').protocol}//${r.headers.host}` : origin}${r.url}`,
      headers: r.headers,
    },
    ...(r.status !== undefined
      ? {
          response: {
            status: r.status,
            headers: r.responseHeaders ?? {},
            ...(r.responseBody !== undefined ? { body: r.responseBody } : {}),
            bodyBytes: Buffer.byteLength(r.responseBody ?? ''),
            bodyTruncated: false,
          },
        }
      : { error: 'no answer recorded' }),
    startedAt: r.at,
    durationMs: Math.max(0, (r.finishedAtMs ?? r.respondedAtMs ?? r.atMs) - r.atMs),
  };
}

function withoutOutput(client: ScenarioRecord['client']): Omit<ScenarioRecord['client'], 'output'> {
  const { output: _output, ...rest } = client;
  return rest;
}

export interface ClientReportInput {
  records: readonly ScenarioRecord[];
  judged: ReadonlyMap<ClientCheck, ScenarioOutcome[]>;
  started: number;
  finished: number;
  /** The mock's origin per scenario (its URL when it ran). */
  origins: ReadonlyMap<string, string>;
  /** How the client was run, for the report's title. */
  target: string;
}

export function assembleClientReport(input: ClientReportInput): ClientKitReport {
  const startedAt = new Date(input.started).toISOString();
  const results: CheckResult[] = [...input.judged].map(([check, outcomes]) => ({
    ...combine(outcomes),
    id: check.id,
    title: check.title,
    description: check.description,
    level: check.level,
    area: check.area,
    profiles: ['bcda', 'bulk-data-ig'],
    refs: check.refs,
    requirements: check.requirements ?? [],
    operations: [],
    startedAt,
    durationMs: 0,
  }));
  const exchanges = input.records.flatMap((record) =>
    record.requests.map((r) => exchangeOf(record, r, input.origins.get(record.scenario.name) ?? '')),
  );
  const all = input.records.flatMap((r) => r.requests);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'bcda-conformance', version: TOOL_VERSION },
    run: {
      target: input.target,
      embeddedMock: false,
      apiVersion: input.records[0]?.scenario.apiVersion ?? 'v2',
      profile: 'bcda',
      group: 'all',
      suites: [...new Set(results.map((r) => r.area))],
      startedAt,
      finishedAt: new Date(input.finished).toISOString(),
      durationMs: input.finished - input.started,
      requests: all.length,
      kickoffs: all.filter(isKickoff).length,
      jobsStarted: all.filter((r) => isKickoff(r) && r.status === 202).length,
      maxKickoffs: 0,
      mockFaults: [],
      mockQuirks: false,
    },
    summary: summarize(results),
    results,
    coverage: [],
    validation: [],
    exports: [],
    exchanges,
    clientKit: {
      // The client's own output stays out of the report (it may print anything, secrets included).
      scenarios: input.records.map((r) => ({
        ...r.scenario,
        client: withoutOutput(r.client),
        requests: r.requests.length,
        staged: r.staged,
      })),
      perScenario: Object.fromEntries([...input.judged].map(([check, outcomes]) => [check.id, outcomes])),
    },
  };
}
