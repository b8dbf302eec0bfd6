/**
 * Bearer tokens for a run. With client credentials: POST /auth/token with HTTP Basic, one token per
 * credential, reused until shortly before it expires, re-fetched on demand. With a static token
 * (--token): that token, as given. Observations about the token endpoint (e.g. `expires_in` sent
 * as a string) are kept for the auth checks.
 */
import type { Received, Schemas } from '../http/bodies';
import type { HttpResponse } from '../http/client';
import { sleepWithin } from '../http/budget';
import { retryAfterMs } from '../http/retry-after';
import type { Redactor } from '../http/redaction';
import type { TargetClient, TokenSource } from '../http/target';
import {
  fitsInHeader,
  readExpiresIn,
  TokenCache,
  type ExpiresInType,
  type FetchedToken,
} from './token-cache';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface TokenObservation {
  exchangeId: string;
  status: number;
  expiresInType?: ExpiresInType;
  expiresInSeconds?: number;
  tokenType?: string;
}

export class TokenError extends Error {
  constructor(
    message: string,
    readonly exchangeId?: string,
  ) {
    super(message);
    this.name = 'TokenError';
  }
}

const MAX_RATE_LIMIT_WAIT_MS = 30_000;

export class ClientCredentialsTokens implements TokenSource {
  private readonly cache: TokenCache;
  readonly observations: TokenObservation[] = [];
  private client?: TargetClient;

  constructor(
    private readonly credentials: ClientCredentials,
    redactor: Redactor,
    private readonly now: () => number = Date.now,
  ) {
    redactor.addSecret(credentials.clientSecret, 'client-secret');
    redactor.addSecret(
      Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64'),
      'basic-credential',
    );
    this.redactor = redactor;
    this.cache = new TokenCache(() => this.fetch(), now);
  }

  private readonly redactor: Redactor;

  /** The client is bound after construction because it needs this provider too. */
  bind(client: TargetClient): void {
    this.client = client;
  }

  bearer(): Promise<string> {
    return this.cache.get();
  }

  invalidate(): void {
    this.cache.forget();
  }

  private async fetch(): Promise<FetchedToken> {
    if (!this.client) throw new TokenError('token provider is not bound to a client');
    let waited = 0;
    for (let attempt = 1; ; attempt += 1) {
      const res = await this.request(this.client);
      if (res.status === 429 && attempt < 4) {
        const wait = retryAfterMs(res.headers['retry-after'], this.now()) ?? 1000;
        if (waited + wait <= MAX_RATE_LIMIT_WAIT_MS) {
          waited += wait;
          // The run's budget ends the wait too (the next request then is not sent).
          await sleepWithin(wait, this.client.http.budget?.signal);
          continue;
        }
      }
      return this.accept(res);
    }
  }

  /**
   * POST /auth/token with Basic credentials. A target addressed as a FHIR base (BCDA judged by the
   * generic profile, base …/api/v2) has its token endpoint at the root of its origin, as BCDA does.
   */
  private async request(client: TargetClient): Promise<HttpResponse> {
    if (client.addressing === 'bcda') {
      return client.call('getToken', {
        label: 'get a bearer token',
        auth: { basic: this.credentials },
        headers: { accept: 'application/json' },
      });
    }
    return client.http.send({
      method: 'POST',
      url: new URL('/auth/token', client.baseUrl).toString(),
      label: 'get a bearer token',
      operationId: 'getToken',
      headers: {
        accept: 'application/json',
        authorization: await client.authorization({ basic: this.credentials }),
      },
    });
  }

  private accept(res: HttpResponse): FetchedToken {
    const observation: TokenObservation = { exchangeId: res.exchange.id, status: res.status };
    this.observations.push(observation);
    if (res.status !== 200) {
      throw new TokenError(`the token endpoint answered ${res.status}, not 200`, res.exchange.id);
    }
    // The spec's TokenResponse members, values not yet trusted.
    const body = res.json<Received<Schemas['TokenResponse']>>();
    if (!body || typeof body !== 'object') {
      throw new TokenError(
        `the token response is not a JSON object (${res.jsonError() ?? 'empty'})`,
        res.exchange.id,
      );
    }
    const token = body.access_token;
    if (typeof token !== 'string' || token.length === 0) {
      throw new TokenError('the token response has no access_token string', res.exchange.id);
    }
    this.redactor.addSecret(token, 'access-token');
    // Say so once instead of failing every request.
    if (!fitsInHeader(token)) {
      throw new TokenError(
        'the access_token holds characters that cannot be sent in an Authorization header (control characters or non-Latin-1 text)',
        res.exchange.id,
      );
    }
    const expiresIn = readExpiresIn(body.expires_in);
    observation.expiresInType = expiresIn.type;
    if (expiresIn.seconds !== undefined) observation.expiresInSeconds = expiresIn.seconds;
    if (typeof body.token_type === 'string') observation.tokenType = body.token_type;
    // Without a usable expires_in, assume BCDA's documented 20 minutes.
    return { value: token, lifetimeMs: (expiresIn.seconds ?? 1200) * 1000 };
  }
}

/** A token given on the command line: used as is, never refreshed. */
export class StaticTokens implements TokenSource {
  readonly observations: TokenObservation[] = [];
  constructor(
    private readonly token: string,
    redactor: Redactor,
  ) {
    redactor.addSecret(token, 'access-token');
  }
  async bearer(): Promise<string> {
    return this.token;
  }
  invalidate(): void {}
}
