/** Client checks of downloading an export's files. */
import type { ClientCheck } from '../types';
import { TIMING_SLACK_MS } from './kickoff';
import {
  describe,
  fail,
  isDownload,
  isKickoff,
  manifestOf,
  pass,
  endMs,
  onServerOrigin,
  pathAndQuery,
  retryAfterSeconds,
  skip,
  type Manifest,
  type Req,
} from '../requests';

/** The last manifest the client received, with its request. */
function lastManifest(requests: readonly Req[]): { req: Req; manifest: Manifest } | undefined {
  for (let i = requests.length - 1; i >= 0; i -= 1) {
    const manifest = manifestOf(requests[i]!);
    if (manifest) return { req: requests[i]!, manifest };
  }
  return undefined;
}

function fetchesAll(
  id: string,
  kind: 'output' | 'error',
  level: 'MUST' | 'SHOULD',
  title: string,
  refs: string[],
): ClientCheck {
  return {
    id,
    title,
    description: `Every ${kind === 'output' ? 'data file' : 'error file'} the manifest lists is downloaded.`,
    level,
    area: 'download',
    refs,
    run({ requests }) {
      const last = lastManifest(requests);
      if (!last) return skip('the client received no manifest');
      const files = last.manifest[kind];
      if (!files.length) return skip(`the manifest (${last.req.id}) lists no ${kind} file`);
      const after = requests.slice(requests.indexOf(last.req) + 1).filter(isDownload);
      const fetched = new Set(after.map((r) => r.url));
      const missed = files.filter((f) => !fetched.has(pathAndQuery(f.url) ?? f.url));
      if (missed.length)
        return fail(
          `${missed.length} of the ${files.length} ${kind} file(s) listed in ${last.req.id} were never requested, e.g. ${missed[0]!.type} ${pathAndQuery(missed[0]!.url) ?? missed[0]!.url}`,
          [last.req.id],
          `a GET of each of the ${files.length} ${kind} URLs`,
          `${files.length - missed.length} requested`,
        );
      const evidence = after.filter((r) => files.some((f) => pathAndQuery(f.url) === r.url)).map((r) => r.id);
      return pass(`all ${files.length} ${kind} file(s) of ${last.req.id} were requested`, evidence);
    },
  };
}

const DOWNLOAD_TOKEN: ClientCheck = {
  id: 'CLIENT-DOWNLOAD-TOKEN',
  title: 'Sends the token to file URLs exactly when requiresAccessToken says so',
  description:
    "A file download from the server's origin carries Authorization: Bearer when the manifest says requiresAccessToken: true, and no token when false.",
  level: 'MUST',
  area: 'download',
  refs: ['bulkdata@201', 'bulkdata@216', 'seed:001 §4. Download the data'],
  requirements: ['BCDA-001-073'],
  run({ requests, origin }) {
    const last = lastManifest(requests);
    if (!last || last.manifest.requiresAccessToken === undefined)
      return skip('the client received no manifest saying requiresAccessToken');
    const needs = last.manifest.requiresAccessToken;
    // Files on another origin never get the token (CLIENT-DOWNLOAD-TOKEN-ORIGIN judges those).
    const downloads = requests
      .slice(requests.indexOf(last.req) + 1)
      .filter((r) => isDownload(r) && onServerOrigin(r, origin));
    if (!downloads.length) return skip("the client downloaded no file from the server's origin");
    const bad = downloads.filter((r) => (r.credential !== undefined) !== needs);
    if (bad.length)
      return fail(
        `${describe(bad[0]!)} ${needs ? 'sent no token' : `sent Authorization: ${bad[0]!.headers.authorization ?? ''}`} although ${last.req.id} said requiresAccessToken: ${String(needs)}`,
        [last.req.id, ...bad.map((r) => r.id)],
        needs ? 'Authorization: Bearer <token>' : 'no Authorization header',
        needs ? 'no token' : 'a token',
      );
    return pass(
      `${downloads.length} download(s) ${needs ? 'with' : 'without'} the token, as requiresAccessToken: ${String(needs)} asks`,
      downloads.map((r) => r.id),
    );
  },
};

/** Requests of one expired file the client may still make after its first 404/410. */
export const EXPIRED_RETRIES_ALLOWED = 2;

