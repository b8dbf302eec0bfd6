/**
 * The generic Bulk Data IG mock (`bcda-conformance mock --profile bulk-data-ig`): a reference FHIR
 * Bulk Data Access v2.0.0 server with SMART Backend Services, used to prove the `bulk-data-ig`
 * profile's checks. `startIgMock(options)` listens; `buildIgMockApp(options)` gives the app
 * without a socket (supertest).
 */
import type { FastifyInstance } from 'fastify';
import { buildIgMockApp, igContextOf } from './app';
import { publishedClients, type IgMockClient } from './clients';
import { resetIgContext, type IgMockOptions } from './context';
import { validateIgFaultNames } from './faults';
import { FHIR_PATH } from './http';

export { buildIgMockApp, igContextOf } from './app';
export { FULL_CLIENT_ID, NARROW_CLIENT_ID, type IgMockClient } from './clients';
export type { IgMockOptions, IgContext } from './context';
export { IG_FAULTS, validateIgFaultNames } from './faults';

export interface IgMockServer {
  /** The server root without a trailing slash, e.g. `http://127.0.0.1:4011`. */
  url: string;
  /** The FHIR base URL: `${url}/fhir`. */
  fhirBase: string;
  port: number;
  close(): Promise<void>;
  app: FastifyInstance;
  /** Replaces the active faults; unknown and BCDA-only names throw. */
  setFaults(names: readonly string[]): void;
  /** Drops tokens and jobs, rewinds the clock and restores the starting faults. */
  reset(): void;
  /** The published test clients (ids, scopes, private key files). */
  clients: IgMockClient[];
}

export async function startIgMock(options: IgMockOptions = {}): Promise<IgMockServer> {
  const app = await buildIgMockApp(options);
  const ctx = igContextOf(app);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const url = `http://${urlHost}:${port}`;
  return {
    url,
    fhirBase: `${url}${FHIR_PATH}`,
    port,
    app,
    clients: publishedClients(ctx.clients),
    setFaults: (names) => ctx.faults.set(validateIgFaultNames(names)),
    reset: () => resetIgContext(ctx),
    close: () => app.close(),
  };
}
