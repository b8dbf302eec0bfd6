#!/usr/bin/env node
/**
 * A small reference BCDA client (plain Node 20, no dependencies): token, kick-off, polling and
 * downloads done the way BCDA's documents ask. The client test kit grades it and expects it to pass
 * every scenario:
 *
 *   bcda-conformance client --exec "node examples/bcda-client/client.js"
 *
 * Run as a program it reads BCDA_URL, BCDA_CLIENT_ID, BCDA_CLIENT_SECRET, BCDA_API_VERSION and
 * BCDA_ENDPOINT (the kit sets them). Required as a module, `runBcdaClient(options)` runs it in the
 * calling process (see gradeClient's `run` in src/client-kit/README.md).
 *
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
 *   basic-trailing-newline  encodes "id:secret\n" as its Basic credentials (`echo` without -n)
 *   token-no-accept     asks for its token without Accept: application/json
 *   kickoff-no-token    kicks off without the Authorization header
 *   status-no-accept    polls the job without Accept: application/fhir+json
 *   cancel-no-token     cancels a job without the Authorization header
 *   jobs-no-prefer      asks for its job history without Prefer: respond-async
 *   attribution-fhir-accept  asks for the attribution status with Accept: application/fhir+json
 *   early-since         sends a _since before 2020-02-12
 *   claims-on-v1        asks for Claim and ClaimResponse on whatever version it was given (v1 too)
 *   group-no-id         kicks a Group export off at /Group/$export, naming no group
 */
'use strict';

/** Renew a token this long before it expires (BCDA's last 20 minutes). */
const NEAR_EXPIRY_MS = 60_000;
/** Poll interval when the server sends no Retry-After: from 1 s, half again longer each time up to 10 s. */
const FIRST_POLL_SECONDS = 1;
const LONGEST_POLL_SECONDS = 10;
const MAX_POLLS = 300;
const MAX_429_RETRIES = 5;
/** Files downloaded at once (BCDA asks for concurrent downloads; a few keep the server calm). */
const PARALLEL_DOWNLOADS = 4;
const FHIR_JSON = 'application/fhir+json';

/** The job has run longer than the client waits: it is abandoned (and cancelled). */
class JobTimedOut extends Error {}

/** A file answered 404/410: the export's files expired, and only a new export brings them back. */
class FilesExpired extends Error {}

/**
 * One client run. `options`: url, clientId, clientSecret, apiVersion, endpoint (`Group/all`,
 * `Group/runout` or `Patient`), budgetSeconds (the job timeout is 40% of it), bugs (a Set of the
 * names above), signal (an AbortSignal), log and error (where messages for the user go).
 */
