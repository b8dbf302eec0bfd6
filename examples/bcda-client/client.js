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
 *   token-to-any-origin   sends the token to file URLs on other origins too
 *   gzip-undecoded      asks for gzip but reads the raw bytes as NDJSON (and fails on a gzip answer)
 *   serial-download     downloads one file at a time
 *   unbounded-download  downloads every file at once, however many there are
 *   one-file-per-type   downloads only the first file of each resource type
 *   no-cancel           gives up on a job that never finishes without cancelling it
 *   token-ignore-429    asks for a token again at once after a 429
 *   silent-failure      says nothing of a failed job's OperationOutcome
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
/** Files downloaded at once (BCDA asks for concurrent downloads; a few keep the server calm). */
const PARALLEL_DOWNLOADS = 4;
/**
 * How long to wait for a job before giving up on it (and cancelling it): an hour, or half the
 * time budget the client test kit announces in BCDA_TIME_BUDGET.
 */
const budgetSeconds = Number(process.env.BCDA_TIME_BUDGET);
const JOB_TIMEOUT_MS =
  (Number.isFinite(budgetSeconds) && budgetSeconds > 0 ? budgetSeconds / 2 : 3600) * 1000;

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
      await sleep(BUGS.has('token-ignore-429') ? 0 : retryAfterMs(res, 1));
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

/** The job has run longer than the client waits: it is abandoned (and cancelled). */
class JobTimedOut extends Error {}

/** Polls the Content-Location exactly as given; returns the manifest, or undefined for a failed job. */
async function poll(given) {
  const location = BUGS.has('rebuilt-poll-url') ? `${given}?_=1` : given;
  const deadline = Date.now() + JOB_TIMEOUT_MS;
  let backoff = FIRST_POLL_SECONDS;
  for (let n = 0; n < MAX_POLLS; n += 1) {
    if (Date.now() > deadline) throw new JobTimedOut(`the job was not done after ${JOB_TIMEOUT_MS / 1000} s`);
    const res = await authorizedGet(location, { accept: 'application/json' });
    if (res.status === 200) {
      const manifest = await res.json();
      if (BUGS.has('poll-after-200')) await (await authorizedGet(location)).arrayBuffer();
      return manifest;
    }
    const text = await res.text();
    // Still refused after a new token: the client's own trouble, not the job's end.
    if (res.status === 401) throw new Error('the status request was refused (401) even with a new token');
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
    if (!BUGS.has('silent-failure')) console.error(`the job ended with ${res.status}: ${diagnostics}`);
    if (BUGS.has('poll-failed-job'))
      for (let again = 0; again < 3; again += 1) await (await authorizedGet(location)).arrayBuffer();
    return undefined;
  }
  throw new Error(`the job was still running after ${MAX_POLLS} polls`);
}

/** A file answered 404/410: the export's files expired, and only a new export brings them back. */
class FilesExpired extends Error {}

/** A GET that reads the raw bytes, undecoded (the gzip-undecoded bug's way of downloading). */
function rawGet(url, headers) {
  const http = require(url.startsWith('https:') ? 'node:https' : 'node:http');
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode,
            ok: res.statusCode >= 200 && res.statusCode < 300,
            headers: { get: (name) => res.headers[name.toLowerCase()] ?? null },
            arrayBuffer: async () => body,
          });
        });
      })
      .on('error', reject);
  });
}

/** Each non-empty line must be a FHIR resource: proof the (decoded) file was read right. */
function checkNdjson(bytes, type) {
  const lines = Buffer.from(bytes)
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim());
  for (const line of lines) {
    let resource;
    try {
      resource = JSON.parse(line);
    } catch {
      throw new Error(`a ${type} file is not NDJSON`);
    }
    if (!resource || typeof resource.resourceType !== 'string')
      throw new Error(`a ${type} file holds a non-resource line`);
  }
  return lines.length;
}

/** Runs `work` over `items`, at most `limit` at a time; every item is tried, then the first error is thrown. */
async function pooled(items, limit, work) {
  const results = new Array(items.length);
  const errors = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = await work(items[i]);
      } catch (err) {
        errors.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length) throw errors.find((e) => e instanceof FilesExpired) ?? errors[0];
  return results;
}

/** Downloads every output and error file, a few at once; the token goes only where it is due. */
async function download(manifest) {
  const origin = new URL(base).origin;
  let outputs = manifest.output || [];
  if (BUGS.has('skip-last-output')) outputs = outputs.slice(0, -1);
  if (BUGS.has('one-file-per-type'))
    outputs = outputs.filter((f, i) => outputs.findIndex((g) => g.type === f.type) === i);
  const files = [...outputs, ...(BUGS.has('skip-error-files') ? [] : manifest.error || [])];
  const encoding = { 'accept-encoding': BUGS.has('no-gzip') ? 'identity' : 'gzip' };
  const limit = BUGS.has('serial-download')
    ? 1
    : BUGS.has('unbounded-download')
      ? files.length
      : PARALLEL_DOWNLOADS;
  const lines = await pooled(files, limit, async (file) => {
    const sameOrigin = new URL(file.url).origin === origin;
    const withToken =
      manifest.requiresAccessToken &&
      (sameOrigin || BUGS.has('token-to-any-origin')) &&
      !BUGS.has('no-download-token');
    const get = async () =>
      BUGS.has('gzip-undecoded')
        ? rawGet(
            file.url,
            withToken ? { ...encoding, authorization: `${scheme} ${await currentToken()}` } : encoding,
          )
        : withToken
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
    return checkNdjson(body, file.type);
  });
  console.log(`downloaded ${files.length} file(s), ${lines.reduce((a, b) => a + b, 0)} resources`);
}

/** Cancels a job the client gives up on, so the server stops working for nobody. */
async function cancel(location) {
  try {
    const res = await fetch(location, {
      method: 'DELETE',
      headers: { authorization: `${scheme} ${await currentToken()}` },
    });
    await res.arrayBuffer();
    console.error(`cancelled the job (${res.status})`);
  } catch (err) {
    console.error(`could not cancel the job: ${err.message}`);
  }
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
    let manifest;
    try {
      manifest = await poll(location);
    } catch (err) {
      // A job the client stops waiting for (timed out, or an error of its own) is cancelled.
      if (!(err instanceof JobTimedOut && BUGS.has('no-cancel'))) await cancel(location);
      if (err instanceof JobTimedOut) {
        console.error(`bcda-client: ${err.message}; gave up`);
        return 4;
      }
      throw err;
    }
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
