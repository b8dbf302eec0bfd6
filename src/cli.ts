#!/usr/bin/env node
/**
 * bcda-conformance command line. Usage problems exit 2 with a one-line message; nothing reaches
 * the user as a stack trace.
 */
import { Command, CommanderError } from 'commander';
import { registerRunCommand, EXIT } from './cli/run-command';
import { registerMockCommand } from './mock/cli';
import { registerCompareCommand } from './report/compare-command';
import { registerValidateCommand } from './cli/validate-command';
import { registerClientCommand } from './cli/client-command';
import { TOOL_VERSION } from './engine/version';

export function buildProgram(): Command {
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
  registerRunCommand(program);
  registerMockCommand(program);
  registerCompareCommand(program);
  registerValidateCommand(program);
  registerClientCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
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
