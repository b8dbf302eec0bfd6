/**
 * Export kick-off, `GET|POST [base]/$export`, `[base]/Patient/$export`, `[base]/Group/{id}/$export`:
 * headers (Accept, Prefer: respond-async, handling), the token and its scopes, the parameters, the
 * patient and group checks; 202 with an absolute Content-Location on success.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IgContext } from './context';
import { buildExport } from './export-data';
import { KickoffRefusal, readExportRequest, type ExportLevel } from './export-request';
import { requireToken } from './guard';
import { FHIR_PATH, fhirBase, rootUrl, sendOutcome } from './http';
import { createJob } from './jobs';
import { ParamsError, paramsFromBody, paramsFromQuery, type RawParam } from './params';

export const STATUS_PATH = `${FHIR_PATH}/bulkstatus`;

/** `Prefer` tokens: respond-async required; handling=lenient or strict (the default). */
function preferOf(request: FastifyRequest): { async: boolean; lenient: boolean } {
  const header = request.headers.prefer;
  const tokens = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(/[,;]/).map((t) =>
    t
      .trim()
      .toLowerCase()
      .replace(/\s*=\s*/, '='),
  );
  return { async: tokens.includes('respond-async'), lenient: tokens.includes('handling=lenient') };
}

/** Accept: absent, or one that allows application/fhir+json. */
function acceptable(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  if (accept === undefined || accept.trim() === '') return true;
  return accept
    .split(',')
    .map((a) => a.split(';')[0]?.trim().toLowerCase())
    .some(
      (a) =>
        a === 'application/fhir+json' || a === 'application/json' || a === '*/*' || a === 'application/*',
    );
}

function isFhirJson(request: FastifyRequest): boolean {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  return type === 'application/fhir+json' || type === 'application/json';
}

/**
 * A refused kick-off: an OperationOutcome as application/fhir+json; the fault writes it in FHIR XML
 * although the client asked for JSON (bulkdata@304: a JSON OperationOutcome).
 */
function refuse(
  ctx: IgContext,
  reply: FastifyReply,
  status: number,
  code: string,
  diagnostics: string,
): FastifyReply {
  if (!ctx.faults.has('ig-kickoff-error-xml')) return sendOutcome(reply, status, code, diagnostics);
  const text = diagnostics
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
  return reply
    .code(status)
    .header('content-type', 'application/fhir+xml; charset=utf-8')
    .send(
      `<OperationOutcome xmlns="http://hl7.org/fhir"><issue><severity value="error"/><code value="${code}"/><diagnostics value="${text}"/></issue></OperationOutcome>`,
    );
}

/** A query parameter's value as sent, percent-escapes and all (fault ig-patient-query-not-decoded). */
function rawValueOf(url: string, name: string): string | undefined {
  const query = url.split('?')[1] ?? '';
  const pair = query.split('&').find((p) => decodeURIComponent(p.split('=')[0] ?? '') === name);
  return pair?.slice(pair.indexOf('=') + 1);
}

