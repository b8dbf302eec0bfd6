/**
 * The generic mock's faults: the catalog rows marked `mock: 'generic'` (src/core/faults.ts).
 * Names from outside are checked here; a BCDA mock fault is refused with a pointer to that mock.
 */
import { didYouMean } from '../../core/did-you-mean';
import { FAULTS, isFaultName, isGenericFault, type FaultDefinition, type FaultName } from '../../core/faults';

/** The generic mock's rows of the fault catalog, in catalog order. */
export const IG_FAULTS: readonly FaultDefinition[] = FAULTS.filter((d) => d.mock === 'generic');

const IG_FAULT_NAMES: readonly string[] = IG_FAULTS.map((d) => d.name);

/**
 * Fault names given from outside (`mock --profile bulk-data-ig --fault`, control, startIgMock):
 * trimmed, blanks and repeats dropped. Throws one Error naming the unknown ones (with the closest
 * generic names) or the BCDA mock's ones.
 */
export function validateIgFaultNames(names: readonly string[]): FaultName[] {
  const cleaned = names.map((n) => n.trim()).filter((n) => n !== '');
  const unknown = cleaned.filter((n) => !isFaultName(n));
  if (unknown.length > 0)
    throw new Error(
      `unknown fault${unknown.length > 1 ? 's' : ''}: ${unknown.map((n) => n + didYouMean(n, IG_FAULT_NAMES)).join(', ')}; \`bcda-conformance mock --profile bulk-data-ig --list-faults\` lists them all`,
    );
  const bcda = cleaned.filter((n) => isFaultName(n) && !isGenericFault(n));
  if (bcda.length > 0)
    throw new Error(
      `fault${bcda.length > 1 ? 's' : ''} ${bcda.join(', ')} belong${bcda.length > 1 ? '' : 's'} to the BCDA mock (\`bcda-conformance mock\`), not the generic one (--profile bulk-data-ig)`,
    );
  return [...new Set(cleaned.filter(isFaultName))];
}

/** The active faults of one generic mock instance: the BCDA mock's set, given generic names only. */
export { FaultSet as IgFaultSet } from '../faults';
