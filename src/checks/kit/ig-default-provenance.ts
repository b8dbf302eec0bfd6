/**
 * The Provenance an export holds when the client names no includeAssociatedData (IG bulkdata@109-
 * @112): at the Patient level every available Provenance whose target is a resource of the Patient
 * compartment, at the system level every available Provenance. "Available" is what the server's
 * own Provenance search returns (kit/ig-holdings.ts), less what changed after the export's
 * transactionTime; at the Patient level, the compartment is read as the export's own resources (a
 * Provenance targeting one of them targets the compartment), a lower bound that never over-demands.
 */
import { fail, pass, skip, type CheckContext, type ExportLevel } from '../context';
import type { CheckOutcome } from '../types';
import { parameterSupport, requireLevel } from './ig-capability';
import { atLevel, baseExport, igExport, isSkip, levelPath, type IgExport, type IgSkip } from './ig-exports';
import { availableProvenance, changedAt } from './ig-holdings';
import type { ResourceSummary } from './ig-resources';

const few = (keys: string[]): string => `${keys.slice(0, 3).join(', ')}${keys.length > 3 ? ', …' : ''}`;

/** The level's export without any parameter: the base export when it is at that level. */
async function plainExport(ctx: CheckContext, level: ExportLevel): Promise<IgExport | IgSkip> {
  const base = await baseExport(ctx);
  if (!isSkip(base) && base.level === level) return base;
  return igExport(ctx, `plain-${level}`, atLevel(ctx, level), `GET ${levelPath(ctx, level)}`);
}

/** Which of the two rows of a level applies: the server declares includeAssociatedData or not. */
function rowWords(support: 'declared' | 'undeclared' | 'unknown', rows: [string, string]): string {
  if (support === 'declared') return `${rows[0]}: the server declares includeAssociatedData`;
  if (support === 'undeclared') return `${rows[1]}: the server does not support includeAssociatedData`;
  return `${rows[0]}/${rows[1]}`;
}

/**
 * The judgement at `level`: the level's plain export against the Provenance search. Skips when the
 * level or the search is not declared, nothing available applies, or the export was not read whole.
 */
export async function judgeDefaultProvenance(
  ctx: CheckContext,
  level: 'patient' | 'system',
): Promise<CheckOutcome> {
  const declaration = await requireLevel(ctx, level);
  const available = await availableProvenance(ctx);
  if (isSkip(available)) return skip(available.skip, available.evidence);
  const exported = await plainExport(ctx, level);
  if (isSkip(exported)) return skip(exported.skip, exported.evidence);
  const ev = [...exported.evidence.slice(0, 4), ...available.evidence.slice(0, 2)];
  const transactionMs = Date.parse(String(exported.run.manifest.transactionTime));
  if (!Number.isFinite(transactionMs))
    return skip(
      `${exported.label}: its transactionTime is not an instant, so what was available then is unknown`,
      ev,
    );
  // Provenance that say when they were made, and were there at the export's transactionTime.
  const dated = available.provenance.filter((p) => {
    const at = changedAt(p);
    return at !== undefined && at <= transactionMs;
  });
  const targeted = (p: ResourceSummary) =>
    (p.targets ?? []).some((t) => !t.startsWith('Provenance/') && exported.resources.has(t));
  const expected = level === 'system' ? dated : dated.filter(targeted);
  const scope =
    level === 'system' ? 'available Provenance' : 'available Provenance targeting a resource of the export';
  if (!expected.length)
    return skip(
      `the Provenance search found no ${scope} (${available.provenance.length} found, ${dated.length} dated before the transactionTime), so the default inclusion shows nothing`,
      ev,
    );
  const rows = rowWords(
    parameterSupport(declaration, 'includeAssociatedData'),
    level === 'system' ? ['bulkdata@111', 'bulkdata@112'] : ['bulkdata@109', 'bulkdata@110'],
  );
  const missing = expected.filter((p) => !exported.resources.has(p.key)).map((p) => p.key);
  if (missing.length && !exported.incomplete)
    return fail(
      `${exported.label} (no includeAssociatedData, no _type) left out ${missing.length} of the ${expected.length} ${scope} (${few(missing)}) (${rows})`,
      ev,
    );
  if (exported.incomplete) return skip(`${exported.label} was not read whole: ${exported.incomplete}`, ev);
  return pass(
    `${exported.label} holds all ${expected.length} ${scope}${available.complete ? '' : ' read (the search had more pages than were read)'} (${rows})`,
    ev,
  );
}
