/**
 * The BCDA mock server's programmatic entry: `startMock(options)` listens and returns handles for
 * tests and the conformance run; `buildMockApp(options)` gives the app without listening.
 */
import type { FastifyInstance } from 'fastify';
import { buildMockApp, mockContextOf, resetContext } from './app';
import type { MockClock } from './clock';
import type { MockOptions } from './context';
import type { MockCredential } from './credentials';
import { validateFaultNames } from './faults';

export { buildMockApp, mockContextOf } from './app';
export type { MockOptions } from './context';
export type { MockClock } from './clock';
export type { MockCredential } from './credentials';
export { FAULTS, type FaultDefinition, type FaultName } from './faults';
export { RequestRecorder, type ClientRequestRecord, type RecordedCredential } from './recording';

export interface MockServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:4010` (`https://` with the tls option). */
  url: string;
  port: number;
  close(): Promise<void>;
  app: FastifyInstance;
  /** Replaces the active faults; unknown names throw an Error naming the closest known ones. */
  setFaults(names: readonly string[]): void;
  clock: MockClock;
  /** Drops every job, rewinds the clock and restores the starting faults. */
  reset(): void;
  credentials: MockCredential[];
}

export async function startMock(options: MockOptions = {}): Promise<MockServer> {
  const app = await buildMockApp(options);
  const ctx = mockContextOf(app);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `${options.tls ? 'https' : 'http'}://${urlHost}:${port}`,
    port,
    app,
    clock: ctx.clock,
    credentials: ctx.credentials,
    setFaults: (names) => ctx.faults.set(validateFaultNames(names)),
    reset: () => resetContext(ctx),
    close: () => app.close(),
  };
}
