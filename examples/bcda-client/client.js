#!/usr/bin/env node
/**
 * A small reference BCDA client (plain Node 20, no dependencies): token, kick-off, polling and
 * downloads done the way BCDA's documents ask. The client test kit grades it and expects it to pass
 * every scenario:
 *
 *   bcda-conformance client --exec "node examples/bcda-client/client.js"
 *
 * It reads BCDA_URL, BCDA_CLIENT_ID, BCDA_CLIENT_SECRET and BCDA_API_VERSION (the kit sets them).
 * BCDA_CLIENT_BUG=name[,name] switches on deliberate bugs, so the kit's tests can prove that each
 * client check catches the bug it names:
 *   stale-token-retry   after a 401, fetches a new token but retries with the old Authorization header
 *   no-prefer           leaves Prefer: respond-async out of the kick-off
 *   ignore-retry-after  retries a 429 at once and polls every 100 ms whatever Retry-After says
 *   token-get           asks for its token with GET instead of POST
 *   token-per-request   asks for a new token before every request
 *   lowercase-bearer    sends "bearer <token>"
 *   no-accept           leaves Accept out of the kick-off
 *   rebuilt-poll-url    polls its own URL for the job (Content-Location plus a query) instead of the one given
 *   poll-after-200      polls the job once more after its manifest
 *   poll-failed-job     keeps polling a failed job three more times
 *   skip-last-output    leaves the manifest's last output file undownloaded
 *   skip-error-files    downloads no error file
 *   no-download-token   downloads without the token although requiresAccessToken is true
 *   secret-in-url       also puts its secret in the token request's query string
 *   double-kickoff      kicks the same export off twice
 *   give-up-on-503      treats a 503 status answer as a failed job
 *   date-since          sends _since as a bare date, not a FHIR instant
 *   retry-expired-file  retries an expired file (404/410) five times instead of starting a new export
 *   fast-poll           without Retry-After, polls every 200 ms
 *   hang                gets a token, then waits forever
 *   give-up-download-503  treats a 503 download answer as final
 *   no-gzip             asks for files uncompressed (Accept-Encoding: identity)
 */
'use strict';

const BUGS = new Set((process.env.BCDA_CLIENT_BUG || '').split(',').filter(Boolean));
const base = (process.env.BCDA_URL || '').replace(/\/+$/, '');
const clientId = process.env.BCDA_CLIENT_ID || '';
const clientSecret = process.env.BCDA_CLIENT_SECRET || '';
const version = process.env.BCDA_API_VERSION || 'v2';

