/**
 * The embedded mock finishes a job in about half a second instead of the two seconds of its normal
 * speed: a run follows some thirty exports one after another (measured: a full run 19–21 s instead
 * of 43 s on 2 cores, load under 1). A job still answers 202 with X-Progress on the poll right after
 * its kick-off, and STATUS-X-PROGRESS holds one In Progress when no poll caught one running.
 */
export const EMBEDDED_JOB_SPEED = 4;
