/**
 * Where the harness may send a request. A target names URLs itself (Content-Location, manifest
 * `output`/`error`), so a hostile one could point the run's credentials, or the run itself, at any
 * host. The rules:
 * - credentials (an Authorization header) go only to the target's origin and to origins the user
 *   allowed with --allow-origin;
 * - only http and https are requested;
 * - link-local and cloud metadata addresses are never requested, by literal address or by a host
 *   name that resolves to one (see guardedLookup).
 */
import dns from 'node:dns';
import { isBlockedAddress } from '../core/blocked-address';

/** The origin (scheme://host[:port], default port left out) of an absolute URL, or undefined. */
export function originOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

export type RefusalKind = 'scheme' | 'address' | 'credentials';

export interface Refusal {
  kind: RefusalKind;
  /** Why, in words (names --allow-origin where that would help); holds no credential. */
  reason: string;
}

export class OriginPolicy {
  readonly targetOrigin: string;
  private readonly trusted: ReadonlySet<string>;

  /** `allowed`: origins the user trusts with the credentials besides the target's. */
  constructor(target: string, allowed: readonly string[] = []) {
    const origin = originOf(target);
    if (!origin) throw new Error(`the target must be an http(s) URL`);
    this.targetOrigin = origin;
    const trusted = new Set([origin]);
    for (const a of allowed) {
      const o = originOf(a);
      if (o) trusted.add(o);
    }
    this.trusted = trusted;
  }

  /** True when credentials may go to `url`. */
  trusts(url: string): boolean {
    const origin = originOf(url);
    return origin !== undefined && this.trusted.has(origin);
  }

  /**
   * Why a request to `url` must not be sent, or undefined when it may be. A URL that does not
   * parse is left to the transport, which fails on it the same way.
   */
  refusal(url: string, withCredentials: boolean): Refusal | undefined {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return undefined;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      return { kind: 'scheme', reason: `only http and https URLs are requested, not ${u.protocol}` };
    }
    if (isBlockedAddress(u.hostname)) {
      return {
        kind: 'address',
        reason: `${u.hostname} is a link-local or cloud metadata address, which is never requested`,
      };
    }
    if (withCredentials && !this.trusted.has(u.origin)) {
      return {
        kind: 'credentials',
        reason: `credentials go only to the target's origin (${this.targetOrigin}) and to origins allowed with --allow-origin; ${u.origin} is neither`,
      };
    }
    return undefined;
  }
}

/** The error a guarded lookup fails with; the client turns it into a refusal. */
export class BlockedAddressError extends Error {
  readonly code = 'EBLOCKEDADDRESS';
  constructor(
    readonly hostname: string,
    readonly address: string,
  ) {
    super(
      `${hostname} resolves to ${address}, a link-local or cloud metadata address, which is never requested`,
    );
    this.name = 'BlockedAddressError';
  }
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;
export type LookupFunction = (hostname: string, options: dns.LookupOptions, callback: LookupCallback) => void;

const systemLookup: LookupFunction = (hostname, options, callback) =>
  dns.lookup(hostname, options, (err, address, family) => callback(err, address, family));

/**
 * A `lookup` for net.connect that fails when a host name resolves to a blocked address, so DNS
 * cannot take a request where a literal address would not be sent. `resolve` is the real resolver
 * (replaceable in tests).
 */
export function guardedLookup(resolve: LookupFunction = systemLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, options, (err, address, family) => {
      if (err) return callback(err, address, family);
      const all = Array.isArray(address) ? address.map((a) => a.address) : [address];
      const blocked = all.find((a) => isBlockedAddress(a));
      if (blocked !== undefined) return callback(new BlockedAddressError(hostname, blocked), '', 0);
      callback(null, address, family);
    });
  };
}
