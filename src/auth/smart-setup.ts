/**
 * A run's SMART Backend Services login from its settings: --smart-client-id and --smart-key (read
 * and checked here), --smart-alg, --token-url, --scope and --narrow-scope. A fixed --token wins.
 */
import type { RunConfig } from '../config/config';
import type { HttpClient } from '../http/client';
import type { Redactor } from '../http/redaction';
import { SmartAuth } from './smart';
import { loadSmartKey } from './smart-key';
import { scopeCovers, splitScopes } from './smart-scopes';

/** The run's SMART login, or undefined when the settings ask for none. Throws SmartKeyError on a bad key. */
export async function smartAuthFromConfig(
  config: RunConfig,
  http: HttpClient,
  redactor: Redactor,
): Promise<SmartAuth | undefined> {
  if (config.token || !config.smartClientId || !config.smartKey || !config.target) return undefined;
  const key = await loadSmartKey(config.smartKey, config.smartAlg);
  return new SmartAuth(http, redactor, {
    clientId: config.smartClientId,
    key,
    scope: config.scope,
    narrowScope: config.narrowScope,
    ...(config.tokenUrl ? { tokenUrl: config.tokenUrl } : {}),
    fhirBase: config.target,
  });
}

/** A SMART client a mock publishes: its id, the scopes it may get, its private key files. */
export interface PublishedSmartClient {
  clientId: string;
  scopes: readonly string[];
  keyFiles: Readonly<Record<'RS384' | 'ES384', string>>;
}

/**
 * The SMART settings of a run against the embedded generic mock: the user's own when given, else
 * the published client whose scopes cover --scope (the full one), with its key of --smart-alg
 * (RS384 by default).
 */
export function embeddedSmartSettings(
  config: RunConfig,
  clients: readonly PublishedSmartClient[],
): Pick<RunConfig, 'smartClientId' | 'smartKey'> {
  if (config.smartClientId && config.smartKey)
    return { smartClientId: config.smartClientId, smartKey: config.smartKey };
  const wanted = splitScopes(config.scope);
  const client =
    clients.find((c) => wanted.every((w) => c.scopes.some((s) => scopeCovers(s, w)))) ?? clients[0];
  if (!client) return {};
  return { smartClientId: client.clientId, smartKey: client.keyFiles[config.smartAlg ?? 'RS384'] };
}
