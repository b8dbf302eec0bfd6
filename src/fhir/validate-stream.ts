import { LineValidator } from './line-validator';
import { decodedChunks, LineSplitter, type ByteSource } from './ndjson-lines';
import type { FileValidationSummary, NdjsonValidationOptions } from './types';

/**
 * Validates an NDJSON stream (plain or gzip) line by line. Memory stays bounded by one chunk,
 * the longest line, the capped issues and the Patient id sets, whatever the file size.
 */
export async function validateNdjson(
  source: ByteSource,
  options: NdjsonValidationOptions,
): Promise<FileValidationSummary> {
  const validator = new LineValidator(options);
  const splitter = new LineSplitter((text, _offset, ascii) => validator.line(text, ascii));
  for await (const chunk of decodedChunks(source, options.gzip)) {
    validator.addBytes(chunk.length);
    splitter.push(chunk);
  }
  splitter.end();
  return validator.finish();
}
