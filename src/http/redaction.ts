/**
 * Redaction of credentials. Every exchange, log line and report goes through a Redactor before it
 * is stored, so a client secret, bearer token or Basic credential never reaches disk or a console.
 */

const MIN_SECRET_LENGTH = 6;

export class Redactor {
  private readonly secrets = new Map<string, string>();

  /** Registers a value that must never appear in output, with the label shown instead. */
  addSecret(value: string | undefined, label: string): void {
    if (!value || value.length < MIN_SECRET_LENGTH) return;
    this.secrets.set(value, label);
    // Also hide the forms a secret takes inside headers and URLs.
    this.secrets.set(encodeURIComponent(value), label);
  }

  /** Replaces every registered secret, JWT-looking token and Authorization credential in `text`. */
  text(text: string): string {
    let out = text;
    // Longest first, so a secret containing another is replaced whole.
    const ordered = [...this.secrets.keys()].sort((a, b) => b.length - a.length);
    for (const secret of ordered) {
      if (out.includes(secret)) out = out.split(secret).join(`<${this.secrets.get(secret)}>`);
    }
    out = out.replace(
      /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi,
      (_m, scheme: string) => `${scheme} <redacted>`,
    );
    // Any JWT (three base64url parts, header starting with {"): tokens the tool never saw issued.
    out = out.replace(/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, '<redacted-jwt>');
    out = out.replace(/("access_token"\s*:\s*")[^"]*(")/g, '$1<redacted>$2');
    return out;
  }

  /**
   * A copy of a plain record (arrays, objects, strings) with every string value passed through
   * text(): for report sections built from target data outside the exchanges (export timelines,
   * validation summaries), so a URL or header value echoing a token is caught there too.
   */
  deep<T>(value: T): T {
    if (typeof value === 'string') return this.text(value) as T;
    if (Array.isArray(value)) return value.map((v: unknown) => this.deep(v)) as T;
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.deep(v);
      return out as T;
    }
    return value;
  }

  headers(headers: Record<string, string | string[] | undefined>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue;
      const joined = Array.isArray(value) ? value.join(', ') : value;
      const lower = name.toLowerCase();
      if (lower === 'authorization' || lower === 'proxy-authorization') {
        // The scheme is kept only when credentials follow it: a value of one word (a token sent
        // without a scheme) is the credential itself.
        const scheme = /^\s*(\S{1,20})\s+\S/.exec(joined)?.[1];
        out[lower] = scheme ? `${scheme} <redacted>` : '<redacted>';
      } else if (lower === 'cookie' || lower === 'set-cookie') {
        out[lower] = '<redacted>';
      } else {
        out[lower] = this.text(joined);
      }
    }
    return out;
  }
}
