/**
 * The client test kit's model: client checks are data, like the server checks. Each reads the
 * requests the mock recorded while a client ran one scenario and returns an outcome whose evidence
 * is the ids of those requests.
 */
import type { CheckOutcome } from '../checks/types';
import type { ApiVersion, Area, Level } from '../core/vocabulary';
import type { ClientRequestRecord } from '../mock/recording';

/** What one scenario showed: the client's requests, and what the scenario arranged. */
export interface ScenarioRecord {
  scenario: ScenarioMeta;
  requests: readonly ClientRequestRecord[];
  /** Ids of the requests the scenario answered in its special way (its 429, its failed job…). */
  staged: readonly string[];
  /** The client's exit (undefined when run by hand), or why it did not finish. */
  client: {
    exitCode?: number | null;
    signal?: string | null;
    timedOut: boolean;
    note?: string;
    /** What a launched client printed (stdout and stderr, its tail); undefined when run by hand. */
    output?: string;
  };
  /** The mock's origin the client was given (`http://127.0.0.1:PORT`). */
  origin: string;
  /**
   * Fingerprint (by the scenario's recorder) of base64("<client id>:<client secret>"), the Basic
   * value the scenario's credentials make: a token request's Basic credentials are compared with it.
   */
  basicFingerprint: string;
}

export interface ClientCheck {
  id: string;
  title: string;
  /** What the client must do, in a sentence (shown beside a failure). */
  description: string;
  level: Level;
  /** The server area whose exchanges the check reads (groups the report). */
  area: Area;
  /** Seed sections and Bulk Data IG rules (`seed:001 §…`, `bulkdata@N`). */
  refs: string[];
  /**
   * Rows of the requirements table (`subject: client`) the check verifies. The table maps rows to
   * server checks only; a client row names its client checks in its `why`, and
   * test/client-kit/requirements.test.ts keeps the two in step.
   */
  requirements?: string[];
  /** Judges one scenario; `skip` when the scenario did not give the client the chance. */
  run(record: ScenarioRecord): CheckOutcome;
}

/** The export endpoint a scenario asks the client to use (the path before `/$export`). */
export type ExportEndpoint = 'Patient' | 'Group/all' | 'Group/runout';

export interface ScenarioMeta {
  name: string;
  title: string;
  /** What the scenario does to the client, for the console and the report. */
  description: string;
  apiVersion: ApiVersion;
  /** The export the client is asked to start: `/api/{apiVersion}/{endpoint}/$export`. */
  endpoint: ExportEndpoint;
  /** CMS id of the ACO whose credentials the client gets. */
  cmsId: string;
  /** Wall-clock time the client has, in seconds. */
  budgetSeconds: number;
}
