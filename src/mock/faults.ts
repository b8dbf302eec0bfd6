/**
 * The mock's side of the fault catalog: which faults one instance has switched on, and the content
 * faults the data generator applies. The catalog itself (names, areas, the rules they break) is
 * core's (src/core/faults.ts); what each fault changes is written where the mock answers.
 */
import { didYouMean } from '../core/did-you-mean';
import {
  FAULTS,
  FAULT_NAME_LIST,
  isFaultName,
  isGenericFault,
  type FaultDefinition,
  type FaultName,
} from '../core/faults';
import type { ContentMutation } from './data/types';

export { FAULTS, type FaultDefinition, type FaultName };

/**
 * Fault names given from outside (`mock --fault`, `POST /__mock/faults`, startMock's options,
 * `verify --fault`) as FaultNames: trimmed, blanks and repeats dropped. Throws one Error that names each unknown name with the closest known ones: the
 * whole catalog is too long for an error line.
 */
export function validateFaultNames(names: readonly string[]): FaultName[] {
  const cleaned = names.map((n) => n.trim()).filter((n) => n !== '');
  const unknown = cleaned.filter((n) => !isFaultName(n));
  if (unknown.length > 0)
    throw new Error(
      `unknown fault${unknown.length > 1 ? 's' : ''}: ${unknown.map((n) => n + didYouMean(n, FAULT_NAME_LIST)).join(', ')}; \`bcda-conformance mock --list-faults\` lists them all`,
    );
  const generic = cleaned.filter((n) => isFaultName(n) && isGenericFault(n));
  if (generic.length > 0)
    throw new Error(
      `fault${generic.length > 1 ? 's' : ''} ${generic.join(', ')} belong${generic.length > 1 ? '' : 's'} to the generic mock (\`bcda-conformance mock --profile bulk-data-ig\`), not the BCDA mock`,
    );
  return [...new Set(cleaned.filter(isFaultName))];
}

/** The content faults the data generator applies (ExportSpec.mutations). */
export const CONTENT_MUTATIONS: Readonly<Partial<Record<FaultName, ContentMutation>>> = {
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
  'error-file-outcome-no-code': 'error-outcome-no-code',
  'content-eob-no-claim-lines': 'eob-no-claim-lines',
  'content-mbi-no-currency': 'mbi-no-currency',
  'content-patient-no-demographics': 'patient-no-demographics',
  'content-coverage-no-part-class': 'coverage-no-part-class',
  'content-coverage-no-esrd-oasi': 'coverage-no-esrd-oasi',
  'download-json-array': 'json-array',
  'content-mbi-holds-bene-id': 'mbi-holds-bene-id',
  'content-mbi-all-current': 'mbi-all-current',
  'content-patient-no-name': 'second-patient-no-name',
  'content-eob-no-care-team': 'eob-no-care-team',
  'content-stray-type-last-line': 'stray-type-last-line',
  'content-sandbox-real-bene-id': 'bene-id-positive',
  'content-coverage-part-b-as-a': 'part-b-labelled-part-a',
  'download-pretty-printed': 'pretty-printed',
  'content-bene-id-unsigned': 'bene-id-unsigned',
  'content-coverage-id-other-bene': 'coverage-id-other-bene',
  'content-eob-prefix-wrong-type': 'eob-prefix-wrong-type',
  'content-pde-clm-id': 'pde-clm-id',
  'content-versioned-patient-reference': 'versioned-patient-reference',
  'content-line-double-encoded': 'double-encoded-line',
  'partially-adjudicated-files-empty': 'partial-claims-empty',
  'content-money-value-string': 'money-value-string',
  'content-bluebutton-stu3-profile': 'bluebutton-stu3-profile',
};

/**
 * The active faults of one mock instance. It takes only FaultNames: text from outside goes through
 * validateFaultNames first, so `has('misspelt-name')` does not compile.
 */
export class FaultSet {
  private active = new Set<FaultName>();

  constructor(initial: readonly FaultName[] = []) {
    this.set(initial);
  }

  set(names: readonly FaultName[]): void {
    this.active = new Set(names);
  }

  has(name: FaultName): boolean {
    return this.active.has(name);
  }

  list(): FaultName[] {
    return [...this.active];
  }

  mutations(): ContentMutation[] {
    return this.list()
      .map((n) => CONTENT_MUTATIONS[n])
      .filter((m): m is ContentMutation => m !== undefined);
  }
}
