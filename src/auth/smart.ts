/**
 * SMART Backend Services authorization as a run's client: the token URL (discovered, see
 * smart-discovery.ts), client assertions signed with the --smart-key (smart-assertion.ts), token
 * requests sent through the run's HttpClient (so they are recorded, with the assertion and the
 * access token redacted), and token sources that reuse a token until shortly before it expires.
 * The auth checks use the same object to send the assertions a server must refuse.
 */
import type { HttpClient } from '../http/client';
import { TransportError } from '../http/client';
import type { Redactor } from '../http/redaction';
import { TargetClient, type TokenSource } from '../http/target';
import { buildAssertion, type Assertion, type AssertionOverrides } from './smart-assertion';
import {
  discoverTokenUrl,
  readSmartConfiguration,
  type DiscoveryAnswer,
  type TokenUrlDiscovery,
} from './smart-discovery';
import type { SmartKey } from './smart-key';
import { fitsInHeader, readExpiresIn, TokenCache, type FetchedToken } from './token-cache';
import { TokenError, type TokenObservation } from './tokens';

export const DEFAULT_SMART_SCOPE = 'system/*.read';
export const DEFAULT_NARROW_SCOPE = 'system/Patient.read';

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface SmartSettings {
  clientId: string;
  key: SmartKey;
  /** The scope the run's main token asks for (--scope). */
  scope: string;
  /** The scope of the second token, for the scope-enforcement checks (--narrow-scope). */
  narrowScope: string;
  /** --token-url: wins over discovery. */
  tokenUrl?: string;
  /** The FHIR base URL discovery starts from. */
  fhirBase: string;
}

/** One token request and its answer, as the checks read it (no token value). */
export interface SmartTokenAnswer {
  exchangeId: string;
  requestedScope: string;
  assertion: Assertion;
  /** Absent when no response came; `problem` then says why. */
  status?: number;
  /** The media type of the answer, lower case, without parameters. */
  mediaType?: string;
  /** The JSON object answered, when it is one (access_token and refresh_token left out). */
  body?: Record<string, unknown>;
  accessToken?: string;
  expiresInType?: TokenObservation['expiresInType'];
  expiresInSeconds?: number;
  tokenType?: string;
  scope?: string;
  hasRefreshToken: boolean;
  problem?: string;
}

const mediaTypeOf = (header: string | undefined) => (header ?? '').split(';')[0]!.trim().toLowerCase();

export class SmartAuth {
  readonly clientId: string;
  readonly key: SmartKey;
  readonly scope: string;
  readonly narrowScope: string;
  /** The run's main token source (--scope). */
  readonly tokens: SmartTokens;
  private narrow?: SmartTokens;
  private discovered?: Promise<TokenUrlDiscovery>;
  private configuration?: Promise<DiscoveryAnswer>;
  /** The login whose discovery this one shares (otherClient). */
  private sharedFrom?: SmartAuth;

  constructor(
    readonly http: HttpClient,
    private readonly redactor: Redactor,
    private readonly settings: SmartSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.clientId = settings.clientId;
    this.key = settings.key;
    this.scope = settings.scope;
    this.narrowScope = settings.narrowScope;
    this.tokens = new SmartTokens(this, settings.scope, now);
  }

  get fhirBase(): string {
    return this.settings.fhirBase;
  }

  /** The server's smart-configuration answer, asked once. */
  smartConfiguration(): Promise<DiscoveryAnswer> {
    if (this.sharedFrom) return this.sharedFrom.smartConfiguration();
    return (this.configuration ??= readSmartConfiguration(this.http, this.settings.fhirBase));
  }

  /** Where the token endpoint is and how it was found, asked once. */
  discovery(): Promise<TokenUrlDiscovery> {
    if (this.sharedFrom) return this.sharedFrom.discovery();
    return (this.discovered ??= discoverTokenUrl(
      this.http,
      this.settings.fhirBase,
      this.settings.tokenUrl,
      () => this.smartConfiguration(),
    ));
  }

  /** The token URL; a TokenError when the server names none. */
  async tokenUrl(): Promise<string> {
    const found = await this.discovery();
    if (!found.tokenUrl) throw new TokenError(found.reason ?? 'no SMART token endpoint', found.evidence[0]);
    return found.tokenUrl;
  }

  /** A client assertion for this client, with the overrides of a negative test. */
  async assertion(overrides: AssertionOverrides = {}): Promise<Assertion> {
    const tokenUrl = await this.tokenUrl();
    return buildAssertion({ clientId: this.clientId, tokenUrl, key: this.key }, overrides, this.now);
  }

