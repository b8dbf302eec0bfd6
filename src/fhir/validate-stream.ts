import { LineValidator } from './line-validator';
import { decodedChunks, LineSplitter, MAX_LINE_BYTES, type ByteSource } from './ndjson-lines';
import type { FileValidationSummary, NdjsonValidationOptions } from './types';

/**
 * Validates an NDJSON stream (plain or gzip) line by line. Memory stays bounded by one chunk,
 * one line of at most MAX_LINE_BYTES, the capped issues and the Patient id sets, whatever the file size.
 */
export async function validateNdjson(
  source: ByteSource,
  options: NdjsonValidationOptions,
): Promise<FileValidationSummary> {
  const validator = new LineValidator(options);
  const splitter = new LineSplitter(
    (text, _offset, ascii, badUtf8At) => validator.line(text, ascii, badUtf8At),
    (_offset, bytes) => validator.oversizedLine(bytes, MAX_LINE_BYTES),
  );
  for await (const chunk of decodedChunks(source, options.gzip)) {
    validator.addBytes(chunk.length);
    splitter.push(chunk);
  }
  splitter.end();
  return validator.finish();
}
