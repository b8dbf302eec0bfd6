/**
 * The run's clients of the target: the main one (client credentials or a fixed token) and one per
 * client role (src/core/client-roles.ts) whose credentials or own token source (a second SMART
 * login) the run has. They share one HTTP client,
 * so every request is in one exchange log, under one origin policy and one run budget.
 */
import { ClientCredentialsTokens, StaticTokens, type TokenObservation } from '../auth/tokens';
import { CLIENT_ROLES, clientIdKey, clientSecretKey, type ClientRole } from '../core/client-roles';
import type { RunConfig } from '../config/config';
import type { HttpClient } from '../http/client';
import type { Redactor } from '../http/redaction';
import { TargetClient, type Addressing, type TokenSource } from '../http/target';

export interface Credentials {
  clientId: string;
  clientSecret: string;
}

export type RoleCredentials = Partial<Record<ClientRole, Credentials>>;

/** Roles whose tokens come from a provider made elsewhere (the `other` role's SMART login). */
export type RoleTokens = Partial<Record<ClientRole, TokenSource>>;

/** A token provider made elsewhere (SMART Backend Services, src/auth/smart.ts). */
export interface OwnTokens extends TokenSource {
  readonly observations: TokenObservation[];
  invalidate(): void;
}

export interface RunClients {
  main: TargetClient;
  /** The main client's token requests as the token checks read them (none with a fixed token). */
  tokenObservations: () => TokenObservation[];
  /** Forgets the main client's cached token. */
  invalidateToken: () => void;
  byRole: Partial<Record<ClientRole, TargetClient>>;
}

/** The credentials of each role that config gives both halves of. */
export function roleCredentialsFromConfig(config: RunConfig): RoleCredentials {
  const found: RoleCredentials = {};
  for (const { role } of CLIENT_ROLES) {
    const clientId = config[clientIdKey(role)];
    const clientSecret = config[clientSecretKey(role)];
    if (clientId && clientSecret) found[role] = { clientId, clientSecret };
  }
  return found;
}

/** The credentials of each role from the embedded mock's built-in ACOs (the ACO each role names). */
export function roleCredentialsFromMock(
  credentials: ReadonlyArray<{ cmsId: string } & Credentials>,
): RoleCredentials {
  const found: RoleCredentials = {};
  for (const { role, mockAco } of CLIENT_ROLES) {
    const c = credentials.find((x) => x.cmsId === mockAco);
    if (c) found[role] = { clientId: c.clientId, clientSecret: c.clientSecret };
  }
  return found;
}

/**
 * `main`: a fixed bearer token, a token provider (SMART), or the main client's credentials. A role
 * in `roleTokens` uses that provider, not its credentials.
 */
export function makeClients(
  http: HttpClient,
  redactor: Redactor,
  main: { token: string } | { tokens: OwnTokens } | Credentials,
  roles: RoleCredentials,
  addressing: Addressing = 'bcda',
  roleTokens: RoleTokens = {},
): RunClients {
  const withCredentials = (creds: Credentials) => {
    const tokens = new ClientCredentialsTokens(creds, redactor);
    const client = new TargetClient(http, tokens, addressing);
    tokens.bind(client);
    return { client, tokens };
  };
  // The main client first: its secrets are the first the redactor learns, as they always were.
  const made =
    'token' in main
      ? {
          client: new TargetClient(http, new StaticTokens(main.token, redactor), addressing),
          tokens: undefined,
        }
      : 'tokens' in main
        ? { client: new TargetClient(http, main.tokens, addressing), tokens: main.tokens }
        : withCredentials(main);
  const byRole: Partial<Record<ClientRole, TargetClient>> = {};
  for (const { role } of CLIENT_ROLES) {
    const own = roleTokens[role];
    const creds = roles[role];
    if (own) byRole[role] = new TargetClient(http, own, addressing);
    else if (creds) byRole[role] = withCredentials(creds).client;
  }
  const tokens = made.tokens;
  return {
    main: made.client,
    tokenObservations: () => tokens?.observations ?? [],
    invalidateToken: () => tokens?.invalidate(),
    byRole,
  };
}
