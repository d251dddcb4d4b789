import { Command, CommanderError } from 'commander';
import { runCommand } from './run.ts';
import { ingestCommand } from './ingest.ts';
import { schemaCommand } from './schema.ts';
import { employerCommand } from './employer.ts';
import { personCommand } from './person.ts';
import { rulesCommand } from './rules.ts';
import { exportCommand } from './export.ts';
import { queryCommand } from './query.ts';
import { feedbackCommand } from './feedback.ts';
import { linksCommand } from './links.ts';
import { renderCheckCommand } from './render-check.ts';
import { tablesCommand } from './tables.ts';
import { blacklistCommand } from './blacklist.ts';
import { auditSampleCommand } from './audit-sample.ts';
import { runsCommand, retryCommand } from './runs.ts';
import { bulletinCommand } from './bulletin.ts';
import { upgradeCommand } from './upgrade.ts';
import { EXIT, exitCodeFor } from './exit.ts';
import { errorMessage } from '../core/errors.ts';

export const VERSION = '0.2.0';

/**
 * Builds the `recon` program with every production command (the development tools are in tools/).
 * Building it loads every command module, for --help; so a command module imports commander
 * and light modules only at its top, and what its action needs (DuckDB, exceljs, zod, the
 * stages) with `await import()` inside the action: `recon --version` and `--help` load
 * commander and nothing heavy.
 */
export function buildProgram(): Command {
  const program = new Command('recon')
    .description('Reconcile agency exports with social-insurance records: find uninsured, under-declared and lapsed employers')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();
  const commands = [
    runCommand(),
    ingestCommand(),
    runsCommand(),
    retryCommand(),
    feedbackCommand(),
    linksCommand(),
    queryCommand(),
    exportCommand(),
    tablesCommand(),
    employerCommand(),
    personCommand(),
    rulesCommand(),
    bulletinCommand(),
    blacklistCommand(),
    auditSampleCommand(),
    upgradeCommand(),
    renderCheckCommand(),
    schemaCommand(),
  ];
  for (const c of commands) program.addCommand(c.exitOverride());
  return program;
}

/** Parses `argv` and runs the command; returns the process exit code (README, "Exit codes"). */
export async function runProgram(program: Command, argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    process.stderr.write(`${program.name()}: ${errorMessage(error)}\n`);
    return exitCodeFor(error);
  }
}
