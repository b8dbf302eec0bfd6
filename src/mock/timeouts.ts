/**
 * Connection timeouts, so idle and slow clients cannot hold sockets for ever. Node bounds a
 * request head (headersTimeout), a whole request (requestTimeout) and the idle time between
 * kept-alive requests (keepAliveTimeout), but a connection that never sends its first byte is
 * none of these: it gets an idle timer of the head's length until its first request arrives.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionTimeouts } from './context';

/** The fastify options that set Node's own three timeouts. */
export function serverTimeoutOptions(timeouts: ConnectionTimeouts): {
  requestTimeout: number;
  keepAliveTimeout: number;
  http: { headersTimeout: number; connectionsCheckingInterval: number };
} {
  return {
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    http: {
      headersTimeout: timeouts.headersMs,
      // Node looks for expired heads and requests at this interval (30 s by default, which
      // would let a 30 s timeout run to a minute); a quarter of the shortest keeps them close.
      connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(timeouts.headersMs / 4))),
    },
  };
}

/** Closes connections that send nothing for the headers timeout before their first request. */
export function closeSilentConnections(server: Server, timeouts: ConnectionTimeouts): void {
  const waiting = new WeakSet<Socket>();
  server.on('connection', (socket: Socket) => {
    waiting.add(socket);
    // With no request in flight, Node's own timeout listener destroys the socket.
    socket.setTimeout(timeouts.headersMs);
  });
  server.on('request', (request: { socket: Socket }) => {
    const { socket } = request;
    if (!waiting.delete(socket)) return;
    // From here on Node's head, request and keep-alive timeouts apply; a slow reader is not idle.
    socket.setTimeout(0);
  });
}
