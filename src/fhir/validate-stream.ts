import { LineValidator } from './line-validator';
import { decodedChunks, LineSplitter, MAX_LINE_BYTES, type ByteSource } from './ndjson-lines';
import type { FileValidationSummary, NdjsonValidationOptions } from './types';

/** What a reader of an NDJSON stream may watch or decide besides the validation (downloads do). */
export interface NdjsonReadHooks {
  /** Bytes after gunzip, chunk by chunk, as they are read. */
  onBytes?: (n: number) => void;
  /** Every line (blank ones too), without its terminator: for checks the validator does not make. */
  onLine?: (text: string) => void;
  /**
   * When given, a line longer than MAX_LINE_BYTES ends the reading as soon as it is known to be
   * too long (it is recorded as such, and this is called with its 1-based number), instead of
   * being skipped over to its end.
   */
  onLongLine?: (lineNumber: number) => void;
}

/**
 * Feeds the lines of `source` to `validator`, gunzipping as `gzip` says (undefined: when the
 * magic number says so). A read or gzip failure is thrown, with the lines before it validated.
 */
export async function readNdjsonLines(
  source: ByteSource,
  gzip: boolean | undefined,
  validator: LineValidator,
  hooks: NdjsonReadHooks = {},
): Promise<void> {
  const { onBytes, onLine, onLongLine } = hooks;
  const splitter = new LineSplitter(
    onLine
      ? (text, _offset, _ascii, badUtf8At) => {
          onLine(text);
          validator.line(text, badUtf8At);
        }
      : (text, _offset, _ascii, badUtf8At) => validator.line(text, badUtf8At),
    onLongLine
      ? () => {
          validator.unreadLongLine(MAX_LINE_BYTES);
          onLongLine(validator.summary.lines);
        }
      : (_offset, bytes) => validator.oversizedLine(bytes, MAX_LINE_BYTES),
    MAX_LINE_BYTES,
    onLongLine !== undefined,
  );
  for await (const chunk of decodedChunks(source, gzip)) {
    validator.addBytes(chunk.length);
    onBytes?.(chunk.length);
    splitter.push(chunk);
    if (splitter.done) return;
  }
  splitter.end();
}

/**
 * Validates an NDJSON stream (plain or gzip) line by line. Memory stays bounded by one chunk,
 * one line of at most MAX_LINE_BYTES, the capped issues and the Patient id sets, whatever the file size.
 */
export async function validateNdjson(
  source: ByteSource,
  options: NdjsonValidationOptions,
  hooks?: NdjsonReadHooks,
): Promise<FileValidationSummary> {
  const validator = new LineValidator(options);
  await readNdjsonLines(source, options.gzip, validator, hooks);
  return validator.finish();
}
