/**
 * A run's SMART Backend Services login from its settings: --smart-client-id and --smart-key (read
 * and checked here), --smart-alg, --token-url, --scope and --narrow-scope. A fixed --token wins.
 * --other-smart-client-id and --other-smart-key log in a second client the same way.
 */
import type { RunConfig } from '../config/config';
import { ConfigError } from '../config/setting-values';
import type { HttpClient } from '../http/client';
import type { Redactor } from '../http/redaction';
import { SmartAuth } from './smart';
import { loadSmartKey, SmartKeyError, type SmartKey } from './smart-key';
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

/**
 * The second client's SMART login (the `other` role), or undefined without its settings. It shares
 * the main login's token endpoint when the run has one. Throws a ConfigError naming
 * --other-smart-key on a bad key.
 */
export async function otherSmartAuthFromConfig(
  config: RunConfig,
  http: HttpClient,
  redactor: Redactor,
  main: SmartAuth | undefined,
): Promise<SmartAuth | undefined> {
  if (!config.otherSmartClientId || !config.otherSmartKey || !config.target) return undefined;
  const key = await loadOtherKey(config.otherSmartKey, config.smartAlg);
  if (main) return main.otherClient(config.otherSmartClientId, key);
  return new SmartAuth(http, redactor, {
    clientId: config.otherSmartClientId,
    key,
    scope: config.scope,
    narrowScope: config.narrowScope,
    ...(config.tokenUrl ? { tokenUrl: config.tokenUrl } : {}),
    fhirBase: config.target,
  });
}

/** loadSmartKey, its error naming the flag the key came from. */
async function loadOtherKey(file: string, alg: RunConfig['smartAlg']): Promise<SmartKey> {
  try {
    return await loadSmartKey(file, alg);
  } catch (err) {
    if (err instanceof SmartKeyError)
      throw new ConfigError(err.message.replace(/^--smart-key /, '--other-smart-key '));
    throw err;
  }
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

/**
 * The second client of a run against the embedded generic mock: the user's own when given, else the
 * first published client other than the main one, with its key of --smart-alg.
 */
export function embeddedOtherSmartSettings(
  config: RunConfig,
  mainClientId: string | undefined,
  clients: readonly PublishedSmartClient[],
): Pick<RunConfig, 'otherSmartClientId' | 'otherSmartKey'> {
  if (config.otherSmartClientId && config.otherSmartKey)
    return { otherSmartClientId: config.otherSmartClientId, otherSmartKey: config.otherSmartKey };
  const other = clients.find((c) => c.clientId !== mainClientId);
  if (!other) return {};
  return { otherSmartClientId: other.clientId, otherSmartKey: other.keyFiles[config.smartAlg ?? 'RS384'] };
}
