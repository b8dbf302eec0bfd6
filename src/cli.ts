#!/usr/bin/env node
/**
 * bcda-conformance command line. Usage problems exit 2 with a one-line message; nothing reaches
 * the user as a stack trace.
 */
import { Command, CommanderError } from 'commander';
import { EXIT } from './cli/exit-codes';
import { TOOL_VERSION } from './engine/version';

type Register = (program: Command) => void;

/**
 * The command modules, each with the commands it registers and its loader of its module. Only the command the line names is loaded:
 * `run` and `client` pull in the whole check catalog (~0.25 s each), which a short `validate` or
 * `mock` would otherwise pay at every start. Help, a bare call or an unknown name loads them all,
 * so the command list and commander's "did you mean" stay whole.
 */
export const COMMAND_MODULES: ReadonlyArray<
  readonly [names: readonly string[], load: () => Promise<Register>]
> = [
  [['run', 'list'], async () => (await import('./cli/run-command')).registerRunCommand],
  [['mock'], async () => (await import('./mock/cli')).registerMockCommand],
  [['compare'], async () => (await import('./report/compare-command')).registerCompareCommand],
  [['validate'], async () => (await import('./cli/validate-command')).registerValidateCommand],
  [['client'], async () => (await import('./cli/client-command')).registerClientCommand],
];

/** The command modules to load for this command line (argv as node gives it). */
function modulesFor(argv: readonly string[]): typeof COMMAND_MODULES {
  const word = argv[2];
  if (word === '--version' || word === '-V') return [];
  const named = COMMAND_MODULES.find(([names]) => word !== undefined && names.includes(word));
  return named ? [named] : COMMAND_MODULES;
}

export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command();
  program
    .name('bcda-conformance')
    .description(
      'Conformance tests for the CMS Beneficiary Claims Data API (BCDA), with a bundled mock server.',
    )
    .version(TOOL_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    // Commander's own complaints (unknown option, missing argument) in the tool's voice.
    .configureOutput({
      outputError: (text, write) => write(`bcda-conformance: ${text.replace(/^error: /, '')}`),
    })
    .exitOverride();
  for (const [, load] of modulesFor(argv)) (await load())(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version also come through here, with exit code 0.
      return err.exitCode === 0 ? 0 : EXIT.usage;
    }
    process.stderr.write(`bcda-conformance: unexpected error: ${(err as Error).message}\n`);
    return 70;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}

if (require.main === module) {
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`bcda-conformance: unexpected error: ${(err as Error).message}\n`);
      process.exitCode = 70;
    },
  );
}
