/**
 * Where a FHIR server's SMART token endpoint is: --token-url when given, else the `token_endpoint`
 * of `{base}/.well-known/smart-configuration`, else the `token` URI of the CapabilityStatement's
 * oauth-uris security extension. Each request is recorded like any other (no credentials sent).
 */
import { TransportError, type HttpClient, type HttpResponse } from '../http/client';

export const OAUTH_URIS_EXTENSION = 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris';

export interface DiscoveryAnswer {
  exchangeId: string;
  /** Absent when no response came (transport failure). */
  status?: number;
  /** The JSON object answered with 200, when it is one. */
  body?: Record<string, unknown>;
  tokenUrl?: string;
  /** Why the answer gives no token URL. */
  problem?: string;
}

export interface TokenUrlDiscovery {
  tokenUrl?: string;
  source?: 'flag' | 'smart-configuration' | 'capability-statement';
  /** Why no token URL was found (when tokenUrl is absent). */
  reason?: string;
  /** The exchanges discovery read. */
  evidence: string[];
}

const base = (fhirBase: string) => fhirBase.replace(/\/+$/, '');

/**
 * GET `url` for a JSON object: the answer with its body, or with the problem that keeps it from
 * giving one (no answer, a status other than 200, not a JSON object).
 */
async function readObject(
  http: HttpClient,
  url: string,
  label: string,
  accept: string,
): Promise<DiscoveryAnswer> {
  let res: HttpResponse;
  try {
    res = await http.send({ method: 'GET', url, label, headers: { accept } });
  } catch (err) {
    if (err instanceof TransportError)
      return { exchangeId: err.exchange.id, problem: `no answer: ${err.message}` };
    throw err;
  }
  const answer: DiscoveryAnswer = { exchangeId: res.exchange.id, status: res.status };
  if (res.status !== 200) return { ...answer, problem: `it answered ${res.status}` };
  const body = objectOf(res);
  return body ? { ...answer, body } : { ...answer, problem: 'its answer is not a JSON object' };
}

function objectOf(res: HttpResponse): Record<string, unknown> | undefined {
  const body = res.json();
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : undefined;
}

function absoluteUrl(value: unknown, relativeTo: string): string | undefined {
  if (typeof value !== 'string' || !value) return undefined;
  try {
    const url = new URL(value, relativeTo);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

/** GET {base}/.well-known/smart-configuration. */
export async function readSmartConfiguration(http: HttpClient, fhirBase: string): Promise<DiscoveryAnswer> {
  const url = `${base(fhirBase)}/.well-known/smart-configuration`;
  const answer = await readObject(http, url, 'SMART configuration (discovery)', 'application/json');
  if (!answer.body) return answer;
  const tokenUrl = absoluteUrl(answer.body.token_endpoint, url);
  return tokenUrl ? { ...answer, tokenUrl } : { ...answer, problem: 'it names no token_endpoint URL' };
}

/** The oauth-uris `token` of a CapabilityStatement's rest[].security, when it has one. */
export function capabilityTokenUrl(statement: unknown, relativeTo: string): string | undefined {
  const rest = (statement as { rest?: unknown } | undefined)?.rest;
  if (!Array.isArray(rest)) return undefined;
  for (const r of rest as Array<{ security?: { extension?: unknown } }>) {
    const outer = r?.security?.extension;
    if (!Array.isArray(outer)) continue;
    for (const ext of outer as Array<{ url?: unknown; extension?: unknown }>) {
      if (ext?.url !== OAUTH_URIS_EXTENSION || !Array.isArray(ext.extension)) continue;
      const token = (ext.extension as Array<{ url?: unknown; valueUri?: unknown }>).find(
        (e) => e?.url === 'token',
      );
      const url = absoluteUrl(token?.valueUri, relativeTo);
      if (url) return url;
    }
  }
  return undefined;
}

/** GET {base}/metadata for its oauth-uris token URL. */
export async function readCapabilityTokenUrl(http: HttpClient, fhirBase: string): Promise<DiscoveryAnswer> {
  const url = `${base(fhirBase)}/metadata`;
  const answer = await readObject(
    http,
    url,
    'CapabilityStatement (SMART token endpoint)',
    'application/fhir+json',
  );
  if (!answer.body) return answer;
  const tokenUrl = capabilityTokenUrl(answer.body, url);
  return tokenUrl
    ? { ...answer, tokenUrl }
    : { ...answer, problem: 'its rest[].security has no oauth-uris token URI' };
}

/** The token URL, in the order flag, smart-configuration, CapabilityStatement. */
export async function discoverTokenUrl(
  http: HttpClient,
  fhirBase: string,
  flag?: string,
  /** How smart-configuration is read (a caller that asks once passes its own). */
  readConfiguration: () => Promise<DiscoveryAnswer> = () => readSmartConfiguration(http, fhirBase),
): Promise<TokenUrlDiscovery> {
  if (flag) return { tokenUrl: flag, source: 'flag', evidence: [] };
  const config = await readConfiguration();
  if (config.tokenUrl)
    return { tokenUrl: config.tokenUrl, source: 'smart-configuration', evidence: [config.exchangeId] };
  const statement = await readCapabilityTokenUrl(http, fhirBase);
  const evidence = [config.exchangeId, statement.exchangeId];
  if (statement.tokenUrl) return { tokenUrl: statement.tokenUrl, source: 'capability-statement', evidence };
  return {
    reason: `no SMART token endpoint found: .well-known/smart-configuration: ${config.problem}; CapabilityStatement: ${statement.problem} (give --token-url)`,
    evidence,
  };
}
