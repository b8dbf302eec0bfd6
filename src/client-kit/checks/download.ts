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
    'A file download carries Authorization: Bearer when the manifest says requiresAccessToken: true, and no token when false.',
  level: 'MUST',
  area: 'download',
  refs: ['bulkdata@201', 'bulkdata@216', 'seed:001 §4. Download the data'],
  run({ requests }) {
    const last = lastManifest(requests);
    if (!last || last.manifest.requiresAccessToken === undefined)
      return skip('the client received no manifest saying requiresAccessToken');
    const needs = last.manifest.requiresAccessToken;
    const downloads = requests.slice(requests.indexOf(last.req) + 1).filter(isDownload);
    if (!downloads.length) return skip('the client downloaded no file');
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

export const DOWNLOAD_CHECKS: readonly ClientCheck[] = [
  fetchesAll('CLIENT-DOWNLOAD-ALL-OUTPUT', 'output', 'MUST', 'Downloads every output file', [
    'seed:001 §4. Download the data',
    'bulkdata@204',
  ]),
  fetchesAll('CLIENT-DOWNLOAD-ERROR-FILES', 'error', 'SHOULD', 'Downloads every error file', [
    'seed:002 §3. Check the status of the export job',
    'bulkdata@148',
  ]),
  DOWNLOAD_TOKEN,
  DOWNLOAD_EXPIRED_RESTART,
  DOWNLOAD_TRANSIENT_RETRY,
  DOWNLOAD_GZIP,
];
