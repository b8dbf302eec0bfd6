/**
 * The faults the fuzz checks find (src/checks/fuzz.ts): bugs that only odd or unusual input shows,
 * so the kick-off checks with their fixed values pass over them.
 */
import type { FastifyReply } from 'fastify';
import type { FaultSet } from './faults';
import { sendBody, type IssueCode } from './outcome';

type Faults = Pick<FaultSet, 'has'>;

/** fuzz-type-500: a `_type` element that is empty or starts in lower case crashes the handler. */
export function typeCrashes(faults: Faults, types: readonly string[] | undefined): boolean {
  return faults.has('fuzz-type-500') && (types ?? []).some((t) => t === '' || /^[a-z]/.test(t));
}

/**
 * fuzz-since-impossible-date-500: a `_since` shaped like an instant whose fields are out of range
 * (30 February, hour 25) passes the shape test and crashes the date conversion after it. The
 * caller says whether the value has the shape and whether it is a real instant (mock/params.ts).
 */
export function sinceCrashes(faults: Faults, since: { shaped: boolean; real: boolean } | undefined): boolean {
  return faults.has('fuzz-since-impossible-date-500') && since !== undefined && since.shaped && !since.real;
}

/** fuzz-since-fraction-refused: a `_since` with fractional seconds is taken for a bad instant. */
export function refusesSinceFraction(faults: Faults | undefined, since: string): boolean {
  return faults?.has('fuzz-since-fraction-refused') === true && /:\d{2}\.\d/.test(since);
}

/**
 * fuzz-echo-unescaped: the error body written by pasting the diagnostics into JSON text, so a
 * quote or a backslash in the value it names breaks the JSON. Undefined when the fault is off.
 */
export function sendPastedOutcome(
  faults: Faults,
  reply: FastifyReply,
  status: number,
  code: IssueCode,
  diagnostics: string,
): FastifyReply | undefined {
  if (!faults.has('fuzz-echo-unescaped')) return undefined;
  const text = `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"${code}","diagnostics":"${diagnostics}"}]}`;
  return sendBody(reply, status, 'application/fhir+json', text);
}
