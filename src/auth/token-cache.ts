/**
 * What both token sources (BCDA's Basic client credentials, SMART Backend Services) do alike: read
 * a token answer's `expires_in`, refuse a token that cannot go in a header, and keep one token
 * until shortly before it expires, with concurrent callers sharing one request for a new one.
 */

/** The JSON type `expires_in` arrived as. */
export type ExpiresInType = 'string' | 'number' | 'missing' | 'other';

/** `expires_in` as sent: its JSON type, and its seconds when it is a positive number (or numeric string). */
export function readExpiresIn(raw: unknown): { type: ExpiresInType; seconds?: number } {
  const type: ExpiresInType =
    raw === undefined
      ? 'missing'
      : typeof raw === 'string'
        ? 'string'
        : typeof raw === 'number'
          ? 'number'
          : 'other';
  const seconds = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : NaN;
  return Number.isFinite(seconds) && seconds > 0 ? { type, seconds } : { type };
}

/** Control characters and text beyond Latin-1 cannot be sent in an Authorization header. */
export const fitsInHeader = (token: string): boolean => !/[^\t\x20-\x7e\x80-\xff]/.test(token);

/** Refresh this long before the stated expiry (at most a fifth of a short lifetime), so a token never lapses mid-poll. */
const REFRESH_MARGIN_MS = 60_000;

/** A token and how long it is good for, from one request. */
export interface FetchedToken {
  value: string;
  lifetimeMs: number;
}

export class TokenCache {
  private token?: { value: string; refreshAt: number };
  private pending?: Promise<string>;

  constructor(
    private readonly fetch: () => Promise<FetchedToken>,
    private readonly now: () => number,
  ) {}

  /** The kept token while it is fresh, else a new one (one request however many callers wait). */
  get(): Promise<string> {
    if (this.token && this.now() < this.token.refreshAt) return Promise.resolve(this.token.value);
    this.pending ??= this.fetch()
      .then(({ value, lifetimeMs }) => {
        const margin = Math.min(REFRESH_MARGIN_MS, lifetimeMs / 5);
        this.token = { value, refreshAt: this.now() + lifetimeMs - margin };
        return value;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  /** Forgets the kept token (e.g. after the target answered 401 Expired Token). */
  forget(): void {
    this.token = undefined;
  }
}
