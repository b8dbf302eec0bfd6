/**
 * Records the TLS protocol version each https exchange was sent over. undici tells a request's
 * handler that it is about to be written (onConnect, or onRequestStart) and then, synchronously on the same socket,
 * publishes `undici:client:sendHeaders` with that socket: the handler marks its exchange as the
 * one being written, and the channel's subscriber reads the protocol off the socket. Nothing is
 * done per connection or per byte; a plain-http socket has no protocol and records nothing.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Exchange } from './exchange';

/** The exchange whose request undici is writing now (set by onConnect, taken by sendHeaders). */
let writing: Exchange | undefined;
let subscribed = false;

function onSendHeaders(message: unknown): void {
  const exchange = writing;
  writing = undefined;
  if (!exchange) return;
  const socket = (message as { socket?: Socket | TLSSocket }).socket;
  const protocol = socket && 'getProtocol' in socket ? socket.getProtocol() : null;
  if (protocol) exchange.tls = protocol;
}

/** The handler methods undici calls just before it writes the request (old and new handler API). */
const CONNECT_METHODS = new Set<PropertyKey>(['onConnect', 'onRequestStart']);

/**
 * The handler undici is given for `exchange`'s request: the same handler, whose onConnect (or
 * onRequestStart, as undici's interceptors wrap it) first marks the exchange as the one about to
 * be written.
 */
export function recordingTlsOf<H extends object>(handler: H, exchange: Exchange): H {
  if (!subscribed) {
    subscribe('undici:client:sendHeaders', onSendHeaders);
    subscribed = true;
  }
  return new Proxy(handler, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      // The handler's own methods run on the handler itself, its state where it keeps it.
      const method = (value as (...args: unknown[]) => unknown).bind(target);
      if (!CONNECT_METHODS.has(property)) return method;
      return (...args: unknown[]) => {
        writing = exchange;
        return method(...args);
      };
    },
  });
}

/**
 * Whether a protocol Node names (`TLSv1.3`, `TLSv1.1`, `TLSv1`, `SSLv3`) is TLS 1.2 or later;
 * undefined for a name it does not know.
 */
export function isTls12OrLater(protocol: string): boolean | undefined {
  if (/^SSLv\d$/.test(protocol)) return false;
  const m = /^TLSv(\d+)(?:\.(\d+))?$/.exec(protocol);
  if (!m) return undefined;
  const major = Number(m[1]);
  const minor = Number(m[2] ?? 0);
  return major > 1 || minor >= 2;
}
