/**
 * The command line loads only the module of the command it names; the table that says which
 * module registers which command must therefore name every command the modules register.
 */
import { COMMAND_MODULES, buildProgram } from '../../src/cli';

const argv = (...words: string[]): string[] => ['node', 'bcda-conformance', ...words];

describe('lazily loaded command modules', () => {
  test('the table names exactly the commands its modules register', async () => {
    for (const [names, load] of COMMAND_MODULES) {
      const { Command } = await import('commander');
      const program = new Command();
      (await load())(program);
      expect(program.commands.map((c) => c.name()).sort()).toEqual([...names].sort());
    }
  });

  test('a named command registers its own module only; help or no command registers all', async () => {
    expect((await buildProgram(argv('validate', 'x.ndjson'))).commands.map((c) => c.name())).toEqual([
      'validate',
    ]);
    expect((await buildProgram(argv('list'))).commands.map((c) => c.name())).toEqual(['run', 'list']);
    const all = COMMAND_MODULES.flatMap(([names]) => names).sort();
    for (const words of [[], ['--help'], ['help', 'run'], ['nosuch']]) {
      expect((await buildProgram(argv(...words))).commands.map((c) => c.name()).sort()).toEqual(all);
    }
  });
});