const DOWNLOAD_EXPIRED_RESTART: ClientCheck = {
  id: 'CLIENT-DOWNLOAD-EXPIRED-RESTART',
  title: 'Starts a new export when its files have expired',
  description: `After a file download answers 404 or 410 (the files expired), the client asks for that file at most ${EXPIRED_RETRIES_ALLOWED} more times and starts a new export.`,
  level: 'SHOULD',
  area: 'download',
  refs: ['seed:001 §Files expire after 24 hours'],
  requirements: ['BCDA-001-069'],
  run({ requests }) {
    const gone = requests.find((r) => isDownload(r) && (r.status === 404 || r.status === 410));
    if (!gone) return skip('no download answered 404 or 410');
    const after = requests.slice(requests.indexOf(gone) + 1);
    const again = after.filter((r) => r.url === gone.url);
    if (again.length > EXPIRED_RETRIES_ALLOWED)
      return fail(
        `${describe(gone)} answered ${gone.status}, and the client asked for the same file ${again.length} more times`,
        [gone.id, ...again.map((r) => r.id)],
        `at most ${EXPIRED_RETRIES_ALLOWED} more requests, then a new export`,
        `${again.length} more requests`,
      );
    const restart = after.find(isKickoff);
    if (!restart)
      return fail(
        `${describe(gone)} answered ${gone.status} (the files expired) and the client started no new export`,
        [gone.id],
        'a new kick-off',
        'no kick-off after the expiry',
      );
    return pass(`after ${gone.id} answered ${gone.status}, ${restart.id} started a new export`, [
      gone.id,
      restart.id,
    ]);
  },
};

const DOWNLOAD_TRANSIENT_RETRY: ClientCheck = {
  id: 'CLIENT-DOWNLOAD-TRANSIENT-RETRY',
  title: 'Retries a download after a transient 503',
  description:
    'A file download answered 503 is asked for again (after Retry-After when one is given) instead of being given up.',
  level: 'SHOULD',
  area: 'download',
  refs: ['seed:001 §4. Download the data', 'behavior §5'],
  run({ requests }) {
    const failed = requests.filter((r) => isDownload(r) && r.status === 503);
    if (!failed.length) return skip('no download was answered 503');
    for (const answer of failed) {
      const next = requests.slice(requests.indexOf(answer) + 1).find((r) => r.url === answer.url);
      if (!next)
        return fail(
          `the client gave up on the file after ${describe(answer)} answered 503 (a transient error)`,
          [answer.id],
          'the file asked for again',
          'no further request of it',
        );
      const wait = retryAfterSeconds(answer);
      const waitedMs = next.atMs - (answer.respondedAtMs ?? answer.atMs);
      if (wait !== undefined && waitedMs + TIMING_SLACK_MS < wait * 1000)
        return fail(
          `${describe(next)} asked again ${waitedMs} ms after ${answer.id} answered 503 with Retry-After: ${wait}`,
          [answer.id, next.id],
          `at least ${wait} s later`,
          `${waitedMs} ms later`,
        );
    }
    return pass(
      `${failed.length} download(s) answered 503, each asked for again in time`,
      failed.map((r) => r.id),
    );
  },
};

const DOWNLOAD_GZIP: ClientCheck = {
  id: 'CLIENT-DOWNLOAD-GZIP',
  title: 'Asks for compressed files',
  description: 'File downloads send Accept-Encoding naming gzip, which BCDA recommends for faster downloads.',
  level: 'MAY',
  area: 'download',
  refs: ['seed:001 §Request header: compressed data files'],
  requirements: ['BCDA-001-074'],
  run({ requests }) {
    const downloads = requests.filter(isDownload);
    if (!downloads.length) return skip('the client downloaded no file');
    const plain = downloads.filter((r) => !/\bgzip\b/i.test(r.headers['accept-encoding'] ?? ''));
    if (plain.length)
      return fail(
        `${describe(plain[0]!)} sent ${plain[0]!.headers['accept-encoding'] === undefined ? 'no Accept-Encoding' : `Accept-Encoding: ${plain[0]!.headers['accept-encoding']}`} (${plain.length} of ${downloads.length} downloads without gzip)`,
        plain.map((r) => r.id),
        'Accept-Encoding: gzip',
        plain[0]!.headers['accept-encoding'] ?? 'no Accept-Encoding',
      );
    return pass(
      `${downloads.length} download(s) asked for gzip`,
      downloads.slice(0, 3).map((r) => r.id),
    );
  },
};

