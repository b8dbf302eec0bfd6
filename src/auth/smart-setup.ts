/**
 * A run's SMART Backend Services login from its settings: --smart-client-id and --smart-key (read
 * and checked here), --smart-alg, --token-url, --scope and --narrow-scope. A fixed --token wins.
 */
import type { RunConfig } from '../config/config';
import type { HttpClient } from '../http/client';
import type { Redactor } from '../http/redaction';
import { SmartAuth } from './smart';
import { loadSmartKey } from './smart-key';

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
