/**
 * Downloads the files of a manifest with bounded concurrency, streaming each body through the
 * FHIR NDJSON reader (src/fhir: gunzip when the target says gzip, line splitting, validation).
 * Nothing is kept in memory beyond the validator's bounded summary and, at most, one line of
 * MAX_LINE_BYTES. A hostile manifest cannot make the run download without end: at most
 * MAX_DOWNLOAD_FILES per export.
 */
import { RefusedRequest, TransportError, type StreamResponse } from '../http/client';
import type { TargetClient } from '../http/target';
import type { ManifestItem } from './manifest';
import { validateNdjson, type FileValidationSummary } from '../fhir';
import { GzipError, MAX_LINE_BYTES } from '../fhir/ndjson-lines';
import type { ApiVersion } from '../core/vocabulary';

export interface DownloadRecord {
  item: ManifestItem;
  kind: 'output' | 'error';
  exchangeId?: string;
  status?: number;
  contentType?: string;
  contentEncoding?: string;
  /** Bytes on the wire. */
  wireBytes: number;
  /** Bytes after content decoding. */
  bytes: number;
  sentToken: boolean;
  acceptedGzip: boolean;
  /** Transport or decoding failure, or why the file was not fetched. */
  error?: string;
  /**
   * Set when the harness did not fetch the file because it could not do so safely (the token
   * would go to an origin not allowed, a metadata address, a scheme other than http(s)).
   */
  refused?: string;
  validation?: FileValidationSummary;
}

export interface DownloadOptions {
  target: TargetClient;
  items: Array<{ item: ManifestItem; kind: 'output' | 'error' }>;
  sendToken: boolean;
  acceptGzip: boolean;
  /** The Accept-Encoding value to send instead of "gzip" (a list naming gzip, as many clients send). */
  acceptEncoding?: string;
  concurrency: number;
  apiVersion: ApiVersion;
  sandbox: boolean;
  validateLines?: number;
  deadline: number;
  onProgress?: (bytes: number) => void;
  /** Sees every decoded line (for content checks the validator does not make, e.g. _since). */
  inspectLine?: (line: string, item: ManifestItem) => void;
  /** Most files downloaded from one manifest (default MAX_DOWNLOAD_FILES); the rest are not fetched. */
  maxFiles?: number;
}

/** Longest NDJSON line read (the validator's own bound): a longer one stops the file. */
export { MAX_LINE_BYTES };
/** Most files downloaded from one manifest. */
export const MAX_DOWNLOAD_FILES = 1000;

/**
 * Downloads the first `maxFiles` items (in manifest order); items past the limit get no record, so
 * a conforming server with a very large export is judged on what was downloaded, not failed for
 * the harness's limit (the runner notes the limit in the export's timeline).
 */
export async function downloadAll(opts: DownloadOptions): Promise<DownloadRecord[]> {
  const limit = Math.min(opts.items.length, opts.maxFiles ?? MAX_DOWNLOAD_FILES);
  const records: DownloadRecord[] = new Array(limit);
  let next = 0;
  const worker = async () => {
    while (next < limit) {
      const index = next++;
      const entry = opts.items[index]!;
      records[index] = await downloadOne(opts, entry.item, entry.kind);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, limit)) }, worker));
  return records;
}

export async function downloadOne(
  opts: Omit<DownloadOptions, 'items' | 'concurrency'>,
  item: ManifestItem,
  kind: 'output' | 'error',
): Promise<DownloadRecord> {
  const record: DownloadRecord = {
    item,
    kind,
    wireBytes: 0,
    bytes: 0,
    sentToken: opts.sendToken,
    acceptedGzip: opts.acceptGzip,
  };
  const remaining = opts.deadline - Date.now();
  if (remaining <= 0) {
    record.error = 'skipped: the run time budget ran out before this file';
    return record;
  }
  let res: StreamResponse | undefined;
  try {
    res = await opts.target.http.open({
      method: 'GET',
      url: item.url,
      label: `download ${kind} file (${item.type})${opts.acceptGzip ? ` with ${opts.acceptEncoding ?? 'gzip'}` : ''}`,
      operationId: 'downloadFile',
      headers: {
        authorization: opts.sendToken ? await opts.target.authorization('token') : undefined,
        'accept-encoding': opts.acceptGzip ? (opts.acceptEncoding ?? 'gzip') : undefined,
      },
      timeoutMs: remaining,
    });
    record.exchangeId = res.exchange.id;
    record.status = res.status;
    if (res.headers['content-type'] !== undefined) record.contentType = res.headers['content-type'];
    if (res.headers['content-encoding'] !== undefined)
      record.contentEncoding = res.headers['content-encoding'];
    if (res.status !== 200) {
      res.body.resume();
      await res.finished.catch(() => undefined);
      record.wireBytes = res.exchange.response?.bodyBytes ?? 0;
      return record;
    }
    const gzip = /\bgzip\b/i.test(record.contentEncoding ?? '');
    const opened = res;
    const inspect = opts.inspectLine;
    record.validation = await validateNdjson(
      res.body,
      {
        file: item.url,
        kind,
        expectedType: kind === 'error' ? 'OperationOutcome' : item.type,
        apiVersion: opts.apiVersion,
        sandbox: opts.sandbox,
        // Decoded as the headers say: an unlabelled gzip body must reach the validator as the
        // bytes a client would see, not be rescued by sniffing the magic number.
        gzip,
        ...(opts.validateLines !== undefined ? { validateLines: opts.validateLines } : {}),
      },
      {
        onBytes: (n) => {
          record.bytes += n;
          opts.onProgress?.(n);
        },
        onLongLine: (line) => {
          const reason = `line ${line} is longer than ${MAX_LINE_BYTES} bytes`;
          record.error = `${reason}; the file was read no further`;
          opened.stop(reason);
        },
        ...(inspect
          ? {
              onLine: (line: string) => {
                if (line.trim()) inspect(line, item);
              },
            }
          : {}),
      },
    );
    if (!record.error) record.wireBytes = await res.finished;
    else record.wireBytes = res.exchange.response?.bodyBytes ?? 0;
  } catch (err) {
    if (err instanceof RefusedRequest) {
      // Nothing was sent: the token rule of the manifest cannot be met on that origin.
      record.sentToken = false;
      record.refused = err.reason;
      record.error = `not fetched: the file could not be fetched safely: ${
        err.kind === 'credentials' ? 'the manifest requires the access token (requiresAccessToken), but ' : ''
      }${err.reason}`;
      record.exchangeId = err.exchange.id;
      return record;
    }
    record.error = describeDownloadError(err, res);
    if (res) {
      res.stop('the body could not be decoded');
      record.wireBytes = res.exchange.response?.bodyBytes ?? 0;
    }
  }
  return record;
}

/** The one-line reason a download failed: the transport's own words when the connection failed. */
function describeDownloadError(err: unknown, res: StreamResponse | undefined): string {
  if (err instanceof TransportError) return err.message;
  // A failing body has already been described (with byte counts) on its exchange.
  if (res?.exchange.error) return res.exchange.error;
  // Only a body labelled gzip is inflated, so this is the target's gzip.
  if (err instanceof GzipError)
    return `the body is not valid gzip although Content-Encoding says gzip (${err.zlibMessage})`;
  return (err as Error).message;
}
