/**
 * Input of the /__mock/ control endpoints, checked against a JSON schema per endpoint before any
 * state changes. The input is either a JSON object body or, when there is no body, the query
 * string (whose values are text, so numbers there are coerced). Every problem is a ControlInputError
 * whose message is written for the user and never echoes a parser's internals.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { FastifyRequest } from 'fastify';
import { AUTH_PROVIDER_STATES } from './context';
import { JOB_STATUSES } from './jobs';
import { QueryParams } from './params';

export class ControlInputError extends Error {}

/** The longest single clock move: a century is far beyond any lifecycle a client can test. */
export const MAX_ADVANCE_SECONDS = 100 * 365.25 * 24 * 3600;

const seconds = { type: 'number', minimum: 0, maximum: MAX_ADVANCE_SECONDS } as const;

/** A limit of requests in a window of seconds, for tokens per ACO and for status requests per job; 0 switches it off. */
const RATE_LIMIT = {
  type: 'object',
  additionalProperties: false,
  required: ['limit'],
  properties: {
    limit: { type: 'integer', minimum: 0, maximum: 1_000_000 },
    windowSeconds: { type: 'integer', minimum: 1, maximum: 86_400 },
  },
} as const;

export const CONTROL_SCHEMAS = {
  none: { type: 'object', additionalProperties: false, properties: {} },
  faults: {
    type: 'object',
    additionalProperties: false,
    required: ['faults'],
    properties: {
      faults: {
        anyOf: [
          { type: 'array', maxItems: 1000, items: { type: 'string', maxLength: 200 } },
          { type: 'string', maxLength: 20_000 },
        ],
      },
    },
  },
  clockAdvance: {
    type: 'object',
    additionalProperties: false,
    required: ['seconds'],
    properties: { seconds },
  },
  jobState: {
    type: 'object',
    additionalProperties: false,
    // `status` is accepted as another name for `state`.
    properties: {
      state: { type: 'string', enum: [...JOB_STATUSES] },
      status: { type: 'string', enum: [...JOB_STATUSES] },
      updatedSecondsAgo: seconds,
    },
    oneOf: [{ required: ['state'] }, { required: ['status'] }],
  },
  authProvider: {
    type: 'object',
    additionalProperties: false,
    required: ['state'],
    properties: { state: { type: 'string', enum: [...AUTH_PROVIDER_STATES] } },
  },
  tokenRateLimit: RATE_LIMIT,
  // Status requests per job in a window; the same shape as the token limit.
  pollRateLimit: RATE_LIMIT,
  // Pieces of `bytes` every `delayMs` for downloads; {"bytes": 0} switches pacing off (the default).
  downloadPace: {
    type: 'object',
    additionalProperties: false,
    required: ['bytes'],
    properties: {
      bytes: { type: 'integer', minimum: 0, maximum: 16_777_216 },
      delayMs: { type: 'integer', minimum: 0, maximum: 10_000 },
    },
  },
} as const;

export type ControlSchemaName = keyof typeof CONTROL_SCHEMAS;

export interface FaultsInput {
  faults: string[] | string;
}
export interface ClockAdvanceInput {
  seconds: number;
}
export interface JobStateInput {
  state?: (typeof JOB_STATUSES)[number];
  status?: (typeof JOB_STATUSES)[number];
  updatedSecondsAgo?: number;
}
export interface AuthProviderInput {
  state: (typeof AUTH_PROVIDER_STATES)[number];
}
export interface TokenRateLimitInput {
  limit: number;
  windowSeconds?: number;
}
export type PollRateLimitInput = TokenRateLimitInput;
export interface DownloadPaceInput {
  bytes: number;
  delayMs?: number;
}

/** One validator per schema: JSON bodies as they are, query strings with text coerced to numbers. */
export class ControlInput {
  private readonly body = new Map<ControlSchemaName, ValidateFunction>();
  private readonly query = new Map<ControlSchemaName, ValidateFunction>();

  constructor() {
    const strict = new Ajv({ allErrors: false, coerceTypes: false });
    const coercing = new Ajv({ allErrors: false, coerceTypes: true });
    for (const name of Object.keys(CONTROL_SCHEMAS) as ControlSchemaName[]) {
      this.body.set(name, strict.compile(CONTROL_SCHEMAS[name]));
      this.query.set(name, coercing.compile(CONTROL_SCHEMAS[name]));
    }
  }

  /** The request's input, valid against the schema, or a ControlInputError. */
  read<T>(request: FastifyRequest, schema: ControlSchemaName): T {
    const raw = typeof request.body === 'string' ? request.body : '';
    const query = new QueryParams(request.url).pairs;
    let input: unknown;
    let validate: ValidateFunction;
    if (raw.trim() !== '') {
      if (query.length > 0)
        throw new ControlInputError('give the input either as a JSON body or as query parameters, not both');
      try {
        input = JSON.parse(raw);
      } catch {
        throw new ControlInputError('the body is not valid JSON');
      }
      if (input === null || typeof input !== 'object' || Array.isArray(input))
        throw new ControlInputError('the body must be a JSON object');
      validate = this.body.get(schema)!;
    } else {
      input = Object.fromEntries(query);
      validate = this.query.get(schema)!;
    }
    if (!validate(input)) throw new ControlInputError(describe(validate.errors?.[0]));
    return input as T;
  }
}

/** One schema error in words: which field, and what it must be. */
function describe(error: ErrorObject | undefined): string {
  if (!error) return 'invalid input';
  const field = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown field "${String(params.additionalProperty)}"`;
    case 'required':
      return `"${String(params.missingProperty)}" is required`;
    case 'oneOf':
      return 'give exactly one of "state" and "status"';
    case 'enum':
      return `"${field}" must be one of: ${(params.allowedValues as unknown[]).join(', ')}`;
    default:
      return `"${field || 'input'}" ${error.message ?? 'is invalid'}`;
  }
}
