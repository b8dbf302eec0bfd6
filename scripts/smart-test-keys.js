#!/usr/bin/env node
/**
 * Writes the published SMART Backend Services test clients of the generic mock
 * (`bcda-conformance mock --profile bulk-data-ig`) into fixtures/smart/: for each client an RS384
 * and an ES384 private JWK, and one public JWKS. Run once; the keys are committed (test keys,
 * public by design). Running it again replaces them, which breaks nothing but the diff.
 *
 *   node scripts/smart-test-keys.js
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { exportJWK, generateKeyPair, calculateJwkThumbprint } = require('jose');

const OUT = path.join(__dirname, '..', 'fixtures', 'smart');
const CLIENTS = ['bulk-ig-full-client', 'bulk-ig-narrow-client'];
const ALGS = [
  { alg: 'RS384', options: { modulusLength: 2048, extractable: true } },
  { alg: 'ES384', options: { extractable: true } },
];

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  for (const client of CLIENTS) {
    const keys = [];
    for (const { alg, options } of ALGS) {
      const { privateKey, publicKey } = await generateKeyPair(alg, options);
      const pub = await exportJWK(publicKey);
      const kid = `${client}-${alg.toLowerCase()}-${(await calculateJwkThumbprint(pub)).slice(0, 8)}`;
      const priv = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
      fs.writeFileSync(
        path.join(OUT, `${client}.${alg.toLowerCase()}.private.jwk.json`),
        `${JSON.stringify(priv, null, 2)}\n`,
      );
      keys.push({ ...pub, kid, alg, use: 'sig', key_ops: ['verify'] });
    }
    fs.writeFileSync(path.join(OUT, `${client}.jwks.json`), `${JSON.stringify({ keys }, null, 2)}\n`);
  }
  process.stdout.write(`wrote ${CLIENTS.length} clients' keys to ${path.relative(process.cwd(), OUT)}\n`);
}

main().catch((err) => {
  process.stderr.write(`smart-test-keys: ${err.message}\n`);
  process.exitCode = 1;
});