/** Renew a token this long before it expires (BCDA's last 20 minutes). */
const NEAR_EXPIRY_MS = 60_000;
/** Poll interval when the server sends no Retry-After: from 1 s, half again longer each time up to 10 s. */
const FIRST_POLL_SECONDS = 1;
const LONGEST_POLL_SECONDS = 10;
const MAX_POLLS = 300;
const MAX_429_RETRIES = 5;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Milliseconds a Retry-After asks for (delay-seconds or an HTTP-date), or the fallback. */
function retryAfterMs(res, fallbackSeconds) {
  const value = res.headers.get('retry-after');
  if (value && /^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = value ? Date.parse(value) : NaN;
  return Number.isNaN(date) ? fallbackSeconds * 1000 : Math.max(0, date - Date.now());
}

let token; // { value, expiresAt } — kept in memory only, never printed

async function newToken() {
  const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
  for (let attempt = 0; attempt <= MAX_429_RETRIES; attempt += 1) {
    const query = BUGS.has('secret-in-url') ? `?client_secret=${encodeURIComponent(clientSecret)}` : '';
    const res = await fetch(`${base}/auth/token${query}`, {
      method: BUGS.has('token-get') ? 'GET' : 'POST',
      headers: { authorization: `Basic ${basic}`, accept: 'application/json' },
    });
    if (res.status === 429 || res.status === 503) {
      await res.arrayBuffer();
      await sleep(retryAfterMs(res, 1));
      continue;
    }
    if (!res.ok) throw new Error(`the token request was answered ${res.status}`);
    const body = await res.json();
    const lifetime = Number(body.expires_in);
    token = {
      value: body.access_token,
      expiresAt: Date.now() + (Number.isFinite(lifetime) ? lifetime : 1200) * 1000,
    };
    return token.value;
  }
  throw new Error('the token endpoint kept answering 429/503');
}

async function currentToken() {
  if (!token || token.expiresAt - Date.now() < NEAR_EXPIRY_MS || BUGS.has('token-per-request'))
    await newToken();
  return token.value;
}

/** A GET with the token; a 401 (expired token) gets one new token and one retry with it. */
const scheme = BUGS.has('lowercase-bearer') ? 'bearer' : 'Bearer';

async function authorizedGet(url, headers = {}) {
  let authorization = `${scheme} ${await currentToken()}`;
  const res = await fetch(url, { headers: { ...headers, authorization } });
  if (res.status !== 401) return res;
  await res.arrayBuffer();
  const fresh = await newToken();
  if (!BUGS.has('stale-token-retry')) authorization = `${scheme} ${fresh}`;
  return fetch(url, { headers: { ...headers, authorization } });
}

async function kickOff() {
  // Adjudicated claims since a fixed instant (seed 000's example, whole seconds).
  const since = BUGS.has('date-since') ? '2020-02-13' : '2020-02-13T08:00:00-05:00';
  const query = new URLSearchParams({ _type: 'Patient,Coverage,ExplanationOfBenefit', _since: since });
  const url = `${base}/api/${version}/Group/all/$export?${query}`;
  const headers = BUGS.has('no-accept') ? {} : { accept: 'application/fhir+json' };
  if (!BUGS.has('no-prefer')) headers.prefer = 'respond-async';
  for (let attempt = 0; attempt <= MAX_429_RETRIES; attempt += 1) {
    const res = await authorizedGet(url, headers);
    await res.arrayBuffer();
    if (res.status === 202) {
      const location = res.headers.get('content-location');
      if (!location) throw new Error('the kick-off was accepted without a Content-Location');
      return location;
    }
    if (res.status !== 429) throw new Error(`the kick-off was answered ${res.status}`);
    await sleep(BUGS.has('ignore-retry-after') ? 0 : retryAfterMs(res, 5));
  }
  throw new Error('the kick-off kept answering 429');
}

/** Polls the Content-Location exactly as given; returns the manifest, or undefined for a failed job. */
async function poll(given) {
  const location = BUGS.has('rebuilt-poll-url') ? `${given}?_=1` : given;
  let backoff = FIRST_POLL_SECONDS;
  for (let n = 0; n < MAX_POLLS; n += 1) {
    const res = await authorizedGet(location, { accept: 'application/json' });
    if (res.status === 200) {
      const manifest = await res.json();
      if (BUGS.has('poll-after-200')) await (await authorizedGet(location)).arrayBuffer();
      return manifest;
    }
    const text = await res.text();
    const transient = res.status === 503 && !BUGS.has('give-up-on-503');
    if (res.status === 202 || res.status === 429 || transient) {
      const progress = res.headers.get('x-progress');
      if (progress) console.log(`job: ${progress}`);
      const own = BUGS.has('fast-poll') ? 0.2 : backoff;
      if (!res.headers.get('retry-after')) backoff = Math.min(backoff * 1.5, LONGEST_POLL_SECONDS);
      await sleep(BUGS.has('ignore-retry-after') ? 100 : retryAfterMs(res, own));
      continue;
    }
    // 4xx/5xx: the job failed (or is gone). Terminal: surface the OperationOutcome and stop.
    let diagnostics = text.slice(0, 300);
    try {
      const outcome = JSON.parse(text);
      diagnostics = (outcome.issue || []).map((i) => i.diagnostics || i.code).join('; ') || diagnostics;
    } catch {
      // Not JSON: show the text as it is.
    }
    console.error(`the job ended with ${res.status}: ${diagnostics}`);
    if (BUGS.has('poll-failed-job'))
      for (let again = 0; again < 3; again += 1) await (await authorizedGet(location)).arrayBuffer();
    return undefined;
  }
  throw new Error(`the job was still running after ${MAX_POLLS} polls`);
}

/** A file answered 404/410: the export's files expired, and only a new export brings them back. */
class FilesExpired extends Error {}

/** Downloads every output and error file at once; the token goes only where it is due. */
async function download(manifest) {
  const origin = new URL(base).origin;
  const outputs = BUGS.has('skip-last-output') ? (manifest.output || []).slice(0, -1) : manifest.output || [];
  const files = [...outputs, ...(BUGS.has('skip-error-files') ? [] : manifest.error || [])];
  const encoding = { 'accept-encoding': BUGS.has('no-gzip') ? 'identity' : 'gzip' };
  const sizes = await Promise.all(
    files.map(async (file) => {
      const sameOrigin = new URL(file.url).origin === origin;
      const get = () =>
        manifest.requiresAccessToken && sameOrigin && !BUGS.has('no-download-token')
          ? authorizedGet(file.url, encoding)
          : fetch(file.url, { headers: encoding });
      let res = await get();
      for (
        let again = 0;
        BUGS.has('retry-expired-file') && again < 5 && [404, 410].includes(res.status);
        again += 1
      ) {
        await res.arrayBuffer();
        res = await get();
      }
      // 503: the server is unavailable for now; wait as asked and try again (a few times).
      for (let again = 0; res.status === 503 && again < 3 && !BUGS.has('give-up-download-503'); again += 1) {
        await res.arrayBuffer();
        await sleep(retryAfterMs(res, 1));
        res = await get();
      }
      const body = await res.arrayBuffer();
      if (res.status === 404 || res.status === 410) throw new FilesExpired(`a ${file.type} file has expired`);
      if (!res.ok) throw new Error(`downloading a ${file.type} file was answered ${res.status}`);
      return body.byteLength;
    }),
  );
  console.log(`downloaded ${files.length} file(s), ${sizes.reduce((a, b) => a + b, 0)} bytes`);
}

async function main() {
  if (!base || !clientId || !clientSecret) {
    console.error('set BCDA_URL, BCDA_CLIENT_ID and BCDA_CLIENT_SECRET');
    return 2;
  }
  // One new export when the files of the first have expired before they were all downloaded.
  for (let attempt = 1; ; attempt += 1) {
    if (BUGS.has('hang')) {
      await currentToken();
      await new Promise(() => setInterval(() => {}, 60_000)); // never resolves
    }
    const location = await kickOff();
    if (BUGS.has('double-kickoff')) await kickOff();
    console.log(`job started: ${location}`);
    const manifest = await poll(location);
    if (!manifest) return 3;
    try {
      await download(manifest);
      return 0;
    } catch (err) {
      if (!(err instanceof FilesExpired) || attempt >= 2 || BUGS.has('retry-expired-file')) throw err;
      console.log(`${err.message}: starting a new export`);
    }
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`bcda-client: ${err.message}`);
    process.exitCode = 1;
  },
);
