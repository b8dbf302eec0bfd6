/**
 * Downloads the files of a manifest with bounded concurrency, streaming each body through gzip
 * decoding (when the target says it is gzip) into the FHIR validator. Nothing is kept in memory
 * beyond the validator's bounded summary.
 */
import { createGunzip } from 'node:zlib';
import { Transform, type Readable } from 'node:stream';
import { TransportError } from '../http/client';
import type { TargetClient } from '../http/target';
import type { ManifestItem } from './manifest';
import { validateNdjson, type FileValidationSummary } from '../fhir';
import type { ApiVersion } from '../checks/types';

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
  /** Transport or decoding failure. */
  error?: string;
  validation?: FileValidationSummary;
}

export interface DownloadOptions {
  target: TargetClient;
  items: Array<{ item: ManifestItem; kind: 'output' | 'error' }>;
  sendToken: boolean;
  acceptGzip: boolean;
  concurrency: number;
  apiVersion: ApiVersion;
  sandbox: boolean;
  validateLines?: number;
  deadline: number;
  onProgress?: (bytes: number) => void;
  /** Sees every decoded line (for content checks the validator does not make, e.g. _since). */
  inspectLine?: (line: string, item: ManifestItem) => void;
}

export async function downloadAll(opts: DownloadOptions): Promise<DownloadRecord[]> {
  const records: DownloadRecord[] = new Array(opts.items.length);
  let next = 0;
  const worker = async () => {
    while (next < opts.items.length) {
      const index = next++;
      const entry = opts.items[index]!;
      records[index] = await downloadOne(opts, entry.item, entry.kind);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, opts.items.length)) }, worker));
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
  try {
    const res = await opts.target.http.open({
      method: 'GET',
      url: item.url,
      label: `download ${kind} file (${item.type})${opts.acceptGzip ? ' with gzip' : ''}`,
      operationId: 'downloadFile',
      headers: {
        authorization: opts.sendToken ? await opts.target.authorization('token') : undefined,
        'accept-encoding': opts.acceptGzip ? 'gzip' : undefined,
      },
      timeoutMs: remaining,
    });
    record.exchangeId = res.exchange.id;
    record.status = res.status;
    if (res.headers['content-type'] !== undefined) record.contentType = res.headers['content-type'];
    if (res.headers['content-encoding'] !== undefined) record.contentEncoding = res.headers['content-encoding'];
    if (res.status !== 200) {
      res.body.resume();
      await res.finished.catch(() => undefined);
      record.wireBytes = res.exchange.response?.bodyBytes ?? 0;
      return record;
    }
    const counter = countBytes((n) => {
      record.bytes += n;
      opts.onProgress?.(n);
    });
    let source: Readable = res.body;
    if (/\bgzip\b/i.test(record.contentEncoding ?? '')) source = res.body.pipe(createGunzip());
    res.body.on('error', (err) => source.destroy(err));
    let decoded: Readable = source.pipe(counter);
    if (opts.inspectLine) {
      const inspect = opts.inspectLine;
      decoded = decoded.pipe(tapLines((line) => inspect(line, item)));
    }
    source.on('error', (err) => decoded.destroy(err));
    const validationOptions = {
      file: item.url,
      kind,
      expectedType: kind === 'error' ? 'OperationOutcome' : item.type,
      apiVersion: opts.apiVersion,
      sandbox: opts.sandbox,
      ...(opts.validateLines !== undefined ? { validateLines: opts.validateLines } : {}),
    };
    record.validation = await validateNdjson(decoded, validationOptions);
    record.wireBytes = await res.finished;
  } catch (err) {
    record.error =
      err instanceof TransportError
        ? err.message
        : /incorrect header check|unexpected end of file|invalid/i.test((err as Error).message)
          ? `the body is not valid gzip although Content-Encoding says gzip (${(err as Error).message})`
          : (err as Error).message;
  }
  return record;
}

/** Passes chunks through unchanged, handing each complete line to `onLine`. */
function tapLines(onLine: (line: string) => void): Transform {
  let rest = '';
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      const text = rest + chunk.toString('utf8');
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) onLine(line);
      cb(null, chunk);
    },
    flush(cb) {
      if (rest.trim()) onLine(rest);
      cb();
    },
  });
}

function countBytes(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      onBytes(chunk.length);
      cb(null, chunk);
    },
  });
}
