/** Whether the client ran through the scenario at all: without this, a client that did nothing would only skip. */
import type { ClientCheck } from '../types';
import { fail, pass } from '../requests';

const FINISHES: ClientCheck = {
  id: 'CLIENT-FINISHES',
  title: 'Talks to the server and finishes within the budget',
  description:
    "In every scenario the client sends requests and ends by itself within the scenario's time budget, instead of doing nothing or retrying until it is stopped.",
  level: 'MUST',
  area: 'kickoff',
  refs: ['seed:001 §Instructions'],
  run({ requests, client, scenario }) {
    const how = client.note ? ` (${client.note})` : client.exitCode ? ` (exit code ${client.exitCode})` : '';
    if (!requests.length)
      return fail(
        `the client sent no request to the mock${how}`,
        [],
        'a token request, a kick-off…',
        'no request',
      );
    if (client.timedOut) {
      const last = requests[requests.length - 1]!;
      return fail(
        `the client was still running when the ${scenario.budgetSeconds} s budget ended; its last request was ${last.id} ${last.method} ${last.url}`,
        [last.id],
        `done within ${scenario.budgetSeconds} s`,
        'stopped at the budget',
      );
    }
    return pass(`${requests.length} request(s), finished within the ${scenario.budgetSeconds} s budget`);
  },
};

export const RUN_CHECKS: readonly ClientCheck[] = [FINISHES];