function createClient(options) {
  const BUGS = options.bugs || new Set();
  const base = (options.url || '').replace(/\/+$/, '');
  const { clientId, clientSecret, signal } = options;
  const version = options.apiVersion || 'v2';
  const endpoint = options.endpoint || 'Group/all';
  const log = options.log || console.log;
  const error = options.error || console.error;
  /**
   * When to give up on a job (and cancel it): an hour after the client started, or, given a time
   * budget, after 40% of it (what is left covers a slow start, the cancel and the exit).
   */
  const budget = Number(options.budgetSeconds);
  const JOB_TIMEOUT_MS = (Number.isFinite(budget) && budget > 0 ? budget * 0.4 : 3600) * 1000;
  const startedAt = Date.now();

  const request = (url, init = {}) => fetch(url, { ...init, ...(signal ? { signal } : {}) });
  const sleep = (ms) =>
    new Promise((resolve, reject) => {
      if (!signal) return void setTimeout(resolve, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });

  /** Milliseconds a Retry-After asks for (delay-seconds or an HTTP-date), or the fallback. */
  function retryAfterMs(res, fallbackSeconds) {
    const value = res.headers.get('retry-after');
    if (value && /^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
    const date = value ? Date.parse(value) : NaN;
    return Number.isNaN(date) ? fallbackSeconds * 1000 : Math.max(0, date - Date.now());
  }

  let token; // { value, expiresAt }: kept in memory only, never printed
  let renewing; // the token request in flight, shared by every request that needs a new token

  async function newToken() {
    const pair = `${clientId}:${clientSecret}${BUGS.has('basic-trailing-newline') ? '\n' : ''}`;
    const basic = Buffer.from(pair).toString('base64');
    for (let attempt = 0; attempt <= MAX_429_RETRIES; attempt += 1) {
      const query = BUGS.has('secret-in-url') ? `?client_secret=${encodeURIComponent(clientSecret)}` : '';
      const res = await request(`${base}/auth/token${query}`, {
        method: BUGS.has('token-get') ? 'GET' : 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          ...(BUGS.has('token-no-accept') ? {} : { accept: 'application/json' }),
        },
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

  /** A new token, asked for once however many requests need it at the same moment. */
  function renew() {
    renewing ??= newToken().finally(() => {
      renewing = undefined;
    });
    return renewing;
  }

  async function currentToken() {
    if (renewing) return renewing;
    if (!token || token.expiresAt - Date.now() < NEAR_EXPIRY_MS || BUGS.has('token-per-request'))
      return renew();
    return token.value;
  }

  const scheme = BUGS.has('lowercase-bearer') ? 'bearer' : 'Bearer';

  /** A request with the token; a 401 (expired token) gets a new token and one retry with it. */
  async function authorized(url, headers = {}, method = 'GET') {
    const used = await currentToken();
    let authorization = `${scheme} ${used}`;
    const res = await request(url, { method, headers: { ...headers, authorization } });
    if (res.status !== 401) return res;
    await res.arrayBuffer();
    // Another request may have renewed the token since this one was sent: use that one.
    const fresh = token && token.value !== used && !renewing ? token.value : await renew();
    if (!BUGS.has('stale-token-retry')) authorization = `${scheme} ${fresh}`;
    return request(url, { method, headers: { ...headers, authorization } });
  }

  /**
   * What BCDA knows of the ACO before an export: when its attribution last changed, and its past
   * jobs (seed 001: comparing the two tells whether new data may be waiting). Only shown.
   */
  async function history() {
    try {
      const accept = BUGS.has('attribution-fhir-accept') ? FHIR_JSON : 'application/json';
      const res = await authorized(`${base}/api/${version}/attribution_status`, { accept });
      const status = res.ok ? await res.json() : (await res.arrayBuffer(), {});
      const attributed = (status.ingestion_dates || []).find((d) => d.type === 'last_attribution_update');
      const jobs = await authorized(`${base}/api/${version}/jobs`, {
        accept: FHIR_JSON,
        ...(BUGS.has('jobs-no-prefer') ? {} : { prefer: 'respond-async' }),
      });
      // 404: no job yet.
      const bundle = jobs.ok ? await jobs.json() : (await jobs.arrayBuffer(), {});
      const tasks = (bundle.entry || []).map((e) => e.resource);
      const ends = tasks.map((t) => t.executionPeriod && t.executionPeriod.end).filter(Boolean);
      const latest = ends.sort().at(-1);
      log(
        `attribution last updated ${attributed ? attributed.timestamp : 'never'}; ${tasks.length} earlier job(s)${latest ? `, the latest ended ${latest}` : ''}`,
      );
    } catch (err) {
      if (signal?.aborted) throw err;
      log(`could not read the ACO's history: ${err.message}`);
    }
  }

  async function kickOff() {
    // Adjudicated claims since a fixed instant (seed 000's example, whole seconds).
    const since = BUGS.has('date-since')
      ? '2020-02-13'
      : BUGS.has('early-since')
        ? '2019-06-01T00:00:00Z'
        : '2020-02-13T08:00:00-05:00';
    const types = ['Patient', 'Coverage', 'ExplanationOfBenefit'];
    if (BUGS.has('claims-on-v1')) types.push('Claim', 'ClaimResponse');
    const query = new URLSearchParams({ _type: types.join(','), _since: since });
    const path = BUGS.has('group-no-id') && endpoint.startsWith('Group/') ? 'Group' : endpoint;
    const url = `${base}/api/${version}/${path}/$export?${query}`;
    const headers = BUGS.has('no-accept') ? {} : { accept: FHIR_JSON };
    if (!BUGS.has('no-prefer')) headers.prefer = 'respond-async';
    for (let attempt = 0; attempt <= MAX_429_RETRIES; attempt += 1) {
      const res = BUGS.has('kickoff-no-token')
        ? await request(url, { headers })
        : await authorized(url, headers);
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
    const headers = BUGS.has('status-no-accept') ? {} : { accept: FHIR_JSON };
    const deadline = startedAt + JOB_TIMEOUT_MS;
    let backoff = FIRST_POLL_SECONDS;
    for (let n = 0; n < MAX_POLLS; n += 1) {
      if (Date.now() > deadline)
        throw new JobTimedOut(`the job was not done ${JOB_TIMEOUT_MS / 1000} s after the client started`);
      const res = await authorized(location, headers);
      if (res.status === 200) {
        const manifest = await res.json();
        if (BUGS.has('poll-after-200')) await (await authorized(location, headers)).arrayBuffer();
        return manifest;
      }
      const text = await res.text();
      // Still refused after a new token: the client's own trouble, not the job's end.
      if (res.status === 401) throw new Error('the status request was refused (401) even with a new token');
      const transient = res.status === 503 && !BUGS.has('give-up-on-503');
      if (res.status === 202 || res.status === 429 || transient) {
        const progress = res.headers.get('x-progress');
        if (progress) log(`job: ${progress}`);
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
      if (!BUGS.has('silent-failure')) error(`the job ended with ${res.status}: ${diagnostics}`);
      if (BUGS.has('poll-failed-job'))
        for (let again = 0; again < 3; again += 1) await (await authorized(location, headers)).arrayBuffer();
      return undefined;
    }
    throw new Error(`the job was still running after ${MAX_POLLS} polls`);
  }

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
            ? authorized(file.url, encoding)
            : request(file.url, { headers: encoding });
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
    log(`downloaded ${files.length} file(s), ${lines.reduce((a, b) => a + b, 0)} resources`);
  }

  /** Cancels a job the client gives up on, so the server stops working for nobody. */
  async function cancel(location) {
    try {
      const res = BUGS.has('cancel-no-token')
        ? await request(location, { method: 'DELETE' })
        : await authorized(location, {}, 'DELETE');
      await res.arrayBuffer();
      error(`cancelled the job (${res.status})`);
    } catch (err) {
      error(`could not cancel the job: ${err.message}`);
    }
  }

  /** The whole run; resolves with an exit code (0 done, 3 the job failed, 4 gave up on the job). */
  async function main() {
    if (!base || !clientId || !clientSecret) {
      error('set BCDA_URL, BCDA_CLIENT_ID and BCDA_CLIENT_SECRET');
      return 2;
    }
    if (BUGS.has('hang')) {
      await currentToken();
      await new Promise(() => setInterval(() => {}, 60_000)); // never resolves
    }
    await history();
    // One new export when the files of the first have expired before they were all downloaded.
    for (let attempt = 1; ; attempt += 1) {
      const location = await kickOff();
      if (BUGS.has('double-kickoff')) await kickOff();
      log(`job started: ${location}`);
      let manifest;
      try {
        manifest = await poll(location);
      } catch (err) {
        // A job the client stops waiting for (timed out, or an error of its own) is cancelled.
        if (!(err instanceof JobTimedOut && BUGS.has('no-cancel'))) await cancel(location);
        if (err instanceof JobTimedOut) {
          error(`bcda-client: ${err.message}; gave up`);
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
        log(`${err.message}: starting a new export`);
      }
    }
  }

  return { main };
}

/** Runs the client in this process; rejects unless it ends with exit code 0. */
async function runBcdaClient(options) {
  const code = await createClient(options).main();
  if (code !== 0) throw new Error(`the client ended with exit code ${code}`);
}

module.exports = { runBcdaClient };

if (require.main === module) {
  const env = process.env;
  createClient({
    url: env.BCDA_URL,
    clientId: env.BCDA_CLIENT_ID,
    clientSecret: env.BCDA_CLIENT_SECRET,
    apiVersion: env.BCDA_API_VERSION,
    endpoint: env.BCDA_ENDPOINT,
    budgetSeconds: env.BCDA_TIME_BUDGET,
    bugs: new Set((env.BCDA_CLIENT_BUG || '').split(',').filter(Boolean)),
  })
    .main()
    .then(
      (code) => {
        process.exitCode = code;
      },
      (err) => {
        console.error(`bcda-client: ${err.message}`);
        process.exitCode = 1;
      },
    );
}
