/**
 * The fault catalog: named deviations from the BCDA contract that a mock instance can switch on
 * (`--fault`, `POST /__mock/faults`, `startMock({ faults })`). Each names the rule it breaks so the
 * checks engine can prove a check fails when its rule is broken (`npm run verify`).
 */
import type { Area } from '../core/vocabulary';
import type { ContentMutation } from './data/types';

export interface FaultDefinition {
  /** Stable kebab-case name. */
  name: string;
  area: Area;
  description: string;
  /** The contract rule the fault breaks, in a sentence. */
  breaks: string;
  /** Where the rule comes from: `seed:00N §…`, `bulkdata@N`, `behavior §…`. */
  refs: string[];
}

const f = (
  name: string,
  area: Area,
  description: string,
  breaks: string,
  refs: string[],
): FaultDefinition => ({
  name,
  area,
  description,
  breaks,
  refs,
});

export const FAULTS: readonly FaultDefinition[] = [
  // metadata
  f(
    'metadata-wrong-fhir-version',
    'metadata',
    'v2/v3 CapabilityStatement reports fhirVersion 3.0.1.',
    'The v2 and v3 CapabilityStatements declare FHIR 4.0.1.',
    ['seed:001 §Check API status', 'behavior §2.1'],
  ),
  f(
    'metadata-missing-export-operations',
    'metadata',
    'CapabilityStatement lists no export operations.',
    'The CapabilityStatement advertises the patient and group export operations.',
    ['seed:001 §Check API status', 'bulkdata@217'],
  ),
  f(
    'metadata-requires-token',
    'metadata',
    '/metadata answers 401 without a token.',
    'The metadata endpoint needs no token.',
    ['seed:001 §Check API status', 'seed:000 §/Metadata'],
  ),
  f(
    'metadata-wrong-content-type',
    'metadata',
    'Metadata is served as text/html.',
    'The metadata endpoint answers with a JSON Content-Type.',
    ['seed:001 §Check API status', 'behavior §2.1'],
  ),
  f(
    'metadata-not-capabilitystatement',
    'metadata',
    'Metadata has resourceType "Conformance" (the DSTU2 name).',
    'The metadata endpoint returns a CapabilityStatement.',
    ['seed:001 §Check API status', 'bulkdata@217'],
  ),
  f(
    'metadata-no-instantiates',
    'metadata',
    'The CapabilityStatement has no instantiates.',
    'The CapabilityStatement instantiates the bulk data CapabilityStatement.',
    ['bulkdata@1', 'behavior §2.1'],
  ),
  f(
    'metadata-no-token-url',
    'metadata',
    'The CapabilityStatement does not name the token endpoint.',
    'rest.security carries the oauth-uris extension with the token URL.',
    ['seed:001 §Check API status', 'behavior §2.1'],
  ),
  f(
    'service-version-wrong-shape',
    'metadata',
    '/_version answers {"build": ...} instead of {"version": ...}.',
    '/_version names the build in a "version" field.',
    ['behavior §2.9'],
  ),
  f(
    'health-always-ok',
    'metadata',
    '/_health answers 200, all "ok", even while the auth provider is down.',
    '/_health answers 502 naming the dependency that fails.',
    ['behavior §2.9'],
  ),
  f(
    'auth-info-wrong-shape',
    'metadata',
    '/_auth answers {"provider": "ssas"} without auth_provider or version.',
    '/_auth names the auth provider and its version (or the error reaching it).',
    ['behavior §2.9'],
  ),
  // auth
  f(
    'auth-accepts-bad-secret',
    'auth',
    'Issues a token for a known client id with a wrong secret.',
    'Wrong client credentials get 401 from /auth/token.',
    ['behavior §2.8', 'seed:002 §Authentication and Authorization'],
  ),
  f(
    'auth-accepts-no-token',
    'auth',
    'Protected routes work without a bearer token (acting as A9994).',
    'Protected endpoints answer 401 without a bearer token.',
    ['seed:001 §Request header', 'bulkdata@226', 'behavior §5'],
  ),
  f(
    'auth-accepts-expired-token',
    'auth',
    'Expired or badly signed tokens are accepted.',
    'An expired token gets 401 "Expired Token".',
    ['seed:001 §Check job status', 'behavior §5'],
  ),
  f(
    'auth-leaks-other-aco-job',
    'auth',
    "Another ACO's job can be polled, cancelled and downloaded.",
    'A job of another ACO answers 401.',
    ['behavior §2.3', 'behavior §5', 'bulkdata@9'],
  ),
  f(
    'auth-wrong-status-no-token',
    'auth',
    'A missing token answers 403 instead of 401.',
    'A missing token answers 401 with diagnostics "Invalid Token".',
    ['behavior §5', 'seed:001 §Request header'],
  ),
  f(
    'auth-token-wrong-type',
    'auth',
    'The token response says token_type "mac".',
    'The token response has token_type "bearer".',
    ['behavior §2.8', 'seed:002 §Authentication and Authorization'],
  ),
  f(
    'auth-token-no-expires-in',
    'auth',
    'The token response has no expires_in.',
    'The token response states the 20-minute lifetime in expires_in.',
    ['behavior §2.8', 'seed:003 §Walk-through: from credentials to token'],
  ),
  f(
    'auth-token-accepts-no-credentials',
    'auth',
    'POST /auth/token without Basic credentials issues a token for A9994.',
    '/auth/token without credentials answers 400.',
    ['behavior §2.8'],
  ),
  f(
    'auth-accepts-malformed-token',
    'auth',
    'A bearer value that is not a JWT is accepted (acting as A9994).',
    'A token that is not a JWT is refused (400 "Request Error").',
    ['behavior §5'],
  ),
  f(
    'auth-accepts-lowercase-bearer',
    'auth',
    'The Authorization scheme is matched without regard to case.',
    'The scheme must be written "Bearer" with a capital B; "bearer" gets 401.',
    ['seed:001 §Request header', 'behavior §5'],
  ),
  f(
    'welcome-rejects-valid-token',
    'auth',
    '/auth/welcome answers 401 to a valid token.',
    '/auth/welcome greets a valid token with 200.',
    ['behavior §2.8'],
  ),
  f(
    'denylist-ignored',
    'auth',
    'A denylisted ACO is served like any other.',
    "A denylisted organization's token is refused with 403 on every protected endpoint.",
    ['behavior §5', 'behavior §7.1'],
  ),
  f(
    'public-routes-skip-aco-lookup',
    'auth',
    'Public endpoints serve a valid token whose organization is unknown (only protected routes look it up).',
    "A presented token's organization is looked up on every route; an unknown one answers 403.",
    ['behavior §0', 'behavior §5'],
  ),
  f(
    'token-accepts-get',
    'auth',
    'GET /auth/token issues a token like POST.',
    'The token endpoint takes POST only; GET answers 405.',
    ['behavior §2.8', 'behavior §0'],
  ),
  f(
    'token-rate-limit-ignored',
    'auth',
    'The per-ACO token limit is never enforced.',
    'Past the token limit, /auth/token answers 429.',
    ['behavior §2.8'],
  ),
  f(
    'token-rate-limit-no-retry-after',
    'auth',
    'The token-limit 429 has no Retry-After.',
    'The token-limit 429 says when to retry.',
    ['behavior §2.8'],
  ),
  f(
    'outage-ignored',
    'auth',
    'Tokens are issued and accepted while the auth provider is down.',
    'With the auth provider down, token requests and token-checked requests fail with 503 or 500.',
    ['behavior §2.8', 'behavior §5'],
  ),
  f(
    'outage-wrong-status',
    'auth',
    'An auth-provider timeout answers 401 ("Expired Token") instead of 503.',
    'An auth-provider timeout answers 503, which a client retries, not 401.',
    ['behavior §2.8', 'behavior §5'],
  ),
  f(
    'outage-no-retry-after',
    'auth',
    'The 503 of an auth-provider timeout has no Retry-After.',
    "The token endpoint's and the v1 error writer's 503 carry Retry-After: 1.",
    ['behavior §2.8', 'behavior §5'],
  ),
  // kick-off
  f(
    'kickoff-200-instead-of-202',
    'kickoff',
    'Kick-off answers 200 instead of 202.',
    'A successful kick-off answers 202 Accepted.',
    ['seed:001 §Start a job', 'bulkdata@300'],
  ),
  f(
    'kickoff-no-content-location',
    'kickoff',
    'Kick-off omits Content-Location.',
    'The kick-off response carries Content-Location with the job status URL.',
    ['seed:001 §Response header example', 'bulkdata@301'],
  ),
  f(
    'kickoff-relative-content-location',
    'kickoff',
    'Content-Location is a relative path.',
    'Content-Location is an absolute URL.',
    ['seed:001 §Response header example', 'bulkdata@301'],
  ),
  f(
    'kickoff-accepts-missing-accept',
    'kickoff',
    'Kick-off without Accept is accepted.',
    'A kick-off without Accept: application/fhir+json answers 400.',
    ['seed:001 §Request header', 'behavior §2.2'],
  ),
  f(
    'kickoff-accepts-missing-prefer',
    'kickoff',
    'Kick-off without Prefer is accepted.',
    'A kick-off without Prefer: respond-async answers 400.',
    ['seed:001 §Request header', 'behavior §2.2'],
  ),
  f(
    'kickoff-accepts-unknown-type',
    'kickoff',
    'Unknown, unauthorized or repeated _type values are accepted.',
    'A _type the version or ACO does not support, or a repeated one, answers 400 with an OperationOutcome.',
    ['behavior §2.2', 'bulkdata@70'],
  ),
  f(
    'kickoff-accepts-bad-since',
    'kickoff',
    'Malformed or future _since values are accepted.',
    '_since must be a FHIR instant in the past, else 400.',
    ['seed:003 §Filtering your requests using _since', 'behavior §3'],
  ),
  f(
    'kickoff-error-not-operationoutcome',
    'kickoff',
    'Kick-off errors are plain text instead of an OperationOutcome.',
    'Kick-off errors carry a FHIR OperationOutcome body.',
    ['bulkdata@304', 'behavior §1'],
  ),
  f(
    'kickoff-accepts-bad-group',
    'kickoff',
    'Any group id is accepted.',
    'Group ids other than all and runout answer 400 "Invalid group ID".',
    ['seed:000 §/Group', 'behavior §2.2'],
  ),
  f(
    'kickoff-accepts-wrong-accept',
    'kickoff',
    'Any Accept value is accepted as long as the header is there.',
    'Accept must name application/fhir+json, else 400.',
    ['seed:001 §Request header', 'behavior §2.2'],
  ),
  f(
    'kickoff-accepts-wrong-prefer',
    'kickoff',
    'Any Prefer value is accepted as long as the header is there.',
    'Prefer must include respond-async, else 400.',
    ['seed:001 §Request header', 'behavior §2.2'],
  ),
  f(
    'kickoff-rejects-valid-type',
    'kickoff',
    'Every _type value, even a supported one, answers 400 "invalid resource type".',
    '_type accepts each supported resource type and comma-separated lists of them.',
    ['seed:001 §Request all resource types', 'behavior §3'],
  ),
  f(
    'kickoff-rejects-valid-since',
    'kickoff',
    '_since is accepted only in UTC (Z); instants with an offset get 400.',
    '_since accepts any FHIR instant, offsets included.',
    ['seed:003 §Filtering your requests using _since', 'behavior §3'],
  ),
  f(
    'kickoff-rejects-valid-output-format',
    'kickoff',
    'Every _outputFormat value is rejected.',
    '_outputFormat accepts application/fhir+ndjson, application/ndjson and ndjson.',
    ['bulkdata@51', 'bulkdata@52', 'behavior §3'],
  ),
  f(
    'kickoff-accepts-any-output-format',
    'kickoff',
    'Any _outputFormat is accepted.',
    'An _outputFormat other than NDJSON answers 400.',
    ['bulkdata@50', 'behavior §3'],
  ),
  f(
    'kickoff-accepts-elements',
    'kickoff',
    '_elements is accepted (and ignored).',
    '_elements is not supported and answers 400.',
    ['bulkdata@81', 'behavior §3'],
  ),
  f(
    'kickoff-accepts-question-mark-params',
    'kickoff',
    'Parameter names starting with "?" are accepted.',
    'A parameter name starting with "?" answers 400.',
    ['behavior §3'],
  ),
  f(
    'kickoff-accepts-bad-type-filter',
    'kickoff',
    'v3 _typeFilter is not validated.',
    'A v3 _typeFilter on anything but ExplanationOfBenefit, or with unknown parameters, answers 400.',
    ['behavior §3', 'bulkdata@105'],
  ),
  f(
    'kickoff-rejects-valid-type-filter',
    'kickoff',
    'Every v3 _typeFilter is rejected.',
    'v3 accepts _typeFilter on ExplanationOfBenefit with _tag, outcome and service-date.',
    ['behavior §3', 'bulkdata@103'],
  ),
  f(
    'kickoff-headers-before-params',
    'kickoff',
    'Headers are validated before query parameters.',
    'BCDA reports a bad parameter before a bad header.',
    ['behavior §0.2'],
  ),
  f(
    'export-accepts-post',
    'kickoff',
    'POST to the $export endpoints starts a job like GET.',
    'BCDA starts exports with GET only; POST answers 405 with Allow: GET.',
    ['behavior §0', 'bulkdata@30'],
  ),
  // status
  f(
    'status-failed-202',
    'status',
    'A failed job answers 202 "In Progress" for ever.',
    'The status of a failed job is a 5XX error with an OperationOutcome.',
    ['behavior §2.3', 'bulkdata@136'],
  ),
  f(
    'status-no-retry-after',
    'status',
    'A running job answers 202 without Retry-After.',
    'A 202 status answer suggests when to poll again with Retry-After.',
    ['bulkdata@125'],
  ),
  f(
    'status-running-200',
    'status',
    'A running job answers 200 with no body instead of 202.',
    'A job that is still running answers 202.',
    ['seed:001 §Response example: incomplete job', 'bulkdata@132'],
  ),
  f(
    'status-bad-job-id-500',
    'status',
    'A non-numeric job id answers 500.',
    'A job id that is not a number answers 400.',
    ['behavior §2.3'],
  ),
  f(
    'status-unknown-job-200',
    'status',
    'Unknown job ids answer 200 {} to GET and DELETE.',
    'An unknown job answers 404 with an OperationOutcome.',
    ['behavior §2.3', 'behavior §2.4', 'bulkdata@136'],
  ),
  f(
    'export-default-omits-coverage',
    'status',
    'Exports without _type leave out Coverage.',
    'Without _type the export holds every entitled type: Patient, Coverage and ExplanationOfBenefit.',
    ['seed:001 §Request all resource types', 'bulkdata@63'],
  ),
  f(
    'status-no-x-progress',
    'status',
    'In-progress status responses omit X-Progress.',
    'A 202 status response carries X-Progress with the job state.',
    ['seed:001 §Response header example: incomplete job', 'seed:003 §Getting your data'],
  ),
  f(
    'status-bad-x-progress',
    'status',
    'X-Progress is "working..." instead of "In Progress (NN%)".',
    'X-Progress reads Pending or In Progress with a percentage.',
    ['seed:003 §Getting your data', 'seed:001 §Response header example: incomplete job'],
  ),
  f(
    'status-complete-wrong-content-type',
    'status',
    'The manifest is served as text/plain.',
    'A completed status response has Content-Type application/json.',
    ['bulkdata@145', 'behavior §2.3'],
  ),
  f(
    'status-no-expires',
    'status',
    'The completed status response has no Expires header.',
    'A completed status response carries Expires.',
    ['bulkdata@146', 'behavior §2.3'],
  ),
  f(
    'status-complete-202',
    'status',
    'Completed jobs keep answering 202 with X-Progress "In Progress (100%)".',
    'A completed job answers 200 with the manifest.',
    ['seed:001 §Response example: completed job', 'bulkdata@144'],
  ),
  f(
    'status-expired-200',
    'status',
    'Jobs older than 24 h still answer 200 with the manifest.',
    'Files expire after 24 hours; the job no longer answers 200.',
    ['seed:001 §Files expire after 24 hours', 'behavior §6'],
  ),
  f(
    'manifest-no-transaction-time',
    'status',
    'The manifest has no transactionTime.',
    'The manifest carries transactionTime.',
    ['bulkdata@150', 'seed:001 §Response example: completed job'],
  ),
  f(
    'manifest-bad-transaction-time',
    'status',
    'transactionTime is a date without a time.',
    'transactionTime is a FHIR instant.',
    ['bulkdata@151', 'bulkdata@152'],
  ),
  f(
    'manifest-requires-access-token-string',
    'status',
    'requiresAccessToken is the string "true".',
    'requiresAccessToken is the JSON boolean true.',
    ['bulkdata@160', 'bulkdata@162'],
  ),
  f(
    'manifest-no-request',
    'status',
    'The manifest has no request.',
    'The manifest carries the kick-off URL in request.',
    ['bulkdata@155', 'seed:001 §Response example: completed job'],
  ),
  f(
    'manifest-wrong-request',
    'status',
    'request names a different endpoint than the kick-off.',
    'request is the full kick-off URL.',
    ['bulkdata@156', 'behavior §2.3'],
  ),
  f(
    'manifest-relative-urls',
    'status',
    'output and error URLs are relative paths.',
    'Manifest file URLs are absolute.',
    ['bulkdata@175', 'seed:001 §Response example: completed job'],
  ),
  f(
    'manifest-error-not-array',
    'status',
    'The manifest has "error": null.',
    'error is always an array, empty when there are no errors.',
    ['bulkdata@191', 'bulkdata@195'],
  ),
  f(
    'manifest-output-missing-type',
    'status',
    'output items have no type.',
    'Each output item has type and url.',
    ['bulkdata@168'],
  ),
  f(
    'manifest-output-wrong-type',
    'status',
    'The first output item names another resource type than its file holds.',
    "An output item's type is the resource type of the lines in its file.",
    ['bulkdata@170', 'seed:001 §Response example: completed job'],
  ),
  f(
    'manifest-dead-url',
    'status',
    'One output URL points to a file that does not exist.',
    'Every file URL in the manifest can be downloaded.',
    ['bulkdata@148'],
  ),
  // download
  f(
    'download-wrong-content-type',
    'download',
    'Data files are served as application/json.',
    'NDJSON files are served as application/fhir+ndjson.',
    ['bulkdata@208', 'behavior §2.7'],
  ),
  f(
    'download-gzip-unlabelled',
    'download',
    'Gzip bodies are sent without Content-Encoding.',
    'A gzip body carries Content-Encoding: gzip.',
    ['seed:001 §Request header: compressed data files', 'behavior §2.7'],
  ),
  f(
    'download-gzip-unrequested',
    'download',
    'Files are gzipped even when the client did not send Accept-Encoding: gzip.',
    'Files are plain NDJSON unless the client accepts gzip.',
    ['seed:001 §Download the data', 'behavior §2.7'],
  ),
  f(
    'download-no-token-required',
    'download',
    'Files download without a bearer token.',
    'requiresAccessToken is true, so downloads without a token answer 401.',
    ['bulkdata@162', 'bulkdata@201', 'behavior §2.7'],
  ),
  f(
    'download-available-after-expiry',
    'download',
    'Files stay downloadable after the job is archived.',
    'Files expire 24 hours after the job completes.',
    ['seed:001 §Files expire after 24 hours', 'behavior §2.7'],
  ),
  f(
    'download-truncated',
    'download',
    'File bodies stop half way through the first chunk (the connection is cut).',
    'A file download delivers the whole file.',
    ['bulkdata@148', 'bulkdata@206'],
  ),
  f(
    'download-bad-gzip',
    'download',
    'Content-Encoding: gzip is sent with a plain, uncompressed body.',
    'A body labelled gzip is valid gzip.',
    ['seed:001 §Request header: compressed data files', 'behavior §2.7'],
  ),
  f(
    'download-any-file-name',
    'download',
    'Any file name under a job, path traversal included, serves the first output file.',
    'Unknown file names answer 404 and names climbing out of the job answer 400.',
    ['behavior §2.7', 'bulkdata@210'],
  ),
  f(
    'partially-adjudicated-omitted',
    'download',
    'A v2 default export leaves Claim and ClaimResponse out for an ACO entitled to them.',
    'On v2 the default export of an organization entitled to partially adjudicated claims includes Claim and ClaimResponse.',
    ['seed:000 §/Group', 'seed:001 §BCDA recommends using v2 of the API'],
  ),
  // NDJSON content
  f(
    'content-invalid-fhir',
    'fhir',
    'One resource per file breaks the FHIR R4 schema.',
    'Every line is a valid FHIR R4 resource.',
    ['bulkdata@209', 'seed:001 §Response example'],
  ),
  f(
    'content-wrong-resource-type',
    'fhir',
    'One line per file is a resource of another type than the file.',
    'A file holds only resources of its manifest type.',
    ['bulkdata@170'],
  ),
  f(
    'content-broken-references',
    'fhir',
    'EOB.patient and Coverage.beneficiary name Patients missing from the export.',
    'References inside the export resolve to exported Patients.',
    ['behavior §7.2', 'bulkdata@33'],
  ),
  f(
    'content-missing-profile',
    'fhir',
    'meta.profile is missing or wrong.',
    'v2/v3 resources declare their CARIN Blue Button profile.',
    ['behavior §7.2'],
  ),
  f(
    'content-malformed-json',
    'fhir',
    'Some lines are truncated JSON.',
    'Each NDJSON line is one complete JSON object.',
    ['bulkdata@209'],
  ),
  f(
    'content-no-mbi',
    'fhir',
    'One Patient per file has no MBI identifier.',
    'Every Patient carries an identifier with the us-mbi system.',
    ['behavior §7.2'],
  ),
  f(
    'content-no-bene-id',
    'fhir',
    'One Patient per file has no bene_id identifier.',
    'Every Patient carries its bene_id identifier.',
    ['behavior §7.2'],
  ),
  f(
    'content-no-claim-id',
    'fhir',
    'One ExplanationOfBenefit per file has no clm_id / pde_id identifier.',
    'Every ExplanationOfBenefit carries its claim id identifier.',
    ['behavior §7.2'],
  ),
  f(
    'content-bad-coverage-id',
    'fhir',
    'One Coverage per file has an id like plan-a-<bene> instead of part-a-<bene>.',
    'Coverage ids are part-<a|b|c|d>-<beneficiary id>.',
    ['behavior §7.2'],
  ),
  f(
    'content-bad-eob-prefix',
    'fhir',
    'One ExplanationOfBenefit per file has an id prefix that names no claim type.',
    'ExplanationOfBenefit ids are <claim type>-<claim id>.',
    ['behavior §7.2'],
  ),
  f(
    'content-absolute-patient-reference',
    'fhir',
    'EOB.patient and Coverage.beneficiary are absolute URLs in one line per file.',
    'Claims and coverage point at their Patient with a relative Patient/<id> reference.',
    ['behavior §7.2'],
  ),
  f(
    'content-positive-patient-ids',
    'fhir',
    'One sandbox Patient per file has a positive id.',
    'Synthetic sandbox Patients have negative ids.',
    ['seed:001 §Download the data', 'behavior §7.2'],
  ),
  f(
    'content-error-file-wrong-type',
    'fhir',
    'Error files start with a Basic resource.',
    'Error files hold only OperationOutcome resources.',
    ['bulkdata@196'],
  ),
  f(
    'content-ignores-since',
    'fhir',
    '_since is accepted but not applied: older resources are exported.',
    'With _since only resources updated after it are exported.',
    ['bulkdata@59', 'seed:003 §Filtering your requests using _since'],
  ),
  f(
    'content-ignores-type',
    'fhir',
    '_type is accepted but every default type is exported.',
    'With _type only the requested resource types are exported.',
    ['bulkdata@62', 'seed:001 §Request all resource types'],
  ),
  // cancel
  f(
    'cancel-returns-200',
    'cancel',
    'DELETE of an active job answers 200.',
    'Cancelling an active job answers 202.',
    ['seed:001 §Cancel a job', 'bulkdata@306'],
  ),
  f(
    'cancel-ignored',
    'cancel',
    'DELETE answers 202 but the job keeps running to completion.',
    'After a cancel, polling answers 404.',
    ['bulkdata@122', 'behavior §2.4'],
  ),
  f(
    'cancel-finished-job-202',
    'cancel',
    'DELETE of a finished job answers 202.',
    'Only Pending or In Progress jobs can be cancelled; others answer 410.',
    ['behavior §2.4'],
  ),
  // jobs
  f(
    'jobs-wrong-task-status',
    'jobs',
    'Task.status is shifted: running jobs show "ready", finished ones "in-progress".',
    'Task.status follows the documented mapping of the nine job states.',
    ['seed:001 §Request job history', 'behavior §2.5'],
  ),
  f(
    'jobs-ignores-status-filter',
    'jobs',
    '_status is ignored: every job is listed.',
    '_status limits the list to jobs in those states.',
    ['seed:001 §Request that filters jobs by end state'],
  ),
  f(
    'jobs-empty-200',
    'jobs',
    'No matching jobs answers 200 with an empty Bundle.',
    'No matching jobs answers 404.',
    ['seed:001 §Request to retrieve all past jobs', 'behavior §2.5'],
  ),
  f('jobs-other-aco', 'jobs', "/jobs lists other ACOs' jobs too.", "/jobs lists only the caller's jobs.", [
    'seed:001 §Request job history',
    'bulkdata@9',
  ]),
  f(
    'jobs-not-bundle',
    'jobs',
    '/jobs answers a bare JSON array of Tasks.',
    '/jobs answers a searchset Bundle of Tasks.',
    ['seed:001 §Request job history', 'behavior §2.5'],
  ),
  f(
    'jobs-bad-task-shape',
    'jobs',
    'Tasks lack identifier, input and executionPeriod.',
    'Each Task names its job id, request and execution period.',
    ['seed:001 §Request job history', 'behavior §2.5'],
  ),
  f(
    'jobs-accepts-bad-status',
    'jobs',
    'Unknown or repeated _status values are ignored instead of rejected.',
    'An unknown or repeated _status value answers 400.',
    ['behavior §2.5'],
  ),
  // rate limit
  f(
    'ratelimit-no-retry-after',
    'ratelimit',
    'The duplicate-job 429 has no Retry-After.',
    'A 429 carries Retry-After.',
    ['seed:001 §Response example: too many requests', 'bulkdata@118'],
  ),
  f(
    'ratelimit-disabled',
    'ratelimit',
    'Duplicate in-flight jobs are accepted for the rate-limited ACO.',
    'Recreating an in-progress job answers 429.',
    ['seed:001 §Response example: too many requests', 'seed:003 §Frequently asked questions'],
  ),
  // attribution
  f(
    'attribution-wrong-shape',
    'attribution',
    'attribution_status answers {"dates": [...]} without ingestion_dates.',
    'attribution_status lists ingestion_dates with type and timestamp.',
    ['seed:001 §Request attribution status', 'behavior §2.6'],
  ),
  f(
    'attribution-bad-timestamp',
    'attribution',
    'Attribution timestamps are not dates.',
    'Each ingestion date has a parsable timestamp.',
    ['seed:001 §Request attribution status', 'behavior §2.6'],
  ),
  f(
    'attribution-missing-200',
    'attribution',
    'attribution_status answers 200 with no dates for an ACO without attribution data.',
    'An organization with no attribution data gets 404 from attribution_status.',
    ['seed:001 §Request attribution status', 'behavior §2.6'],
  ),
  f(
    'attribution-outdated-accepted',
    'attribution',
    'The outdated-attribution ACO can start a Group/all export.',
    'Exports for an ACO without up-to-date attribution answer 404.',
    ['behavior §2.2', 'behavior §7.1'],
  ),
];

