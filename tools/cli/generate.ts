import { Command, Option } from 'commander';
import { ConfigError } from '../../src/core/errors.ts';
import { generateInbox } from '../generator/generate.ts';
import { EXIT } from '../../src/cli/exit.ts';

interface GenerateFlags {
  employers: string;
  seed: string;
  out: string;
  truth?: string;
  asOf: string;
  formats?: 'mixed' | 'csv';
  params?: string;
  city: string;
  targets?: boolean;
  persons?: boolean;
  projects?: boolean;
}

/** `recon generate`: writes a deterministic fixture inbox and its ground truth. */
export function generateCommand(): Command {
  return new Command('generate')
    .description('Generate a deterministic inbox of agency exports for one city, with the ground truth next to it')
    .requiredOption('--employers <n>', 'number of employers (slots; the name pairs add one each)')
    .option('--seed <n>', 'random seed: same employers, seed and as-of give byte-identical files', '1')
    .requiredOption('--out <dir>', 'inbox folder to write the exports into')
    .option('--truth <dir>', 'truth folder (default: <out>/../truth)')
    .option('--as-of <date>', 'as-of date D, YYYY-MM-DD', '2026-10-31')
    .addOption(
      new Option(
        '--formats <mode>',
        'mixed: CSV (UTF-8, BOM, GBK; comma, tab, pipe) and XLSX with bad rows; csv: plain CSVs only (default when N > 20000)',
      ).choices(['mixed', 'csv']),
    )
    .option('--params <file>', 'local parameters file (default: pipelines/local-params.yaml)')
    .option('--city <code>', 'prefecture-level city code from the division tables', '3205')
    .option('--targets', "also write the year's targets per district (目标任务_<year>.csv); the other files stay byte-identical")
    .option(
      '--persons',
      'write the person-level exports (个税全员全额扣缴申报明细, 社保个人参保信息, 城乡居民养老保险, 困难群体名单) and truth/person_findings.csv; the employer files stay byte-identical',
    )
    .option('--no-persons', 'leave the person-level exports out (default while recon cannot read them yet)')
    .option(
      '--projects',
      'write the project exports (建筑工程施工许可, 工伤保险项目参保) and truth/project_findings.csv; the employer and person files stay byte-identical',
    )
    .addHelpText(
      'after',
      '\nExample: recon generate --employers 300 --seed 1 --out fixtures/inbox\nExit codes: 0 written; 3 written but the truth disagrees with a scenario (generator bug); 2 bad usage; 1 failed.',
    )
    .action(async (flags: GenerateFlags) => {
      const employers = Number(flags.employers);
      const seed = Number(flags.seed);
      if (!Number.isInteger(employers) || employers < 1) throw new ConfigError(`--employers must be a positive integer, got "${flags.employers}"`);
      if (!Number.isInteger(seed) || seed < 0) throw new ConfigError(`--seed must be a non-negative integer, got "${flags.seed}"`);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(flags.asOf)) throw new ConfigError(`--as-of must be a date as YYYY-MM-DD, got "${flags.asOf}"`);
      if (!/^\d{4}$/.test(flags.city)) throw new ConfigError(`--city must be a 4-digit prefecture-level city code, got "${flags.city}"`);
      const started = process.hrtime.bigint();
      const summary = await generateInbox({
        employers,
        seed,
        out: flags.out,
        asOf: flags.asOf,
        city: flags.city,
        ...(flags.truth !== undefined ? { truth: flags.truth } : {}),
        ...(flags.formats !== undefined ? { formats: flags.formats } : {}),
        ...(flags.params !== undefined ? { params: flags.params } : {}),
        ...(flags.targets ? { targets: true } : {}),
        ...(flags.persons !== undefined ? { persons: flags.persons } : {}),
        ...(flags.projects ? { projects: true } : {}),
      });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const lines = [
        `Generated ${summary.employers} employers (as-of ${summary.asOf}, closed month ${summary.closedMonth}, ${summary.formats}) in ${seconds.toFixed(1)} s, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
        `Inbox ${summary.out}:`,
        ...summary.files.map((f) => `  ${f.kind.padEnd(17)} ${String(f.rows).padStart(9)} rows  ${f.file}`),
        `Truth ${summary.truth}: employers.csv, links.csv, findings.csv, expected_rejects.csv (${summary.rejects} bad rows), review_answers.csv, expected_dq_issues.csv${summary.persons ? ', person_findings.csv, person_cases.csv' : ''}, README.md`,
        `Linking cases: ${Object.entries(summary.linkCases ?? {})
          .map(([c, n]) => `${c} ${n}`)
          .join(', ')}`,
        `Findings: ${Object.entries(summary.findings)
          .map(([rule, n]) => `${rule} ${n}`)
          .join(', ')}`,
        ...(summary.persons
          ? [
              `People: ${summary.persons.persons} (wage earners ${summary.persons.wageEarners}); person findings: ${Object.entries(summary.persons.findings)
                .map(([rule, n]) => `${rule} ${n}`)
                .join(', ')}`,
            ]
          : []),
        ...(summary.projects
          ? [
              `Projects: ${summary.projects.permits} permits of ${summary.projects.contractors} contractors, ${summary.projects.enrolments} project enrolments; project_uninsured ${summary.projects.findings}`,
            ]
          : []),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
      if (summary.mismatches.length > 0) {
        process.stderr.write(
          `recon generate: ${summary.mismatches.length} employers' findings differ from their scenario (a generator bug):\n${summary.mismatches.slice(0, 20).join('\n')}\n`,
        );
        process.exitCode = EXIT.warnings;
      }
    });
}
