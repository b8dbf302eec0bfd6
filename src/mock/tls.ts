/**
 * The mock's HTTPS listener (`mock --tls`, `startMock({ tls: true })`): the public test certificate
 * of fixtures/tls/ for 127.0.0.1 and localhost, TLS 1.2 at least. The `tls-accepts-tls11` fault
 * lowers the floor to TLS 1.1; faults change while the mock runs, so each new connection gets the
 * secure context the active faults call for.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Server as TlsServer, SecureContextOptions } from 'node:tls';
import { projectRoot } from '../core/project-root';
import type { FaultSet } from './faults';

/** The committed test CA, server certificate and key (public test material, see its README). */
export interface TestTlsFiles {
  ca: string;
  cert: string;
  key: string;
}

let cached: TestTlsFiles | undefined;

/** Where the test certificate lives. */
export function testTlsDir(): string {
  return path.join(projectRoot(), 'fixtures', 'tls');
}

export function testTlsFiles(): TestTlsFiles {
  if (cached) return cached;
  const dir = testTlsDir();
  const read = (name: string) => readFileSync(path.join(dir, name), 'utf8');
  cached = { ca: read('ca.pem'), cert: read('server.pem'), key: read('server-key.pem') };
  return cached;
}

/** The listener's TLS options: TLS 1.2 or later, or also TLS 1.1 under the fault. */
export function tlsContextOptions(acceptTls11: boolean): SecureContextOptions {
  const { cert, key } = testTlsFiles();
  return acceptTls11
    ? // OpenSSL 3 negotiates TLS 1.1 only at security level 0 (its ciphers and signatures are SHA-1).
      { cert, key, minVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' }
    : { cert, key, minVersion: 'TLSv1.2' };
}

/** Switches the listener's secure context, before a connection's handshake, when the fault changed. */
export function followTlsFaults(server: TlsServer, faults: FaultSet): void {
  // The listener was made with the context the faults called for then.
  let acceptsTls11 = faults.has('tls-accepts-tls11');
  // Prepended: the TLS socket takes the server's context when Node's own listener wraps the connection.
  server.prependListener('connection', () => {
    const wanted = faults.has('tls-accepts-tls11');
    if (wanted === acceptsTls11) return;
    server.setSecureContext(tlsContextOptions(wanted));
    acceptsTls11 = wanted;
  });
}
