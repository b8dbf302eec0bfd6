/**
 * Keeps patient data out of reports. Against a target that is neither the embedded mock nor the
 * public sandbox, responses may hold real PHI, so a report keeps only ids, paths and messages:
 * bodies of /data downloads and any body holding FHIR resources other than the service's own
 * (OperationOutcome, CapabilityStatement, job Bundles/Tasks) are dropped, unless the user opted in
 * with --include-samples.
 */
import type { Exchange } from '../http/exchange';
import type { RunReport } from '../engine/results';
import { isPublicSandboxUrl } from '../core/sandbox-host';

/** Resource types a BCDA server returns about itself, never about a patient. */
const SERVICE_RESOURCES = new Set([
  'OperationOutcome',
  'CapabilityStatement',
  'Bundle',
  'Task',
  'Parameters',
]);

/** True for the embedded mock and the public sandbox (synthetic data only). */
export function isSyntheticTarget(run: Pick<RunReport['run'], 'target' | 'embeddedMock'>): boolean {
  return run.embeddedMock || isPublicSandboxUrl(run.target);
}

/** Whether a recorded response body may carry resource content. */
export function looksLikeResourceContent(exchange: Exchange): boolean {
  const res = exchange.response;
  if (!res?.body) return false;
  let path = '';
  try {
    path = new URL(exchange.request.url).pathname;
  } catch {
    path = exchange.request.url;
  }
  if (/\/data\//.test(path) && res.status >= 200 && res.status < 300) return true;
  if (/ndjson/i.test(res.headers['content-type'] ?? '')) return true;
  for (const m of res.body.matchAll(/"resourceType"\s*:\s*"([^"]*)"/g)) {
    if (!SERVICE_RESOURCES.has(m[1] ?? '')) return true;
  }
  return false;
}

/**
 * Returns the report with resource content removed when the target may hold real data. The
 * decision and the exchanges whose bodies were dropped are recorded in `run.privacy`.
 */
export function protectResourceContent(report: RunReport, includeSamples: boolean): RunReport {
  const synthetic = isSyntheticTarget(report.run);
  const omittedBodies: string[] = [];
  let exchanges = report.exchanges;
  if (!synthetic && !includeSamples) {
    exchanges = report.exchanges.map((ex) => {
      if (!ex.response || !looksLikeResourceContent(ex)) return ex;
      omittedBodies.push(ex.id);
      const { body: _body, ...response } = ex.response;
      return { ...ex, response };
    });
  }
  return {
    ...report,
    run: { ...report.run, privacy: { syntheticTarget: synthetic, includeSamples, omittedBodies } },
    exchanges,
  };
}
