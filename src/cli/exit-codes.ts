/** The exit codes the commands share (documented in `run --help`). */
export const EXIT = { ok: 0, mustFailed: 1, usage: 2, unreachable: 3 } as const;
