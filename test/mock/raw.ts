/** Raw TCP exchanges with a listening mock: bytes exactly as written, answers exactly as sent. */
import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  /** Everything the server wrote before it closed the connection (or before the wait ran out). */
  text: string;
  status: number | undefined;
  headers: Record<string, string>;
  body: string;
  /** True when the server closed the connection within the wait. */
  closed: boolean;
  /** Milliseconds from connecting until the server closed (or the wait ran out). */
  ms: number;
}

function parse(text: string): Pick<RawAnswer, 'status' | 'headers' | 'body'> {
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = end < 0 ? '' : text.slice(end + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = unchunk(body);
  return { status: status === undefined ? undefined : Number(status), headers, body };
}

function unchunk(raw: string): string {
  let out = '';
  let rest = raw;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    if (eol < 0) return out;
    const size = parseInt(rest.slice(0, eol), 16);
    if (!(size > 0)) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

/**
 * Writes `payload` (nothing when empty), then waits until the server closes the connection or
 * `waitMs` passes, whichever comes first. With `untilAnswer`, stops as soon as one whole answer
 * has arrived (for keep-alive connections the server leaves open).
 */
export function rawExchange(
  port: number,
  payload: string | Buffer,
  waitMs = 3000,
  options: { untilAnswer?: boolean; onSocket?: (socket: Socket) => void } = {},
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    options.onSocket?.(socket);
    let text = '';
    let settled = false;
    const finish = (closed: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, ...parse(text), closed, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (options.untilAnswer) {
        const p = parse(text);
        const length = Number(p.headers['content-length']);
        const whole = /chunked/i.test(p.headers['transfer-encoding'] ?? '')
          ? text.endsWith('\r\n0\r\n\r\n')
          : p.headers['content-length'] !== undefined && Buffer.byteLength(p.body, 'latin1') >= length;
        if (p.status !== undefined && whole) finish(false);
      }
    });
    // A reset after an answer is still a close; what was read so far is kept.
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    if (payload.length > 0) socket.write(payload);
  });
}

/** A whole GET request in HTTP/1.1 with the given extra header lines. */
export function rawGetRequest(path: string, headers: Record<string, string> = {}): string {
  const lines = Object.entries({ Host: '127.0.0.1', ...headers }).map(([k, v]) => `${k}: ${v}`);
  return `GET ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

/** A whole request with a body and Content-Length. */
export function rawRequest(method: string, path: string, headers: Record<string, string>, body = ''): string {
  const all = { Host: '127.0.0.1', 'Content-Length': String(Buffer.byteLength(body)), ...headers };
  const lines = Object.entries(all).map(([k, v]) => `${k}: ${v}`);
  return `${method} ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}
