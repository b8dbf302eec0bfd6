/** The client checks, in the order a client meets them: token, kick-off, polling, download. */
import type { ClientCheck } from '../types';
import { DOWNLOAD_CHECKS } from './download';
import { KICKOFF_CHECKS } from './kickoff';
import { POLL_CHECKS } from './poll';
import { TOKEN_CHECKS } from './token';

export const CLIENT_CHECKS: readonly ClientCheck[] = [
  ...TOKEN_CHECKS,
  ...KICKOFF_CHECKS,
  ...POLL_CHECKS,
  ...DOWNLOAD_CHECKS,
];