  /**
   * POSTs a token request (form: scope, grant_type, client_assertion_type, client_assertion) and
   * reads the answer. `assertion` is sent as given; else one is built with `overrides`.
   */
  async request(
    opts: { label: string; scope?: string; overrides?: AssertionOverrides; assertion?: Assertion } = {
      label: 'SMART token request',
    },
  ): Promise<SmartTokenAnswer> {
    const tokenUrl = await this.tokenUrl();
    const assertion = opts.assertion ?? (await this.assertion(opts.overrides));
    const scope = opts.scope ?? this.scope;
    // Registered before it is sent, so the recorded request body never holds it.
    this.redactor.addSecret(assertion.jwt, 'client-assertion');
    const form = new URLSearchParams({
      scope,
      grant_type: 'client_credentials',
      client_assertion_type: CLIENT_ASSERTION_TYPE,
      client_assertion: assertion.jwt,
    });
    let res;
    try {
      res = await this.http.send({
        method: 'POST',
        url: tokenUrl,
        label: opts.label,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
      });
    } catch (err) {
      if (!(err instanceof TransportError)) throw err;
      return {
        exchangeId: err.exchange.id,
        requestedScope: scope,
        assertion,
        hasRefreshToken: false,
        problem: `no answer: ${err.message}`,
      };
    }
    const answer: SmartTokenAnswer = {
      exchangeId: res.exchange.id,
      requestedScope: scope,
      assertion,
      status: res.status,
      mediaType: mediaTypeOf(res.headers['content-type']),
      hasRefreshToken: false,
    };
    const parsed = res.json();
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return answer;
    const {
      access_token: accessToken,
      refresh_token: refreshToken,
      ...rest
    } = parsed as Record<string, unknown>;
    this.hide(res.exchange, accessToken, 'access-token');
    this.hide(res.exchange, refreshToken, 'refresh-token');
    answer.body = rest;
    answer.hasRefreshToken = refreshToken !== undefined;
    if (typeof accessToken === 'string' && accessToken.length > 0) answer.accessToken = accessToken;
    const expiresIn = readExpiresIn(rest.expires_in);
    answer.expiresInType = expiresIn.type;
    if (expiresIn.seconds !== undefined) answer.expiresInSeconds = expiresIn.seconds;
    if (typeof rest.token_type === 'string') answer.tokenType = rest.token_type;
    if (typeof rest.scope === 'string') answer.scope = rest.scope;
    return answer;
  }

  /** Registers a credential the answer holds and scrubs the already recorded body of it. */
  private hide(exchange: { response?: { body?: string } }, value: unknown, label: string): void {
    if (typeof value !== 'string') return;
    this.redactor.addSecret(value, label);
    if (exchange.response?.body !== undefined)
      exchange.response.body = this.redactor.text(exchange.response.body);
  }

  /** The token source of the narrow scope (--narrow-scope), made on first use. */
  narrowTokens(): SmartTokens {
    return (this.narrow ??= new SmartTokens(this, this.narrowScope, this.now));
  }

  /**
   * Another client's login at the same server (the cross-client checks' second client): its own
   * id, key and tokens, sharing this one's discovery of the token endpoint.
   */
  otherClient(clientId: string, key: SmartKey): SmartAuth {
    const other = new SmartAuth(this.http, this.redactor, { ...this.settings, clientId, key }, this.now);
    other.sharedFrom = this;
    return other;
  }

  /** A target client whose requests carry `tokens`' bearer token, addressed like `like`. */
  clientWith(tokens: TokenSource, like: TargetClient): TargetClient {
    return new TargetClient(this.http, tokens, like.addressing);
  }
}

/** Without a usable expires_in, SMART's five minutes. */
const DEFAULT_LIFETIME_S = 300;

/** A token of one scope, reused until shortly before it expires, asked for again after that. */
export class SmartTokens implements TokenSource {
  private readonly cache: TokenCache;
  readonly observations: TokenObservation[] = [];
  /** Every answer of this source's token requests, in order. */
  readonly answers: SmartTokenAnswer[] = [];

  constructor(
    private readonly auth: SmartAuth,
    readonly scope: string,
    now: () => number = Date.now,
  ) {
    this.cache = new TokenCache(() => this.fetch(), now);
  }

  bearer(): Promise<string> {
    return this.cache.get();
  }

  invalidate(): void {
    this.cache.forget();
  }

  private async fetch(): Promise<FetchedToken> {
    const answer = await this.auth.request({
      label: `SMART token request (scope ${this.scope})`,
      scope: this.scope,
    });
    this.answers.push(answer);
    if (answer.status === undefined)
      throw new TokenError(`the token endpoint did not answer: ${answer.problem}`, answer.exchangeId);
    const observation: TokenObservation = { exchangeId: answer.exchangeId, status: answer.status };
    if (answer.expiresInType) observation.expiresInType = answer.expiresInType;
    if (answer.expiresInSeconds !== undefined) observation.expiresInSeconds = answer.expiresInSeconds;
    if (answer.tokenType !== undefined) observation.tokenType = answer.tokenType;
    this.observations.push(observation);
    if (answer.status !== 200) {
      const error = typeof answer.body?.error === 'string' ? ` (${answer.body.error})` : '';
      throw new TokenError(
        `the SMART token endpoint answered ${answer.status}${error}, not 200`,
        answer.exchangeId,
      );
    }
    const token = answer.accessToken;
    if (!token)
      throw new TokenError('the SMART token response has no access_token string', answer.exchangeId);
    if (!fitsInHeader(token))
      throw new TokenError(
        'the access_token holds characters that cannot be sent in an Authorization header',
        answer.exchangeId,
      );
    return { value: token, lifetimeMs: (answer.expiresInSeconds ?? DEFAULT_LIFETIME_S) * 1000 };
  }
}