const DOWNLOAD_TOKEN_ORIGIN: ClientCheck = {
  id: 'CLIENT-DOWNLOAD-TOKEN-ORIGIN',
  title: "Sends its token to the server's origin only",
  description:
    'No request to another origin (a file URL on another host or port) carries the Authorization header, whatever requiresAccessToken says: the token is for the server that issued it.',
  level: 'MUST',
  area: 'download',
  refs: ['bulkdata@201', 'seed:001 §Request header'],
  run({ requests, origin }) {
    const elsewhere = requests.filter((r) => !onServerOrigin(r, origin));
    if (!elsewhere.length) return skip('the client sent no request to another origin');
    const leaked = elsewhere.filter((r) => r.credential !== undefined);
    if (leaked.length)
      return fail(
        `${describe(leaked[0]!)} to ${leaked[0]!.headers.host ?? 'another host'} (not the server's origin ${origin}) sent Authorization: ${leaked[0]!.headers.authorization ?? ''}${leaked.length > 1 ? ` (${leaked.length} such requests)` : ''}`,
        leaked.map((r) => r.id),
        `no Authorization header outside ${origin}`,
        'Authorization: Bearer <token>',
      );
    return pass(
      `${elsewhere.length} request(s) to another origin, none with the token`,
      elsewhere.map((r) => r.id),
    );
  },
};

const isGzipAnswer = (r: Req): boolean =>
  r.status === 200 && /\bgzip\b/i.test(r.responseHeaders?.['content-encoding'] ?? '');

/** The host and path a download asked for: the same file on another origin is another file. */
const fileOf = (r: Req): string => `${r.headers.host ?? ''}${r.url}`;

const DOWNLOAD_GZIP_HANDLED: ClientCheck = {
  id: 'CLIENT-DOWNLOAD-GZIP-HANDLED',
  title: 'Reads the gzip-coded files it asked for',
  description:
    'A client that sends Accept-Encoding: gzip takes a gzip-coded file as it is sent: it does not ask for the file again, and it does not fail once every file has been served.',
  level: 'MUST',
  area: 'download',
  refs: ['seed:001 §Request header: compressed data files'],
  run({ requests, client }) {
    const zipped = requests.filter((r) => isDownload(r) && isGzipAnswer(r));
    if (!zipped.length) return skip('no download was answered gzip-coded');
    for (const answer of zipped) {
      const again = requests.slice(requests.indexOf(answer) + 1).find((r) => fileOf(r) === fileOf(answer));
      if (again)
        return fail(
          `${describe(again)} asked for the file again after ${answer.id} had sent it whole, gzip-coded`,
          [answer.id, again.id],
          'one successful download per file',
          'the gzip-coded file asked for again',
        );
    }
    // The last answer for each file: all 200 means the export was served; a failure after that is the client's.
    const lastAnswer = new Map(requests.filter(isDownload).map((r) => [fileOf(r), r]));
    const allServed = [...lastAnswer.values()].every((r) => r.status === 200);
    if (allServed && !client.timedOut && typeof client.exitCode === 'number' && client.exitCode !== 0)
      return fail(
        `every file was served (${zipped.length} gzip-coded), yet the client ended with exit code ${client.exitCode}: it could not read what it asked for`,
        zipped.map((r) => r.id),
        'the gzip-coded files decompressed and read',
        `exit code ${client.exitCode}`,
      );
    return pass(
      `${zipped.length} gzip-coded download(s), each taken once${typeof client.exitCode === 'number' ? ' and the client ended well' : ''}`,
      zipped.slice(0, 5).map((r) => r.id),
    );
  },
};

/** Downloads at once the kit allows (BCDA names no number; SMART's bulk-data-client defaults to 5). */
export const MAX_PARALLEL_DOWNLOADS = 5;
/** A download this long would have overlapped another in a client that downloads concurrently. */
const LONG_DOWNLOAD_MS = 150;

/**
 * A download that ends this soon after another starts is not counted as overlapping it: the mock
 * notes a response's end a moment after the client may already have read it and asked for the next.
 */
const OVERLAP_SLACK_MS = 25;

/** The most downloads in flight at one time, and the ids of one such moment. */
function peakOverlap(downloads: readonly Req[]): { peak: number; at: string[] } {
  let best = { peak: 0, at: [] as string[] };
  for (const r of downloads) {
    // At each download's start: those begun by then and not yet finished.
    const open = downloads.filter(
      (o) => o === r || (o.atMs <= r.atMs && endMs(o) > r.atMs + OVERLAP_SLACK_MS),
    );
    if (open.length > best.peak) best = { peak: open.length, at: open.map((o) => o.id) };
  }
  return best;
}

