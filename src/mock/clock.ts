/**
 * The mock's controllable clock. Job lifecycles, token expiry and `_since` checks all read it,
 * so a control endpoint (or a test) can jump 24 h ahead in an instant.
 */
export interface MockClock {
  /** Current mock time in epoch milliseconds. */
  nowMs(): number;
  now(): Date;
  /** Moves the clock forward (negative values are rejected). */
  advance(seconds: number): void;
  /**
   * Moves the clock back by at most what advance() moved it forward (undoes an advance, e.g. a
   * client that jumped 25 h ahead on a shared mock); further back than that is rejected.
   */
  rewind(seconds: number): void;
  /** Drops every advance and, for a frozen clock, returns to the start instant. */
  reset(): void;
  /**
   * The time without the advances: what a client's own clock reads while the mock's is moved ahead
   * (the generic mock judges SMART assertions, which a client signs by its own clock, by it).
   */
  unadvancedMs(): number;
  /** True when time moves only through advance() (deterministic tests). */
  readonly frozen: boolean;
}

export interface ClockOptions {
  /** Start instant; default: real time. */
  start?: Date | string | number;
  /** When true, time stands still except for advance(). */
  frozen?: boolean;
}

/** The latest instant the clock may show (a day's margin below year 10000 for token expiries). */
export const LATEST_CLOCK_MS = Date.UTC(9999, 11, 30);

export function createClock(options: ClockOptions = {}): MockClock {
  const frozen = options.frozen === true;
  const startMs = options.start === undefined ? Date.now() : new Date(options.start).getTime();
  if (Number.isNaN(startMs) || startMs > LATEST_CLOCK_MS)
    throw new Error(`invalid clock start: ${String(options.start)}`);
  // Real clocks follow wall time shifted by (start - launch); frozen clocks stay at start.
  const launchedAt = Date.now();
  let offsetMs = 0;
  const base = (): number => (frozen ? startMs : startMs + (Date.now() - launchedAt));
  return {
    frozen,
    nowMs: () => base() + offsetMs,
    now: () => new Date(base() + offsetMs),
    advance(seconds: number): void {
      if (!Number.isFinite(seconds) || seconds < 0) {
        throw new Error(`clock can only move forward by a finite number of seconds, got ${String(seconds)}`);
      }
      // Checked before moving: past year 9999 dates lose their four-digit form and tokens break.
      if (base() + offsetMs + seconds * 1000 > LATEST_CLOCK_MS) {
        throw new Error(`clock cannot move past ${new Date(LATEST_CLOCK_MS).toISOString()}`);
      }
      offsetMs += seconds * 1000;
    },
    rewind(seconds: number): void {
      if (!Number.isFinite(seconds) || seconds < 0) {
        throw new Error(`clock can only move back by a finite number of seconds, got ${String(seconds)}`);
      }
      // Never before where the clock would be without advances: time the mock already showed
      // (job and token timestamps) stays in the past.
      // (A thousandth of a millisecond of slack: undoing fractional advances exactly must pass.)
      if (seconds * 1000 > offsetMs + 0.001) {
        throw new Error(
          `clock can move back only as far as advances moved it forward (${offsetMs / 1000} s), not ${seconds} s`,
        );
      }
      offsetMs = Math.max(0, offsetMs - seconds * 1000);
    },
    reset(): void {
      offsetMs = 0;
    },
    unadvancedMs: () => base(),
  };
}
