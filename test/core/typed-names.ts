/**
 * Compile-time test of the typed names, run by `npm run typecheck` (tsconfig.json includes test/),
 * not by jest (the file is not a *.test.ts). Each line after a `@ts-expect-error` must fail to
 * compile; if it compiled, tsc would report the directive as unused and typecheck would fail. So a
 * misspelt fault name or operation id stays a compile error wherever the code names one: a
 * check's metadata, the mock's fault switch, a verify job and the run's settings.
 */
import { versioned } from '../../src/checks/kit/operations';
import type { CheckMeta } from '../../src/checks/types';
import type { FaultName } from '../../src/core/faults';
import type { OperationId } from '../../src/core/operations';
import type { RunSettings } from '../../src/core/settings';
import type { FaultSet } from '../../src/mock/faults';
import type { VerifyJob } from '../../src/verify/plan';

export const fault: FaultName = 'status-no-expires';
// @ts-expect-error: status-no-expires misspelt
export const misspeltFault: FaultName = 'status-no-expries';

export const operation: OperationId = 'exportPatientV2';
// @ts-expect-error: the spec has no exportPatientsV2
export const misspeltOperation: OperationId = 'exportPatientsV2';

export const meta: Pick<CheckMeta, 'faults' | 'operations'> = {
  faults: [
    'kickoff-200-instead-of-202',
    // @ts-expect-error: a fault the catalog lacks
    'kickoff-201-instead-of-202',
  ],
  operations: [
    'getToken',
    // @ts-expect-error: operation ids are case-sensitive
    'GetToken',
  ],
};

export const endpoints = [
  ...versioned('exportGroup'),
  // @ts-expect-error: not an endpoint of the spec
  ...versioned('exportGroups'),
  // @ts-expect-error: getToken has no versioned forms
  ...versioned('getToken'),
];

export function switches(faults: FaultSet): boolean[] {
  return [
    faults.has('manifest-dead-url'),
    // @ts-expect-error: manifest-dead-url misspelt
    faults.has('manifest-ded-url'),
  ];
}

export const job: VerifyJob = {
  key: 'k',
  version: 'v2',
  profile: 'bcda',
  // @ts-expect-error: a verify job runs only a fault of the catalog
  fault: 'no-such-fault',
};

export const mockFaults: RunSettings['mockFaults'] = [
  'ratelimit-disabled',
  // @ts-expect-error: --mock-fault's value is a FaultName once read
  'ratelimit-disabeld',
];
