/**
 * Paced downloads, set through mock control: a file is sent a few bytes at a time with a pause
 * between the pieces, so a transfer lasts long enough for the clock to move while it runs (the
 * check of bulkdata@8: a file in the middle of a download is not deleted when its expiry passes).
 * Off by default: the mock streams as fast as the socket takes it.
 */
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

export interface DownloadPace {
  /** Bytes per piece; 0 switches pacing off. */
  bytes: number;
  /** Pause before each piece after the first. */
  delayMs: number;
}

export const NO_DOWNLOAD_PACE: DownloadPace = { bytes: 0, delayMs: 0 };

/**
 * `source` in pieces of `pace.bytes`, `pace.delayMs` apart. Before each piece after the first,
 * `stillServed` is asked whether the file may still be sent; when it says no the transfer is cut
 * (the connection drops mid-body), as a server deleting the file under its reader would.
 */
export function pacedStream(source: Readable, pace: DownloadPace, stillServed: () => boolean): Readable {
  async function* pieces(): AsyncGenerator<Buffer> {
    let first = true;
    for await (const chunk of source) {
      let rest = Buffer.from(chunk as Buffer | string);
      while (rest.length > 0) {
        if (!first) {
          await sleep(pace.delayMs);
          if (!stillServed()) throw new Error('the file was deleted during the transfer');
        }
        first = false;
        yield rest.subarray(0, pace.bytes);
        rest = rest.subarray(pace.bytes);
      }
    }
  }
  return Readable.from(pieces(), { objectMode: false });
}
