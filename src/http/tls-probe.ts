/**
 * A bare TLS handshake with a server, nothing sent after it: to learn which protocol versions the
 * server accepts (TLS-OLD-REFUSED offers at most TLS 1.1). The certificate is not judged here (the
 * HTTP client verifies it on every request), so no trust is needed to ask; the address guard of the
 * HTTP client applies all the same.
 */
import { isIP } from 'node:net';
import { connect, type ConnectionOptions } from 'node:tls';
import { guardedLookup } from './origin-policy';

export type HandshakeResult =
  /** The handshake completed with this protocol (`TLSv1.3`). */
  | { kind: 'connected'; protocol: string }
  /** The server turned the handshake down: an alert, or the connection closed during it. */
  | { kind: 'refused'; reason: string }
  /** No answer either way (no connection, a timeout, or this side cannot offer what was asked). */
  | { kind: 'failed'; reason: string };

export interface HandshakeOptions {
  host: string;
  port: number;
  timeoutMs: number;
  /** Offer TLS 1.0 and 1.1 only (OpenSSL 3 needs security level 0 to offer them at all). */
  olderThanTls12?: boolean;
}

/** Failures of this side's own TLS library: the server never saw a handshake it could answer. */
const LOCAL_CODES = new Set(['ERR_SSL_NO_PROTOCOLS_AVAILABLE', 'ERR_SSL_NO_CIPHERS_AVAILABLE']);

export function tryHandshake(options: HandshakeOptions): Promise<HandshakeResult> {
  const host = options.host.replace(/^\[(.*)\]$/, '$1');
  const tlsOptions: ConnectionOptions = {
    host,
    port: options.port,
    // SNI takes a host name, never an address (RFC 6066).
    ...(isIP(host) ? {} : { servername: host }),
    rejectUnauthorized: false,
    lookup: guardedLookup(),
    ...(options.olderThanTls12
      ? { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' }
      : {}),
  };
  return new Promise((resolve) => {
    let tcpConnected = false;
    let settled = false;
    const socket = connect(tlsOptions);
    const done = (result: HandshakeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () =>
        done({
          kind: 'failed',
          reason: `no handshake within ${options.timeoutMs} ms${tcpConnected ? ' (the TCP connection was open)' : ''}`,
        }),
      options.timeoutMs,
    );
    timer.unref();
    socket.once('connect', () => {
      tcpConnected = true;
    });
    socket.once('secureConnect', () =>
      done({ kind: 'connected', protocol: socket.getProtocol() ?? 'unknown' }),
    );
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? '';
      if (LOCAL_CODES.has(code)) done({ kind: 'failed', reason: `this side cannot offer it (${code})` });
      else if (code.startsWith('ERR_SSL_')) done({ kind: 'refused', reason: describeSslError(err) });
      else if (tcpConnected && (code === 'ECONNRESET' || code === 'EPIPE'))
        done({ kind: 'refused', reason: 'the server reset the connection during the handshake' });
      else done({ kind: 'failed', reason: code ? `${code}: ${err.message}` : err.message });
    });
    socket.once('close', () => {
      if (tcpConnected)
        done({ kind: 'refused', reason: 'the server closed the connection during the handshake' });
      else done({ kind: 'failed', reason: 'the connection closed before it was established' });
    });
  });
}

/** OpenSSL's reason (`tlsv1 alert protocol version`) without its file and line. */
function describeSslError(err: NodeJS.ErrnoException): string {
  const reason = (err as { reason?: unknown }).reason;
  return typeof reason === 'string' && reason ? reason : (err.code ?? err.message);
}
