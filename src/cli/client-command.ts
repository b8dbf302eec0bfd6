/** `bcda-conformance client`: the mock grades a BCDA client (the client test kit, issue 19). */
import { InvalidArgumentError, type Command } from 'commander';
import { ConfigError } from '../config/config';
import { EXIT } from './exit-codes';
import { prepareOutDir } from './out-dir';

interface ClientOptions {
  scenario?: string[];
  exec?: string;
  port?: number;
  out: string;
  list?: boolean;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535)
    throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return port;
}

export function registerClientCommand(program: Command): void {
  program
    .command('client')
    .description(
      'grade a BCDA client: run it against the mock through scenarios and report what it did wrong',
    )
    .option('--scenario <names...>', 'scenarios to run (default: all; --list names them)')
    .option(
      '--exec <command>',
      'the client command, run per scenario in a shell with {url} {clientId} {clientSecret} {apiVersion} {endpoint} substituted (also in BCDA_URL, BCDA_CLIENT_ID, BCDA_CLIENT_SECRET, BCDA_API_VERSION, BCDA_ENDPOINT); without it, run the client by hand while the mock waits',
    )
    .option('--port <n>', 'port of the mock (default: a free one)', parsePort)
    .option('--out <dir>', 'where report.json, junit.xml and index.html go', 'client-reports')
    .option('--list', 'list the scenarios and the client checks, and exit')
    .addHelpText(
      'after',
      `
Exit codes:
  ${EXIT.ok}  no MUST-level client check failed
  ${EXIT.mustFailed}  a MUST-level client check failed
  ${EXIT.usage}  usage error (an unknown scenario, an unwritable --out)

The credentials printed are the mock's own test credentials, not real ones.`,
    )
    .action(async (opts: ClientOptions) => {
      const kit = await import('../client-kit');
      if (opts.list) {
        const out: string[] = ['Scenarios:'];
        for (const s of kit.SCENARIOS) out.push(`  ${s.name.padEnd(24)} ${s.title} (${s.budgetSeconds} s)`);
        out.push('', 'Client checks:');
        for (const c of kit.CLIENT_CHECKS) out.push(`  ${c.id.padEnd(32)} ${c.level.padEnd(6)} ${c.title}`);
        process.stdout.write(`${out.join('\n')}\n`);
        return;
      }
      try {
        kit.selectScenarios(opts.scenario ?? []);
        prepareOutDir(opts.out);
      } catch (err) {
        if (!(err instanceof ConfigError) && !(err instanceof Error)) throw err;
        process.stderr.write(`bcda-conformance: ${err.message}\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      const { ReportWriteError, writeReports } = await import('../report/write');
      const grading = () =>
        kit.gradeClient({
          scenarios: opts.scenario ?? [],
          ...(opts.exec !== undefined ? { exec: opts.exec } : {}),
          ...(opts.port !== undefined ? { port: opts.port } : {}),
          launch: { output: 'inherit' },
          onReady: (scenario, info) => {
            process.stdout.write(
              [
                `\n== ${scenario.name}: ${scenario.title} (budget ${scenario.budgetSeconds} s)`,
                `   ${scenario.description}`,
                `   BCDA_URL=${info.url}`,
                `   BCDA_CLIENT_ID=${info.clientId}`,
                `   BCDA_CLIENT_SECRET=${info.clientSecret}   (the mock's own test credentials)`,
                `   BCDA_API_VERSION=${info.apiVersion}`,
                `   BCDA_ENDPOINT=${info.endpoint}   (start /api/${info.apiVersion}/${info.endpoint}/$export)`,
                opts.exec ? '' : '   run your client now; the kit waits until it has been quiet for 10 s',
              ]
                .filter(Boolean)
                .join('\n') + '\n',
            );
          },
        });
      let report;
      let files;
      try {
        report = await grading();
        files = writeReports(report, opts.out);
      } catch (err) {
        // A taken --port, or a report directory that went away: one line, not a stack trace.
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EADDRINUSE' && code !== 'EACCES' && !(err instanceof ReportWriteError)) throw err;
        const why =
          code === 'EADDRINUSE' ? `--port ${opts.port ?? ''} is already in use` : (err as Error).message;
        process.stderr.write(`bcda-conformance: ${why}\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      const lines = ['', 'Client checks:'];
      // Passes and skips in one line each; what went wrong with its whole message.
      for (const r of report.results) {
        const head = `  ${r.outcome.toUpperCase().padEnd(5)} ${r.level.padEnd(6)} ${r.id}`;
        lines.push(
          r.outcome === 'pass' || r.outcome === 'skip' ? `${head} ${r.title}` : `${head}: ${r.message}`,
        );
      }
      lines.push('', `${report.summary.verdict} — reports: ${files.html}, ${files.json}, ${files.junit}`);
      process.stdout.write(`${lines.join('\n')}\n`);
      process.exitCode = report.summary.mustFailures.length ? EXIT.mustFailed : EXIT.ok;
    });
}