async function kickOff(
  ctx: IgContext,
  request: FastifyRequest,
  reply: FastifyReply,
  level: ExportLevel,
  groupId?: string,
): Promise<FastifyReply> {
  if (level === 'system' && ctx.faults.has('ig-system-export-missing'))
    return refuse(
      ctx,
      reply,
      404,
      'not-found',
      `no route for ${request.method} ${request.url.split('?')[0]}`,
    );
  // The fault serves the kick-off by POST only (bulkdata@29: GET is required).
  if (request.method === 'GET' && ctx.faults.has('ig-get-kickoff-refused'))
    return sendOutcome(reply, 405, 'not-supported', 'a kick-off is POST only, with a Parameters body');
  if (request.method === 'POST' && ctx.faults.has('ig-post-kickoff-refused'))
    return refuse(ctx, reply, 405, 'not-supported', 'a kick-off is GET only');
  const token = requireToken(ctx, request, reply, 'ig-kickoff-accepts-no-token');
  if (!token) return reply;
  if (!acceptable(request))
    return refuse(ctx, reply, 400, 'not-supported', 'Accept must be application/fhir+json for a kick-off');
  const prefer = preferOf(request);
  if (!prefer.async) return refuse(ctx, reply, 400, 'required', 'a kick-off needs Prefer: respond-async');
  const group = groupId === undefined ? undefined : ctx.data.groups.find((g) => g.id === groupId);
  if (groupId !== undefined && !group) return refuse(ctx, reply, 404, 'not-found', `no Group ${groupId}`);

  const path = request.url.split('?')[0] ?? request.url;
  let raw: RawParam[];
  try {
    if (request.method === 'POST') {
      if (!isFhirJson(request))
        return sendOutcome(
          reply,
          415,
          'not-supported',
          'a POST kick-off takes a Parameters body as application/fhir+json',
        );
      raw = paramsFromBody(typeof request.body === 'string' ? request.body : '');
    } else raw = paramsFromQuery(request.url);
    // The fault's Patient-level handler reads the query by hand, its values not percent-decoded:
    // application%2Ffhir%2Bndjson is no format it knows (bulkdata@274).
    if (level === 'patient' && request.method === 'GET' && ctx.faults.has('ig-patient-query-not-decoded'))
      raw = raw.map((p) => ({ ...p, value: rawValueOf(request.url, p.name) ?? p.value }));
    const req = readExportRequest(ctx, level, groupId, raw, prefer.lenient, token);
    // The fault refuses the patient parameter with the right status and a bare text message (bulkdata@88).
    if (req.patients && ctx.faults.has('ig-patient-param-refused-plain-text'))
      return reply.code(400).type('text/plain').send('patient parameter not supported');
    // The fault looks at the first patient named only: the others are not checked (bulkdata@86, @87).
    const checked = ctx.faults.has('ig-patient-only-first-checked')
      ? (req.patients ?? []).slice(0, 1)
      : (req.patients ?? []);
    for (const id of checked) {
      if (!ctx.data.byRef.has(`Patient/${id}`) && !ctx.faults.has('ig-patient-unknown-accepted'))
        throw new KickoffRefusal(400, 'not-found', `patient Patient/${id} is not known to this server`);
      if (
        group &&
        !group.patientIds.includes(id) &&
        ctx.data.byRef.has(`Patient/${id}`) &&
        !ctx.faults.has('ig-patient-outside-group-accepted')
      )
        throw new KickoffRefusal(
          400,
          'invalid',
          `patient Patient/${id} is not a member of Group ${group.id}`,
        );
    }
    if (req.patients) req.patients = req.patients.filter((id) => ctx.data.byRef.has(`Patient/${id}`));
    const base = fhirBase(request);
    const files = buildExport(ctx, req, token, ctx.clock.nowMs(), base);
    // The fault refuses an export that finds nothing instead of completing it empty (bulkdata@167).
    if (ctx.faults.has('ig-empty-export-refused') && !files.some((f) => f.kind === 'output'))
      throw new KickoffRefusal(404, 'not-found', 'no resources match this export');
    // The manifest's request: the kick-off URL as sent; a POST's without its parameters (bulkdata@158).
    let requestUrl = `${rootUrl(request)}${request.method === 'POST' ? path : request.url}`;
    if (request.method === 'POST' && ctx.faults.has('ig-post-request-with-params') && raw.length > 0)
      requestUrl += `?${raw.map((p) => `${encodeURIComponent(p.name)}=${encodeURIComponent(p.value)}`).join('&')}`;
    const job = createJob(ctx, token.clientId, requestUrl, files, req.organizeBy);
    // The fault accepts the short _outputFormat forms, then fails the job (bulkdata@47, @52).
    if (
      ctx.faults.has('ig-output-format-short-job-fails') &&
      raw.some((p) => p.name === '_outputFormat' && p.value !== 'application/fhir+ndjson')
    )
      job.failed = true;
    // The fault accepts the full content type, then its worker fails the job (bulkdata@51).
    if (
      ctx.faults.has('ig-output-format-full-job-fails') &&
      raw.some((p) => p.name === '_outputFormat' && p.value === 'application/fhir+ndjson')
    )
      job.failed = true;
    if (ctx.faults.has('ig-kickoff-no-content-location')) return reply.code(202).send();
    // The fault leaves the FHIR base's path out of the status URL (a proxy prefix forgotten):
    // an absolute URL where nothing answers (bulkdata@310).
    const statusPath = ctx.faults.has('ig-content-location-no-base-path')
      ? STATUS_PATH.slice(FHIR_PATH.length)
      : STATUS_PATH;
    // The fault's system-level route, added apart from the others, answers 200 with the status
    // URL: the job runs, but the answer says the request is done (bulkdata@229).
    const accepted = level === 'system' && ctx.faults.has('ig-system-kickoff-200') ? 200 : 202;
    return reply
      .code(accepted)
      .header('content-location', `${rootUrl(request)}${statusPath}/${job.id}`)
      .send();
  } catch (err) {
    // The fault refuses with 200 and the OperationOutcome, the error in the body only (bulkdata@303).
    if (err instanceof KickoffRefusal)
      return refuse(
        ctx,
        reply,
        ctx.faults.has('ig-kickoff-error-status-200') ? 200 : err.status,
        err.code,
        err.message,
      );
    if (err instanceof ParamsError) return refuse(ctx, reply, 400, 'invalid', err.message);
    throw err;
  }
}

export function registerExportRoutes(app: FastifyInstance, ctx: IgContext): void {
  const methods: ('GET' | 'POST')[] = ['GET', 'POST'];
  app.route({
    method: methods,
    url: `${FHIR_PATH}/$export`,
    handler: (q, r) => kickOff(ctx, q, r, 'system'),
  });
  app.route({
    method: methods,
    url: `${FHIR_PATH}/Patient/$export`,
    handler: (q, r) =>
      // The fault's instance read (GET Patient/{id}) is matched first: $export is read as a
      // Patient id and not found; POST still reaches the export (bulkdata@273, @297).
      q.method === 'GET' && ctx.faults.has('ig-patient-export-shadowed-by-read')
        ? sendOutcome(r, 404, 'not-found', 'Patient/$export is not known')
        : kickOff(ctx, q, r, 'patient'),
  });
  app.route<{ Params: { id: string } }>({
    method: methods,
    url: `${FHIR_PATH}/Group/:id/$export`,
    handler: (q, r) =>
      // The fault's router takes a Group id of letters and digits only: FHIR ids may also hold
      // '-' and '.', and such a Group's export is not found (bulkdata@250, @298).
      ctx.faults.has('ig-group-id-alphanumeric-only') && /[^A-Za-z0-9]/.test(q.params.id)
        ? sendOutcome(r, 404, 'not-found', `no route for ${q.method} ${q.url.split('?')[0]}`)
        : kickOff(ctx, q, r, 'group', q.params.id),
  });
}
