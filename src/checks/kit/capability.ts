/**
 * The target's CapabilityStatement as the checks read it: asked for once per run (without a token,
 * as the metadata checks and the pre-flight ask for it) and the facts several checks need from it.
 */
import type { CheckContext } from '../context';
import type { HttpResponse } from '../../http/client';

/** GET [base]/metadata, once per run: every reader shares the one answer. */
export function metadataResponse(ctx: CheckContext): Promise<HttpResponse> {
  return ctx.once('metadata', () =>
    ctx.target.call(ctx.op('getMetadata'), { label: 'metadata without a token', auth: 'none' }),
  );
}

/** The resource types rest[].resource[] declares (empty when the statement cannot be read). */
export async function declaredResourceTypes(ctx: CheckContext): Promise<Set<string>> {
  const body = (await metadataResponse(ctx)).json<unknown>();
  const types = new Set<string>();
  const rests = isObject(body) && Array.isArray(body.rest) ? body.rest : [];
  for (const rest of rests) {
    const resources = isObject(rest) && Array.isArray(rest.resource) ? rest.resource : [];
    for (const r of resources) if (isObject(r) && typeof r.type === 'string') types.add(r.type);
  }
  return types;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
