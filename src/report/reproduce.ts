/**
 * How to send a run's requests again after the run. Against a real target the recorded URL still
 * works. Against the embedded mock it does not: that mock listened on a random port that closed
 * when the run ended, so a reproduction first starts a mock with the run's faults and options on a
 * fixed port, and the curls point there. JUnit and the HTML report both say it this way.
 */
import type { RunReport } from '../engine/results';
import type { Exchange } from '../http/exchange';
import { curlFor, shellQuote } from './curl';

/** The port the README's `mock` example uses. */
export const REPRODUCE_PORT = 4010;
export const REPRODUCE_ORIGIN = `http://127.0.0.1:${REPRODUCE_PORT}`;

type RunInfo = Pick<RunReport['run'], 'embeddedMock' | 'mockFaults' | 'mockQuirks'>;

/** Fault names are plain words; anything else is quoted so the command stays one command. */
const arg = (value: string) => (/^[\w.-]+$/.test(value) ? value : shellQuote(value));

/**
 * The command that starts a mock like the run's embedded one (its faults, its --quirks), or
 * undefined when the run had a real target.
 */
export function mockCommand(run: RunInfo): string | undefined {
  if (!run.embeddedMock) return undefined;
  const faults = run.mockFaults.map((f) => ` --fault ${arg(f)}`).join('');
  return `bcda-conformance mock --port ${REPRODUCE_PORT} --control${faults}${run.mockQuirks ? ' --quirks' : ''}`;
}

/** `url` with its origin replaced, path and query kept. */
export function onOrigin(url: string, origin: string): string {
  try {
    const u = new URL(url);
    return `${origin}${u.pathname}${u.search}`;
  } catch {
    return url;
  }
}

/** The curl for one exchange, pointed at the reproduction mock when the run had an embedded one. */
export function reproduceCurl(exchange: Exchange, run: RunInfo): string {
  if (!run.embeddedMock) return curlFor(exchange);
  const url = onOrigin(exchange.request.url, REPRODUCE_ORIGIN);
  return curlFor({ ...exchange, request: { ...exchange.request, url } });
}
