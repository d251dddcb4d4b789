import { Command } from 'commander';
import { runProgram } from '../../src/cli/program.ts';
import { generateCommand } from './generate.ts';
import { evaluateCommand } from './evaluate.ts';
import { benchCommand } from './bench.ts';

/**
 * The development tools (`npm run generate|evaluate|bench`): the fixture generator with its
 * ground truth, the evaluator and the benchmark. They use recon's code; recon never uses them.
 */
function buildTools(): Command {
  const program = new Command('recon-tools')
    .description('Development tools of recon: generate fixtures with ground truth, evaluate a run against it, benchmark the nightly')
    .showHelpAfterError()
    .exitOverride();
  for (const c of [generateCommand(), evaluateCommand(), benchCommand()]) program.addCommand(c.exitOverride());
  return program;
}

process.exitCode = await runProgram(buildTools(), process.argv);
