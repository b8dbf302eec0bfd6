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
  /** Drops every advance and, for a frozen clock, returns to the start instant. */
  reset(): void;
  /** True when time moves only through advance() (deterministic tests). */
  readonly frozen: boolean;
}

export interface ClockOptions {
  /** Start instant; default: real time. */
  start?: Date | string | number;
  /** When true, time stands still except for advance(). */
  frozen?: boolean;
}

export function createClock(options: ClockOptions = {}): MockClock {
  const frozen = options.frozen === true;
  const startMs = options.start === undefined ? Date.now() : new Date(options.start).getTime();
  if (Number.isNaN(startMs)) throw new Error(`invalid clock start: ${String(options.start)}`);
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
      offsetMs += seconds * 1000;
    },
    reset(): void {
      offsetMs = 0;
    },
  };
}
