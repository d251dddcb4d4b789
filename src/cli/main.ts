import { Command, CommanderError } from 'commander';
import { runCommand } from './run.ts';
import { ingestCommand } from './ingest.ts';
import { schemaCommand } from './schema.ts';
import { employerCommand } from './employer.ts';
import { generateCommand } from './generate.ts';
import { evaluateCommand } from './evaluate.ts';
import { rulesCommand } from './rules.ts';
import { benchCommand } from './bench.ts';
import { exportCommand } from './export.ts';
import { queryCommand } from './query.ts';
import { feedbackCommand } from './feedback.ts';
import { renderCheckCommand } from './render-check.ts';
import { tablesCommand } from './tables.ts';
import { blacklistCommand } from './blacklist.ts';
import { auditSampleCommand } from './audit-sample.ts';
import { runsCommand, retryCommand } from './runs.ts';
import { bulletinCommand } from './bulletin.ts';
import { EXIT, exitCodeFor } from './exit.ts';
import { errorMessage } from '../errors.ts';

/** Builds the `recon` program with every command. */
export function buildProgram(): Command {
  const program = new Command('recon')
    .description('Reconcile agency exports with social-insurance records: find uninsured, under-declared and lapsed employers')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  const commands = [runCommand(), ingestCommand(), runsCommand(), retryCommand(), feedbackCommand(), queryCommand(), exportCommand(), tablesCommand(), employerCommand(), rulesCommand(), generateCommand(), evaluateCommand(), benchCommand(), renderCheckCommand(), bulletinCommand(), schemaCommand()];
  commands.push(blacklistCommand());
  commands.push(auditSampleCommand());
  for (const c of commands) program.addCommand(c.exitOverride());
  return program;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    process.stderr.write(`recon: ${errorMessage(error)}\n`);
    return exitCodeFor(error);
  }
}

process.exitCode = await main(process.argv);