export const FAULT_NAMES: ReadonlySet<string> = new Set(FAULTS.map((d) => d.name));

/** Checks fault names; throws one Error listing every unknown name and the valid ones. */
export function validateFaultNames(names: readonly string[]): string[] {
  const cleaned = names.map((n) => n.trim()).filter((n) => n !== '');
  const unknown = cleaned.filter((n) => !FAULT_NAMES.has(n));
  if (unknown.length > 0) {
    throw new Error(
      `unknown fault${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. Valid faults: ${[...FAULT_NAMES].join(', ')}`,
    );
  }
  return [...new Set(cleaned)];
}

/** The content faults the data generator applies (ExportSpec.mutations). */
export const CONTENT_MUTATIONS: Readonly<Record<string, ContentMutation>> = {
  'content-invalid-fhir': 'invalid-resource',
  'content-wrong-resource-type': 'wrong-resource-type',
  'content-broken-references': 'broken-reference',
  'content-missing-profile': 'missing-profile',
  'content-malformed-json': 'malformed-json',
  'content-no-mbi': 'no-mbi',
  'content-no-bene-id': 'no-bene-id',
  'content-no-claim-id': 'no-claim-id',
  'content-bad-coverage-id': 'bad-coverage-id',
  'content-bad-eob-prefix': 'bad-eob-prefix',
  'content-absolute-patient-reference': 'absolute-patient-reference',
  'content-positive-patient-ids': 'positive-patient-id',
  'content-error-file-wrong-type': 'error-file-wrong-type',
};

/** The active faults of one mock instance. */
export class FaultSet {
  private active = new Set<string>();

  constructor(initial: readonly string[] = []) {
    this.set(initial);
  }

  set(names: readonly string[]): void {
    this.active = new Set(validateFaultNames(names));
  }

  has(name: string): boolean {
    return this.active.has(name);
  }

  list(): string[] {
    return [...this.active];
  }

  mutations(): ContentMutation[] {
    return this.list()
      .map((n) => CONTENT_MUTATIONS[n])
      .filter((m): m is ContentMutation => m !== undefined);
  }
}
