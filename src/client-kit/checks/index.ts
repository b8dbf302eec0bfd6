/** The client checks: whether the client ran at all, then by step: token, kick-off, polling, download, conduct, then the request headers of each endpoint. */
import type { ClientCheck } from '../types';
import { DOWNLOAD_CHECKS } from './download';
import { HEADER_CHECKS } from './headers';
import { HYGIENE_CHECKS } from './hygiene';
import { RUN_CHECKS } from './run';
import { KICKOFF_CHECKS } from './kickoff';
import { POLL_CHECKS } from './poll';
import { TOKEN_CHECKS } from './token';

export const CLIENT_CHECKS: readonly ClientCheck[] = [
  ...RUN_CHECKS,
  ...TOKEN_CHECKS,
  ...KICKOFF_CHECKS,
  ...POLL_CHECKS,
  ...DOWNLOAD_CHECKS,
  ...HYGIENE_CHECKS,
  ...HEADER_CHECKS,
];
