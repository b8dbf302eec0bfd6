/**
 * The generic mock's registered SMART Backend Services clients: their ids, the scopes each may be
 * granted, and the public JWKS each registered (fixtures/smart/, made by scripts/smart-test-keys.js).
 * The private keys sit beside them because they are published test keys.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../../core/project-root';

/** The algorithms SMART Backend Services clients sign with; the mock verifies both. */
export const SIGNING_ALGS = ['RS384', 'ES384'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

/** A client as the conformance run and tests see it (the published test client). */
export interface IgMockClient {
  clientId: string;
  /** The scopes the client is pre-authorized for; a token grants at most these. */
  scopes: string[];
  /** Absolute paths of the client's private JWK files, one per algorithm. */
  keyFiles: Record<SigningAlg, string>;
  description: string;
}

export interface PublicJwk {
  kty: string;
  kid: string;
  alg?: string;
  [member: string]: unknown;
}

/** A client as the authorization server keeps it: the published facts plus its public keys. */
export interface RegisteredClient extends IgMockClient {
  jwks: { keys: PublicJwk[] };
}

export const FULL_CLIENT_ID = 'bulk-ig-full-client';
export const NARROW_CLIENT_ID = 'bulk-ig-narrow-client';

const CLIENTS: readonly Omit<IgMockClient, 'keyFiles'>[] = [
  {
    clientId: FULL_CLIENT_ID,
    scopes: ['system/*.read', 'system/*.rs'],
    description: 'may read every resource type (system/*.read, system/*.rs)',
  },
  {
    clientId: NARROW_CLIENT_ID,
    scopes: ['system/Patient.read', 'system/Patient.rs'],
    description: 'may read Patient only (for the scope-enforcement checks)',
  },
];

export function smartFixturesDir(): string {
  return path.join(projectRoot(), 'fixtures', 'smart');
}

/** Reads the registered clients' public key sets (once per mock instance). */
export function loadClients(): RegisteredClient[] {
  const dir = smartFixturesDir();
  return CLIENTS.map((c) => {
    const jwks = JSON.parse(fs.readFileSync(path.join(dir, `${c.clientId}.jwks.json`), 'utf8')) as {
      keys: PublicJwk[];
    };
    const keyFiles = Object.fromEntries(
      SIGNING_ALGS.map((alg) => [alg, path.join(dir, `${c.clientId}.${alg.toLowerCase()}.private.jwk.json`)]),
    ) as Record<SigningAlg, string>;
    return { ...c, scopes: [...c.scopes], keyFiles, jwks };
  });
}

/** The published view of the clients (no key material, only where the private keys are). */
export function publishedClients(clients: readonly RegisteredClient[]): IgMockClient[] {
  return clients.map(({ clientId, scopes, keyFiles, description }) => ({
    clientId,
    scopes: [...scopes],
    keyFiles: { ...keyFiles },
    description,
  }));
}