const DOWNLOAD_PARALLEL: ClientCheck = {
  id: 'CLIENT-DOWNLOAD-PARALLEL',
  title: 'Downloads files concurrently, within a bound',
  description: `With several files to fetch, the client downloads more than one at a time (when files take long enough for that to show), and never more than ${MAX_PARALLEL_DOWNLOADS} at once.`,
  level: 'SHOULD',
  area: 'download',
  refs: ['seed:001 §4. Download the data'],
  requirements: ['BCDA-001-063'],
  run({ requests }) {
    const last = lastManifest(requests);
    if (!last) return skip('the client received no manifest');
    const downloads = requests.slice(requests.indexOf(last.req) + 1).filter(isDownload);
    if (downloads.length < 2) return skip('the client downloaded fewer than two files');
    const { peak, at } = peakOverlap(downloads);
    if (peak > MAX_PARALLEL_DOWNLOADS)
      return fail(
        `${peak} downloads were in flight at once (${at.slice(0, 8).join(', ')}${at.length > 8 ? ', …' : ''})`,
        at,
        `at most ${MAX_PARALLEL_DOWNLOADS} at once`,
        `${peak} at once`,
      );
    const long = downloads.filter((r) => endMs(r) - r.atMs >= LONG_DOWNLOAD_MS);
    if (peak <= 1 && long.length >= 3)
      return fail(
        `the client downloaded its ${downloads.length} files one at a time, though ${long.length} of them took ${LONG_DOWNLOAD_MS} ms or more each (e.g. ${describe(long[0]!)})`,
        downloads.map((r) => r.id),
        `several downloads at once (up to ${MAX_PARALLEL_DOWNLOADS})`,
        'one at a time',
      );
    if (peak <= 1) return skip('the files came too fast to tell whether the client downloads concurrently');
    return pass(`${downloads.length} download(s), at most ${peak} at once`, at);
  },
};

const DOWNLOAD_MULTI_FILE: ClientCheck = {
  id: 'CLIENT-DOWNLOAD-MULTI-FILE',
  title: 'Downloads every file of a type split across several files',
  description:
    'When the manifest lists one resource type in several output files, each of them is downloaded, not just the first.',
  level: 'MUST',
  area: 'download',
  refs: ['seed:001 §4. Download the data', 'bulkdata@204'],
  run({ requests }) {
    const last = lastManifest(requests);
    if (!last) return skip('the client received no manifest');
    const byType = new Map<string, string[]>();
    for (const f of last.manifest.output)
      byType.set(f.type, [...(byType.get(f.type) ?? []), pathAndQuery(f.url) ?? f.url]);
    const split = [...byType].filter(([, urls]) => urls.length > 1);
    if (!split.length) return skip(`the manifest (${last.req.id}) lists no type in more than one file`);
    const fetched = new Set(
      requests
        .slice(requests.indexOf(last.req) + 1)
        .filter(isDownload)
        .map((r) => r.url),
    );
    for (const [type, urls] of split) {
      const missed = urls.filter((u) => !fetched.has(u));
      if (missed.length)
        return fail(
          `${last.req.id} listed ${urls.length} ${type} files; ${missed.length} of them were never requested, e.g. ${missed[0]!}`,
          [last.req.id],
          `all ${urls.length} ${type} files`,
          `${urls.length - missed.length} requested`,
        );
    }
    return pass(`${split.map(([type, urls]) => `${urls.length} ${type} files`).join(', ')}: all requested`, [
      last.req.id,
    ]);
  },
};

export const DOWNLOAD_CHECKS: readonly ClientCheck[] = [
  fetchesAll('CLIENT-DOWNLOAD-ALL-OUTPUT', 'output', 'MUST', 'Downloads every output file', [
    'seed:001 §4. Download the data',
    'bulkdata@204',
  ]),
  fetchesAll('CLIENT-DOWNLOAD-ERROR-FILES', 'error', 'SHOULD', 'Downloads every error file', [
    'seed:002 §3. Check the status of the export job',
    'bulkdata@148',
  ]),
  DOWNLOAD_MULTI_FILE,
  DOWNLOAD_TOKEN,
  DOWNLOAD_TOKEN_ORIGIN,
  DOWNLOAD_EXPIRED_RESTART,
  DOWNLOAD_TRANSIENT_RETRY,
  DOWNLOAD_GZIP,
  DOWNLOAD_GZIP_HANDLED,
  DOWNLOAD_PARALLEL,
];
