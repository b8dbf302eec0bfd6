#!/usr/bin/env node
/**
 * `npm run verify`: switches on each mock fault in turn, runs the suites that concern it and
 * records which checks it tripped; also runs the clean mock, which must trip nothing. Writes
 * reports/verify.json and reports/verify.md, and regenerates docs/what-it-catches.md and the
 * summary lines of the README's "What it catches".
 * Exit 0 when every fault is detected, every check is proven and the clean mock is clean; 1 when
 * not; 2 on a usage error.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { CATALOG } from '../checks/catalog';
import { formatAsRepository } from '../config/generate-docs';
import { FAULTS, type FaultName } from '../core/faults';
import type { ApiVersion } from '../core/vocabulary';
import { FAULT_NAME_LIST, isFaultName } from '../core/faults';
import { didYouMean } from '../core/did-you-mean';
import {
  CATCHES_DOC,
  renderCatchesDocument,
  renderReadmeSection,
  renderVerifyMarkdown,
  replaceReadmeSection,
} from './markdown';
import { planVerify } from './plan';
import { requirementsTable, type RequirementsTable } from '../requirements/table';
import { REQUIREMENTS_DOC, renderRequirementsDocument } from './requirements-markdown';
import { runJobs } from './pool';
import { buildVerifyReport } from './report';

interface VerifyOptions {
  fault?: FaultName[];
  workers: number;
  perWorker: number;
  out: string;
  readme: string | false;
  catches: string;
  requirementsDoc: string;
  quiet?: boolean;
  full?: boolean;
}

const positiveInt = (flag: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`${flag} takes a whole number of at least 1, not "${value}"`);
  return n;
};

/** One --fault name, checked as commander reads it: an unknown one is a usage error naming the closest. */
const faultName = (value: string, previous: FaultName[] | undefined): FaultName[] => {
  try {
    // Either mock's faults: verify runs a generic mock's fault where the generic profile embeds it.
    const name = value.trim();
    if (!name) throw new Error('a fault name must not be blank');
    if (!isFaultName(name))
      throw new Error(
        `unknown fault: ${name}${didYouMean(name, FAULT_NAME_LIST)}; \`bcda-conformance mock --list-faults\` (and --profile bulk-data-ig) list them all`,
      );
    return [...(previous ?? []), name];
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};

/** For each fault a requirement row lists, the checks of that requirement (they must run under it). */
function checksJudgingRequirementFaults(table: RequirementsTable): Map<FaultName, string[]> {
  const map = new Map<FaultName, string[]>();
  for (const r of table.requirements)
    for (const f of r.faults) map.set(f as FaultName, [...(map.get(f as FaultName) ?? []), ...r.checks]);
  return map;
}

/**
 * The versions each row fault can show on: the union of its rows' versions, when every row that
 * lists it names some (a row without versions holds for all, and the fault is left where it is).
 */
function versionsOfRowFaults(table: RequirementsTable): Map<FaultName, ApiVersion[]> {
  const map = new Map<FaultName, ApiVersion[] | 'any'>();
  for (const r of table.requirements)
    for (const f of r.faults) {
      const had = map.get(f as FaultName);
      if (had === 'any' || !r.versions) map.set(f as FaultName, 'any');
      else map.set(f as FaultName, [...new Set([...(had ?? []), ...r.versions])]);
    }
  return new Map(
    [...map].filter((e): e is [FaultName, ApiVersion[]] => e[1] !== 'any').map(([f, v]) => [f, v]),
  );
}

async function verify(options: VerifyOptions): Promise<number> {
  const table = requirementsTable();
  const plan = planVerify(CATALOG, FAULTS, {
    ...(options.fault ? { only: new Set(options.fault) } : {}),
    full: Boolean(options.full),
    alsoJudgedBy: checksJudgingRequirementFaults(table),
    rowVersions: versionsOfRowFaults(table),
  });
  const jobs = [...plan.clean, ...plan.faults.flatMap((f) => f.jobs)];
  const say = (text: string) => {
    if (!options.quiet) process.stdout.write(`${text}\n`);
  };
  say(
    `verify: ${plan.faults.length} faults and ${plan.clean.length} clean runs, ${jobs.length} runs on ${options.workers} workers`,
  );
  const startedAt = Date.now();
  const results = await runJobs(jobs, {
    workers: options.workers,
    perWorker: options.perWorker,
    onDone: (r, done, total) =>
      say(
        `  [${done}/${total}] ${r.key} (${(r.durationMs / 1000).toFixed(1)} s)${r.problem ? `: ${r.problem}` : ''}`,
      ),
  });
  const report = buildVerifyReport(plan, CATALOG, results, { startedAt, finishedAt: Date.now() }, table);

  try {
    mkdirSync(options.out, { recursive: true });
    writeFileSync(path.join(options.out, 'verify.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(path.join(options.out, 'verify.md'), renderVerifyMarkdown(report));
  } catch (err) {
    process.stderr.write(
      `verify: cannot write to ${options.out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`,
    );
    return 2;
  }
  if (options.readme && !plan.partial) {
    const readme = options.readme;
    const docLink = path.relative(path.dirname(readme), options.catches).split(path.sep).join('/');
    const outcome =
      (await regenerate(readme, (text) =>
        replaceReadmeSection(text, renderReadmeSection(report, docLink)),
      )) ??
      (await regenerate(options.catches, () => renderCatchesDocument(report))) ??
      (await regenerate(options.requirementsDoc, () => renderRequirementsDocument(report, table)));
    if (outcome !== undefined) {
      process.stderr.write(`verify: ${outcome}\n`);
      return 2;
    }
    say(
      `verify: "What it catches" regenerated in ${readme} (summary) and ${options.catches}; requirements in ${options.requirementsDoc}`,
    );
  }

  const s = report.summary;
  say('');
  say(
    `faults detected: ${s.detected}/${s.faults}${s.undetected.length ? ` — NOT detected: ${s.undetected.join(', ')}` : ''}`,
  );
  say(
    `checks proven:   ${s.checksProven}/${s.checks}${s.checksUnproven.length ? ` — not proven: ${s.checksUnproven.join(', ')}` : ''}`,
  );
  const rq = report.requirements?.summary;
  if (rq) {
    say(
      `requirements:    ${rq.verified}/${rq.withChecks} with checks verified by a fault${rq.unverified.length ? ` — not verified: ${rq.unverified.join(', ')}` : ''}; ${rq.noCheck} of ${rq.testable} testable have no check yet`,
    );
    say(
      `own faults:      ${rq.withOwnFaults - rq.ownFaultsMissed.length}/${rq.withOwnFaults} requirements proven by the faults their row lists${rq.ownFaultsMissed.length ? ` — missed: ${rq.ownFaultsMissed.join(', ')}` : ''}`,
    );
    say(
      `independent:     ${rq.independentProven}/${rq.withIndependentFaults} requirements proven by a fault of their row that none of their checks names${rq.noIndependentExplained + rq.noIndependentUnexplained.length ? `; ${rq.noIndependentExplained + rq.noIndependentUnexplained.length} without one, ${rq.noIndependentExplained} saying why` : ''}`,
    );
  }
  for (const c of report.clean) {
    const bad = [
      ...c.tripped.map((t) => `${t.id} ${t.outcome}: ${t.message}`),
      ...c.errors.map((e) => `${e.id} error: ${e.message}`),
    ];
    say(
      `clean ${c.run}: ${c.checks} checks, ${c.tripped.length} tripped, ${c.errors.length} errors${c.problem ? ` (${c.problem})` : ''}`,
    );
    for (const b of bad) say(`    ${b}`);
  }
  say(
    `wrote ${path.join(options.out, 'verify.json')} and verify.md in ${(report.durationMs / 1000).toFixed(0)} s`,
  );
  return s.ok ? 0 : 1;
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name('verify')
    .description('Prove the checks: every mock fault must trip a check and the clean mock none.')
    .option(
      '--fault <name...>',
      'verify only these faults (the README and detection document are then left alone)',
      faultName,
    )
    .option(
      '--workers <n>',
      'worker processes',
      positiveInt('--workers'),
      Math.max(2, os.availableParallelism()),
    )
    .option(
      '--per-worker <n>',
      "runs at once in each worker (a run mostly waits on the mock's job clock, so many share a core)",
      positiveInt('--per-worker'),
      10,
    )
    .option('--out <dir>', 'where verify.json and verify.md go', 'reports')
    .option('--readme <file>', 'README whose "What it catches" summary is regenerated', 'README.md')
    .option('--catches <file>', 'the detection document (fault by fault) that is regenerated', CATCHES_DOC)
    .option(
      '--requirements-doc <file>',
      'the requirements coverage document (requirement → checks → faults) that is regenerated',
      REQUIREMENTS_DOC,
    )
    .option('--no-readme', 'leave the README, the detection and the requirements documents alone')
    .option('--full', 'run the whole catalog under each fault, not only the suites that concern it')
    .option('--quiet', 'print nothing but errors')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  try {
    program.parse(argv);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  return verify(program.opts<VerifyOptions>());
}

if (require.main === module) {
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`verify: ${(err as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}

/**
 * Rewrites a generated markdown file (formatted as `npm run format` leaves it) when its content
 * changed. `render` gets the current text ('' for a new file) and returns the new text, or undefined
 * when the file has no place for it. Returns a one-line problem, or undefined when all went well.
 */
async function regenerate(
  file: string,
  render: (current: string) => string | undefined,
): Promise<string | undefined> {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') return `cannot read ${file}: ${code ?? (err as Error).message}`;
  }
  const rendered = render(current);
  if (rendered === undefined) return `${file} has no verify markers; not updated`;
  const updated = await formatAsRepository(rendered, file);
  if (updated === current) return undefined;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, updated);
  } catch (err) {
    return `cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
  return undefined;
}
